"""The one list of followed sources: kind -> options -> fetchers (each fetcher reads its service with its parser).

A followed source is where candidates come from (``[[follow]]`` tables of the config, the ``fetch``
commands, ``papersift update``). Every place that names followed sources reads :data:`FOLLOWED_SOURCES`:
the config's ``[[follow]]`` keys are checked against an entry's options, ``papersift fetch KIND``
is built from them, and :func:`follow_fetchers` makes the fetchers. Adding a service means adding
one :class:`FollowedSource` here.

The config file itself (:mod:`papersift.config`) keeps a ``[[follow]]`` table as written: the
file is read below the fetchers, so it cannot know their options without an import cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .. import clock
from ..config import Config, FollowConfig
from ..errors import ConfigError
from ..sources import FORMATS as INPUT_FORMATS
from .arxiv import ArxivDaily, check_categories
from .base import Fetcher, parse_date
from .files import FileSource
from .huggingface import HuggingFaceDaily
from .openalex import works_since
from .openreview import OpenReviewVenue

ValueKind = Literal["text", "texts", "date", "days"]


@dataclass(frozen=True)
class FollowOption:
    """One option of a followed source: ``key`` in a ``[[follow]]`` table and, dashed, its ``fetch`` option.

    ``value``: ``text`` (a string), ``texts`` (a string or a list; a repeatable option), ``date``
    (YYYY-MM-DD), ``days`` (a whole number). ``flags`` overrides the option's spelling; ``argument``
    makes it the command's arguments; ``command``/``config`` say where it may be given;
    ``relative``: a path in the config file is relative to the file's folder.
    """

    key: str
    help: str
    value: ValueKind = "text"
    required: bool = False
    flags: tuple[str, ...] = ()
    argument: bool = False
    command: bool = True
    config: bool = True
    relative: bool = False
    choices: tuple[str, ...] = ()

    @property
    def option_flags(self) -> tuple[str, ...]:
        return self.flags or ("--" + self.key.replace("_", "-"),)


Options = Mapping[str, Any]


class _KeyProblem(ConfigError):
    """A mistake in one key of a table: its message starts with the key (``since: expected a date``)."""


@dataclass(frozen=True)
class FollowedSource:
    """One kind of followed source: its options and how they become fetchers (``today`` for relative dates)."""

    kind: str
    help: str
    example: str
    options: tuple[FollowOption, ...]
    fetchers: Callable[[Options, dt.date], list[Fetcher]]

    def option(self, key: str) -> FollowOption:
        return next(o for o in self.options if o.key == key)


def _openalex(given: Options, today: dt.date) -> list[Fetcher]:
    since = given.get("since")
    if given.get("since_days") is not None:
        since = today - dt.timedelta(days=given["since_days"])
    return [works_since(given.get("query"), given.get("concept"), since)]


def _files(given: Options, today: dt.date) -> list[Fetcher]:
    locations = [*given.get("locations", ()), *given.get("path", ()), *given.get("url", ())]
    if not locations:
        raise ConfigError("a 'file' source needs path or url")
    return [FileSource(location, given.get("input_format")) for location in locations]


def _venues(given: Options, today: dt.date) -> list[Fetcher]:
    venues = [v.strip() for v in given.get("venue", ()) if v.strip()]
    if not venues:
        raise ConfigError("an OpenReview source needs a venue id, e.g. ICLR.cc/2026/Conference")
    return [OpenReviewVenue(venue) for venue in venues]


FOLLOWED_SOURCES: dict[str, FollowedSource] = {
    source.kind: source
    for source in (
        FollowedSource(
            "arxiv",
            "The day's arXiv announcements in the categories: new papers and cross-lists.",
            "papersift fetch arxiv -c cs.LG --date 2026-11-20",
            (
                FollowOption(
                    "categories", "An arXiv category (repeatable).", "texts", True, flags=("--category", "-c")
                ),
                FollowOption(
                    "date", "An earlier announcement day, YYYY-MM-DD (default: the latest).", "date", config=False
                ),
            ),
            lambda given, _: [ArxivDaily(check_categories(given["categories"]), given.get("date"))],
        ),
        FollowedSource(
            "huggingface",
            "Hugging Face Daily Papers, with their upvotes.",
            "papersift fetch huggingface",
            (FollowOption("date", "A day, YYYY-MM-DD (default: the latest list).", "date", config=False),),
            lambda given, _: [HuggingFaceDaily(given.get("date"))],
        ),
        FollowedSource(
            "openreview",
            "The papers of OpenReview venues (every page).",
            "papersift fetch openreview --venue ICLR.cc/2026/Conference",
            (FollowOption("venue", "A venue id, e.g. ICLR.cc/2026/Conference.", "texts", True),),
            _venues,
        ),
        FollowedSource(
            "openalex",
            "Works from OpenAlex (journals, proceedings and everything else), every page.",
            'papersift fetch openalex --query "sharpness-aware minimization" --since 2026-11-01',
            (
                FollowOption("query", "A full-text search."),
                FollowOption("concept", "An OpenAlex concept (C...) or topic (T...) id."),
                FollowOption("since", "Only works published on or after this day, YYYY-MM-DD.", "date"),
                FollowOption("since_days", "Only works of the last N days.", "days", command=False),
            ),
            _openalex,
        ),
        FollowedSource(
            "file",
            "Candidates from files, file:// URLs or http(s) URLs in any supported format (detected from the content).",
            "papersift fetch file https://example.org/papers.bib",
            (
                FollowOption("locations", "", "texts", True, argument=True, config=False),
                FollowOption(
                    "path", "A file (relative to the config file's folder).", "texts", command=False, relative=True
                ),
                FollowOption("url", "A file:// or http(s) URL.", "texts", command=False),
                FollowOption("input_format", "Force an input format.", choices=tuple(INPUT_FORMATS)),
            ),
            _files,
        ),
    )
}
FOLLOWED_KINDS = tuple(FOLLOWED_SOURCES)


def followed_source(kind: str) -> FollowedSource:
    try:
        return FOLLOWED_SOURCES[kind]
    except KeyError:
        raise _KeyProblem(f"source: expected one of {', '.join(FOLLOWED_KINDS)}, not {kind!r}") from None


def _value(option: FollowOption, value: Any, base: Path | None) -> Any:
    """A [[follow]] value as written -> the option's value; a wrong type is a ConfigError naming the key."""
    if option.value == "date":
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise _KeyProblem(f"{option.key}: expected a date (2026-01-31), not {value!r}") from None
    if option.value == "days":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _KeyProblem(f"{option.key}: expected a whole number of days, not {value!r}")
        return value
    values = [value] if isinstance(value, str) and option.value == "texts" else value
    if option.value == "text":
        if not isinstance(value, str) or not value.strip():
            raise _KeyProblem(f"{option.key}: expected a non-empty string, not {value!r}")
        if option.choices and value.strip() not in option.choices:
            raise _KeyProblem(f"{option.key}: expected one of {', '.join(option.choices)}, not {value!r}")
        return value.strip()
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise _KeyProblem(f"{option.key}: expected a string or a list of strings, not {value!r}")
    texts = tuple(v.strip() for v in values)
    if option.relative and base is not None:
        texts = tuple(t if "://" in t else str((base / Path(t).expanduser()).resolve()) for t in texts)
    return texts


