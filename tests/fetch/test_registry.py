"""One profile-source registry: the config keys, the CLI options, the id normalisers and the fetchers agree."""

from __future__ import annotations

import textwrap
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from papersift.cli import cli
from papersift.config import Config, ProfileConfig, SourceSpec, load_config
from papersift.errors import ConfigError
from papersift.fetch import update
from papersift.fetch.registry import (
    PROFILE_SOURCES,
    ZOTERO_KEY_ENV,
    declared_sources,
    normalize_source,
    profile_fetcher,
    sources_from_options,
    zotero_key,
)
from papersift.store import Store
from tests.fetch.helpers import make_client, text

EXAMPLES = {
    "openalex": ("https://openalex.org/A5023888391", "A5023888391"),
    "orcid": ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
    "s2-author": ("https://www.semanticscholar.org/author/Jane-Doe/1741101", "1741101"),
    "dblp": ("https://dblp.org/pid/73/6258.html", "73/6258"),
    "arxiv-author": ("  Cevher, V ", "Cevher, V"),
    "zotero": ("123456", "123456"),
    "file": ("https://example.org/papers.bib", "https://example.org/papers.bib"),
}


def test_every_kind_has_an_example_here() -> None:
    assert set(PROFILE_SOURCES) == set(EXAMPLES)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_each_kind_normalises_its_ids_and_makes_a_fetcher_keyed_by_kind(kind: str) -> None:
    given, canonical = EXAMPLES[kind]
    assert normalize_source(SourceSpec(kind, given)) == SourceSpec(kind, canonical)
    fetcher = profile_fetcher(SourceSpec(kind, given))
    assert canonical in fetcher.key and canonical in fetcher.label


@pytest.mark.parametrize("kind", sorted(set(EXAMPLES) - {"file"}))
def test_each_service_kind_refuses_a_malformed_id(kind: str) -> None:
    with pytest.raises(ConfigError):
        normalize_source(SourceSpec(kind, "   " if kind == "arxiv-author" else "not an id at all!"))


def test_an_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="known: openalex, orcid, s2-author, dblp, arxiv-author, zotero, file"):
        normalize_source(SourceSpec("myspace", "x"))


def test_config_keys_and_cli_options_come_from_the_registry(tmp_path: Path) -> None:
    lines = [f'{k.config_key} = "{EXAMPLES[k.kind][0]}"' for k in PROFILE_SOURCES.values()]
    config_file = tmp_path / "config.toml"
    config_file.write_text('[[profiles]]\nname = "me"\n' + "\n".join(lines) + "\n", encoding="utf-8")
    (profile,) = load_config(config_file).profiles
    assert [s.kind for s in declared_sources(profile)] == list(PROFILE_SOURCES)
    help_text = CliRunner().invoke(cli, ["profile", "import", "--help"]).output
    for kind in PROFILE_SOURCES.values():
        assert (kind.option_name in help_text) == kind.option
    given = {k.config_key: (EXAMPLES[k.kind][0],) for k in PROFILE_SOURCES.values() if k.option}
    assert [s.kind for s in sources_from_options(given)] == [k for k in PROFILE_SOURCES if k != "file"]


def test_zotero_key_precedence_option_then_config_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ZOTERO_KEY_ENV, "from-env")
    assert zotero_key("from-option", "from-config") == "from-option"
    assert zotero_key(None, "from-config") == "from-config"
    assert zotero_key(None, None) == "from-env"
    monkeypatch.delenv(ZOTERO_KEY_ENV)
    assert zotero_key() is None


def test_update_sends_the_option_key_before_the_profiles_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ZOTERO_KEY_ENV, "from-env")
    client, log = make_client(lambda _: text("[]", headers={"Total-Results": "0"}))
    config = Config(profiles=(ProfileConfig("me", {"zotero_user": ("123",)}, zotero_key="from-config"),))
    update(Store(tmp_path / "a.db"), config, client, zotero_key="from-option")
    update(Store(tmp_path / "b.db"), config, client)
    bare = Config(profiles=(ProfileConfig("me", {"zotero_user": ("123",)}),))
    update(Store(tmp_path / "c.db"), bare, client)
    sent = [request.headers.get("Zotero-API-Key") for _, request in log.requests]
    assert sent == ["from-option", "from-config", "from-env"]


def test_the_config_file_accepts_network_settings(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        textwrap.dedent(
            """
            [network]
            deadline = 30
            max_retry_after = 5
            [network.endpoints]
            "api.openalex.org" = "http://127.0.0.1:8765/openalex"
            """
        ),
        encoding="utf-8",
    )
    network = load_config(config_file).network
    assert network.deadline == 30 and network.max_retry_after == 5 and network.max_response_mb == 64
    assert network.endpoints == {"api.openalex.org": "http://127.0.0.1:8765/openalex"}
    config_file.write_text('[network.endpoints]\n"api.openalex.org" = "ftp://x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="expected an http"):
        load_config(config_file)


def test_endpoints_redirect_requests_but_keep_the_services_politeness() -> None:
    from papersift.fetch import HttpClient

    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return text("{}")

    client = HttpClient(transport=httpx.MockTransport(answer), endpoints={"api.openalex.org": "http://127.0.0.1:9/oa/"})
    client.get("https://api.openalex.org/works", {"filter": "x"})
    assert seen == ["http://127.0.0.1:9/oa/works?filter=x"]
    assert client._next_allowed.get("api.openalex.org")  # the service's own slot was used
