"""One followed-source registry: the [[follow]] keys, the ``fetch`` commands and the fetchers agree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from papersift.cli import cli
from papersift.config import load_config
from papersift.errors import ConfigError
from papersift.fetch.followed import FOLLOWED_SOURCES, command_fetchers, follow_fetchers

TODAY = dt.date(2026, 6, 8)

# One example per registered kind: a [[follow]] table and the `fetch` command's options that mean the same.
EXAMPLES: dict[str, tuple[str, dict[str, object]]] = {
    "arxiv": ('categories = ["cs.LG", "stat.ML"]', {"categories": ("cs.LG", "stat.ML")}),
    "huggingface": ("", {}),
    "openreview": ('venue = "ICLR.cc/2026/Conference"', {"venue": ("ICLR.cc/2026/Conference",)}),
    "openalex": ('query = "sharpness"\nsince = 2026-01-01', {"query": "sharpness", "since": "2026-01-01"}),
    "file": ('url = "https://example.org/papers.bib"', {"locations": ("https://example.org/papers.bib",)}),
}


def test_every_registered_kind_has_an_example() -> None:
    assert set(EXAMPLES) == set(FOLLOWED_SOURCES)


@pytest.mark.parametrize("kind", list(FOLLOWED_SOURCES))
def test_a_follow_table_and_the_fetch_command_make_the_same_fetcher(tmp_path: Path, kind: str) -> None:
    table, options = EXAMPLES[kind]
    config_file = tmp_path / "config.toml"
    config_file.write_text(f'[[follow]]\nsource = "{kind}"\n{table}\n', encoding="utf-8")
    (follow,) = load_config(config_file).follow
    from_config = follow_fetchers(follow, TODAY)
    assert from_config and from_config == command_fetchers(kind, options, TODAY)


def test_the_fetch_commands_are_exactly_the_registry() -> None:
    group = cli.commands["fetch"]
    assert isinstance(group, click.Group)
    assert sorted(group.commands) == sorted(FOLLOWED_SOURCES)
    for kind, source in FOLLOWED_SOURCES.items():
        names = {p.name for p in group.commands[kind].params} - {"config_path", "quiet"}
        assert names == {o.key for o in source.options if o.command}, kind
    help_text = CliRunner().invoke(cli, ["fetch", "--help"]).output
    for kind in FOLLOWED_SOURCES:
        assert f"  {kind} " in help_text


def test_config_only_and_command_only_options_stay_where_they_belong(tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text('[[follow]]\nsource = "arxiv"\ncategories = "cs.LG"\ndate = 2026-01-01\n', encoding="utf-8")
    (follow,) = load_config(config_file).follow
    with pytest.raises(ConfigError, match=r"follow\[0\]\.date: unknown key \(known: categories, source\)"):
        follow_fetchers(follow)
    config_file.write_text('[[follow]]\nsource = "openalex"\nquery = "x"\nsince_days = 7\n', encoding="utf-8")
    (follow,) = load_config(config_file).follow
    (fetcher,) = follow_fetchers(follow, TODAY)
    assert fetcher == command_fetchers("openalex", {"query": "x", "since": "2026-06-01"}, TODAY)[0]


def test_a_file_path_is_relative_to_the_config_file_and_the_format_is_checked(tmp_path: Path) -> None:
    from papersift.fetch.files import FileSource

    config_file = tmp_path / "config.toml"
    config_file.write_text(
        '[[follow]]\nsource = "file"\npath = "lists/a.bib"\ninput_format = "bibtex"\n', encoding="utf-8"
    )
    (follow,) = load_config(config_file).follow
    assert follow_fetchers(follow) == [FileSource(str((tmp_path / "lists" / "a.bib").resolve()), "bibtex")]
    config_file.write_text('[[follow]]\nsource = "file"\npath = "a.bib"\ninput_format = "pdf"\n', encoding="utf-8")
    (follow,) = load_config(config_file).follow
    with pytest.raises(ConfigError, match=r"follow\[0\]\.input_format: expected one of json, jsonl"):
        follow_fetchers(follow)