def follow_options(follow: FollowConfig) -> dict[str, Any]:
    """A ``[[follow]]`` table's options, checked against its kind's (unknown keys, types, required ones)."""
    source = followed_source(follow.source)
    known = [o for o in source.options if o.config]
    for key in follow.options:
        if not any(o.key == key for o in known):
            names = ", ".join(sorted(["source", *(o.key for o in known)]))
            raise _KeyProblem(f"{key}: unknown key (known: {names})")
    given = {key: _value(source.option(key), value, follow.base) for key, value in follow.options.items()}
    needs = [o for o in known if o.required]
    missing = [o for o in needs if not given.get(o.key)]
    if missing:
        raise ConfigError(f"a '{follow.source}' source needs {' and '.join(o.key for o in missing)}")
    return given


def follow_fetchers(follow: FollowConfig, today: dt.date | None = None) -> list[Fetcher]:
    """The fetchers for a ``[[follow]]`` table (``today``: what ``since_days`` counts back from).

    A mistake is a ConfigError naming the table (``follow.where``) and, when it is one key's, the key.
    """
    try:
        given = follow_options(follow)
        return FOLLOWED_SOURCES[follow.source].fetchers(given, today or clock.today())
    except _KeyProblem as exc:
        raise ConfigError(f"{follow.where}.{exc}" if follow.where else str(exc)) from None
    except ConfigError as exc:
        raise ConfigError(f"{follow.where}: {exc}" if follow.where else str(exc)) from None


def command_fetchers(kind: str, given: Options, today: dt.date | None = None) -> list[Fetcher]:
    """The fetchers ``papersift fetch KIND`` asks for, from its options (the same entry as a ``[[follow]]`` table)."""
    source = followed_source(kind)
    options = {key: value for key, value in given.items() if value not in (None, ())}
    for option in source.options:
        if option.value == "date" and isinstance(options.get(option.key), str):
            options[option.key] = parse_date(options[option.key], option.option_flags[0])
    return source.fetchers(options, today or clock.today())


def check_follow(config: Config) -> None:
    """Every ``[[follow]]`` table of ``config`` checked before anything is fetched (a ConfigError names the table)."""
    for follow in config.follow:
        follow_fetchers(follow)


__all__ = [
    "FOLLOWED_KINDS",
    "FOLLOWED_SOURCES",
    "FollowOption",
    "FollowedSource",
    "check_follow",
    "command_fetchers",
    "follow_fetchers",
    "follow_options",
    "followed_source",
]
