"""Commands a user reaches for: feed list/clear, profile rename/delete, digest --reset-shown, history."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from papersift.cli import cli
from tests.conftest import FEED_FILES, PROFILE_FILES


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def stored() -> None:
    assert run("profile", "import", *map(str, PROFILE_FILES), "--profile", "me", "-q")[0] == 0
    assert run("feed", "import", *map(str, FEED_FILES), "-q")[0] == 0


def digest(*extra: str) -> list[dict]:
    code, out, _ = run("digest", "--model", "fake", "--format", "json", "-q", *extra)
    assert code == 0
    return json.loads(out)


def test_feed_list_and_clear(stored: None) -> None:
    code, out, _ = run("feed", "list")
    total = int(out.splitlines()[-1].split()[1])
    assert code == 0 and total > 100
    code, _, err = run("feed", "clear")
    assert code == 2 and "--older-than DAYS, or --all" in err
    assert run("feed", "clear", "--older-than", "30")[1] == "feed: 0 candidates cleared\n"
    assert run("feed", "clear", "--all")[1] == f"feed: {total} candidates cleared\n"
    assert "no candidates yet" in run("feed", "list")[1]
    assert "papers (" in run("profile", "show")[1]  # the profile's papers stay


def test_reset_shown_brings_papers_back(stored: None) -> None:
    first = digest("--top", "3")
    assert not {p["id"] for p in first} & {p["id"] for p in digest("--top", "3")}
    again = digest("--top", "3", "--reset-shown")
    assert [p["id"] for p in again] == [p["id"] for p in first]


def test_history_lists_and_renders_past_digests(stored: None) -> None:
    first = digest("--top", "3")
    code, out, _ = run("history")
    run_id = out.split()[0]
    assert code == 0 and "3 of" in out
    code, out, _ = run("history", run_id, "--format", "json")
    again = json.loads(out)
    assert code == 0 and [p["id"] for p in again] == [p["id"] for p in first]
    # As shown then: with its relevance and interest, not only the titles and reasons.
    assert [(p["relevance"], p["interest"]) for p in again] == [(p["relevance"], p["interest"]) for p in first]
    assert all(p["relevance"] is not None for p in again)
    code, out, _ = run("history", run_id)
    assert "relevance" in out and first[0]["interest"] in out
    code, _, err = run("history", "999")
    assert code == 1 and "has no digest number 999" in err


def test_profile_rename_and_delete(stored: None) -> None:
    assert run("profile", "rename", "alice")[1] == "profile 'me' is now 'alice'\n"
    assert run("profile", "list")[1].startswith("alice\t")
    code, _, err = run("profile", "rename", " ", "--profile", "alice")
    assert code == 1 and "not empty" in err
    code, _, err = run("profile", "delete", "--profile", "alice")
    assert code == 2 and "add --yes" in err
    assert run("profile", "delete", "--profile", "alice", "--yes")[0] == 0
    assert "no profiles yet" in run("profile", "list")[1]
    assert "total" in run("feed", "list")[1]  # candidates and papers stay
