"""The one list of where a profile's papers can come from: kind -> id normaliser -> fetcher -> option.

Every place that names profile sources reads it: the config's ``[[profiles]]`` keys
(:func:`declared_sources`), the ``profile import`` options, the store's remembered sources (by
``kind``), and the fetchers.
Adding a service means adding one :class:`ProfileSourceKind` here.

The Zotero API key is never stored; :func:`zotero_key` is the one precedence rule for it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Config, ProfileConfig, SourceSpec
from ..errors import ConfigError
from .arxiv import ArxivAuthor
from .base import Fetcher
from .dblp import DblpPerson, dblp_pid
from .files import FileSource, is_url, local_path
from .openalex import author_works, openalex_id
from .orcid import OrcidWorks, orcid_id
from .semantic_scholar import SemanticScholarAuthor, author_id
from .zotero import ZoteroLibrary, zotero_user

ZOTERO_KEY_ENV = "PAPERSIFT_ZOTERO_KEY"


@dataclass(frozen=True)
class ProfileSourceKind:
    """One kind of profile source.

    ``kind`` is how the store remembers it; ``config_key`` its key in a ``[[profiles]]`` table and,
    dashed, its ``profile import`` option (None: not an option, files are arguments);
    ``normalize`` turns what a user writes into the canonical id (a bad one is a ConfigError);
    ``fetcher`` makes the fetcher for a canonical id (and the Zotero key, for Zotero).
    """

    kind: str
    config_key: str
    help: str
    normalize: Callable[[str], str]
    fetcher: Callable[[str, str | None], Fetcher]
    option: bool = True

    @property
    def option_name(self) -> str:
        return "--" + self.config_key.replace("_", "-")


def _arxiv_author(value: str) -> str:
    if not value.strip():
        raise ConfigError('give the arXiv author as arXiv writes it, e.g. "Cevher, V"')
    return value.strip()


def _file(value: str) -> str:
    return value if is_url(value) else str(local_path(value).resolve())


PROFILE_SOURCES: dict[str, ProfileSourceKind] = {
    kind.kind: kind
    for kind in (
        ProfileSourceKind(
            "openalex",
            "openalex",
            "An OpenAlex author id (A...), repeatable.",
            lambda value: openalex_id(value, "A", "author"),
            lambda value, _: author_works(value),
        ),
        ProfileSourceKind("orcid", "orcid", "An ORCID iD, repeatable.", orcid_id, lambda value, _: OrcidWorks(value)),
        ProfileSourceKind(
            "s2-author",
            "s2_author",
            "A Semantic Scholar author id, repeatable.",
            author_id,
            lambda value, _: SemanticScholarAuthor(value),
        ),
        ProfileSourceKind(
            "dblp",
            "dblp",
            "A DBLP person id (PID, e.g. 73/6258), repeatable.",
            dblp_pid,
            lambda value, _: DblpPerson(value),
        ),
        ProfileSourceKind(
            "arxiv-author",
            "arxiv_author",
            'An arXiv author name, e.g. "Cevher, V".',
            _arxiv_author,
            lambda value, _: ArxivAuthor(value),
        ),
        ProfileSourceKind(
            "zotero",
            "zotero_user",
            "A Zotero user id (its library).",
            zotero_user,
            lambda value, key: ZoteroLibrary(value, key),
        ),
        ProfileSourceKind(
            "file",
            "files",
            "A file, a file:// URL or an http(s) URL in any supported format.",
            _file,
            lambda value, _: FileSource(value),
            option=False,
        ),
    )
}
PROFILE_KINDS = tuple(PROFILE_SOURCES)


def source_kind(kind: str) -> ProfileSourceKind:
    try:
        return PROFILE_SOURCES[kind]
    except KeyError:
        raise ConfigError(f"unknown profile source '{kind}' (known: {', '.join(PROFILE_KINDS)})") from None


def normalize_source(source: SourceSpec) -> SourceSpec:
    """The form a source is remembered in: ids in canonical shape, file paths absolute; a bad id is a ConfigError."""
    return SourceSpec(source.kind, source_kind(source.kind).normalize(source.value))


def profile_fetcher(source: SourceSpec, zotero_key: str | None = None) -> Fetcher:
    """The fetcher for one profile source."""
    normalized = normalize_source(source)
    return source_kind(normalized.kind).fetcher(normalized.value, zotero_key)


def sources_from_options(given: Mapping[str, Sequence[str]]) -> list[SourceSpec]:
    """``profile import``'s service options (by ``config_key``: ``s2_author=("123",)``) -> sources."""
    by_key = {k.config_key: k.kind for k in PROFILE_SOURCES.values() if k.option}
    return [SourceSpec(by_key[key], value) for key, values in given.items() for value in values]


def declared_sources(profile: ProfileConfig) -> list[SourceSpec]:
    """A ``[[profiles]]`` table's sources, in the registry's order; an unknown key is a ConfigError naming it.

    A ``files`` path is relative to the config file's folder (``profile.base``).
    """
    by_key = {k.config_key: k for k in PROFILE_SOURCES.values()}
    for key in profile.sources:
        if key not in by_key:
            known = ", ".join(sorted(["name", "zotero_key", *by_key]))
            where = f"{profile.where}." if profile.where else ""
            raise ConfigError(f"{where}{key}: unknown key (known: {known})")
    sources = []
    for kind in PROFILE_SOURCES.values():
        for value in profile.sources.get(kind.config_key, ()):
            if kind.kind == "file" and "://" not in value and profile.base is not None:
                value = str((profile.base / Path(value).expanduser()).resolve())
            sources.append(SourceSpec(kind.kind, value))
    return sources


def check_profiles(config: Config) -> None:
    """Every ``[[profiles]]`` table of ``config`` checked before anything is fetched."""
    for profile in config.profiles:
        declared_sources(profile)


def zotero_key(given: str | None = None, declared: str | None = None) -> str | None:
    """The Zotero API key to use: ``--zotero-key``, else the profile's ``zotero_key`` in the config,
    else ``$PAPERSIFT_ZOTERO_KEY``."""
    return given or declared or os.environ.get(ZOTERO_KEY_ENV) or None
