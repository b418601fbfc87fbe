"""The TOML config: what it declares, and errors that name the file and the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from papersift.config import Config, SourceSpec, load_config
from papersift.errors import ConfigError
from papersift.fetch.followed import check_follow, follow_options
from papersift.fetch.registry import check_profiles, declared_sources

EXAMPLE = """
[contact]
email = "ada@example.org"

[[profiles]]
name = "me"
openalex = "A5023888391"
orcid = ["0000-0002-1825-0097"]
arxiv_author = "Cevher, V"
files = ["pubs.bib"]

[[follow]]
source = "arxiv"
categories = ["cs.LG", "stat.ML"]

[[follow]]
source = "openalex"
concept = "C154945302"
since = 2026-01-01

[[follow]]
source = "openreview"
venue = "ICLR.cc/2026/Conference"
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_example_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, EXAMPLE))
    assert config.contact == "ada@example.org"
    (profile,) = config.profiles
    assert profile.name == "me"
    assert declared_sources(profile) == [
        SourceSpec("openalex", "A5023888391"),
        SourceSpec("orcid", "0000-0002-1825-0097"),
        SourceSpec("arxiv-author", "Cevher, V"),
        SourceSpec("file", str((tmp_path / "pubs.bib").resolve())),
    ]
    assert [f.source for f in config.follow] == ["arxiv", "openalex", "openreview"]
    assert follow_options(config.follow[0])["categories"] == ("cs.LG", "stat.ML")
    assert follow_options(config.follow[1])["since"] == dt.date(2026, 1, 1)


def test_missing_default_config_is_empty_but_a_named_one_is_an_error(tmp_path: Path) -> None:
    assert load_config().profiles == ()
    with pytest.raises(ConfigError, match="nowhere.toml: the config file does not exist"):
        load_config(tmp_path / "nowhere.toml")


def test_contact_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PAPERSIFT_CONTACT", "env@example.org")
    assert load_config(write(tmp_path, EXAMPLE)).contact == "env@example.org"
    assert load_config().contact == "env@example.org"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[[profiles]]\nname = 'me'\nopenalx = 'A1'\n", "profiles[0].openalx: unknown key"),
        ("[[profiles]]\nname = 'me'\norcid = 42\n", "profiles[0].orcid: expected a string or a list of strings"),
        ("[[profiles]]\nopenalex = 'A1'\n", "profiles[0].name: every profile needs a name"),
        ("[[profiles]]\nname='a'\n[[profiles]]\nname='a'\n", "the name 'a' is declared twice"),
        ("[[follow]]\nsource = 'arxiv'\n", "follow[0]: a 'arxiv' source needs categories"),
        ("[[follow]]\nsource = 'bioarxiv'\n", "follow[0].source: expected one of arxiv, huggingface"),
        ("[[follow]]\nsource = 'openalex'\nquery = 'x'\nsince = 'yesterday'\n", "follow[0].since: expected a date"),
        ("[[follow]]\nsource = 'openalex'\n", "follow[0]: give OpenAlex either --query or --concept"),
        ("[[follow]]\nsource = 'huggingface'\nvenue = 'x'\n", "follow[0].venue: unknown key"),
        ("[contact]\nemail = 'not an address'\n", "contact.email: expected an e-mail address"),
        ("[contact]\nmail = 'a@b.c'\n", "contact.mail: unknown key"),
        ("profiles = 3\n", "profiles: expected an array of tables"),
        ("[[profiles]\nname = 'me'\n", "not valid TOML"),
    ],
)
def test_errors_name_the_file_and_the_key(tmp_path: Path, body: str, message: str) -> None:
    """The file's own mistakes when it is read; its source tables' when the registries read them
    (``papersift update`` checks them all before fetching anything)."""
    path = write(tmp_path, body)

    def load_and_check() -> Config:
        config = load_config(path)
        check_profiles(config)
        check_follow(config)
        return config

    with pytest.raises(ConfigError) as caught:
        load_and_check()
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)
