"""rate, interests, profile reset-feedback and the new digest options, through the CLI on a real store."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import run
from tests.conftest import FEED_FILES, PROFILE_FILES


@pytest.fixture
def stored() -> None:
    assert run("profile", "import", *PROFILE_FILES, "--name", "me", "-q")[0] == 0
    assert run("feed", "import", *FEED_FILES, "-q")[0] == 0


def digest_json(*extra: str) -> list[dict]:
    code, out, err = run("digest", "--profile", "me", "--model", "fake", "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)


def test_rate_by_title_and_profile_show(stored: None) -> None:
    code, out, _ = run("rate", "Sharpness-Aware Training for Free", "up")
    assert code == 0 and "profile 'me': up for Sharpness-Aware Training for Free" in out
    code, out, _ = run("profile", "show", "--profile", "me")
    assert code == 0 and "ratings (1):" in out and "up      Sharpness-Aware Training for Free" in out
    code, out, _ = run("profile", "reset-feedback", "--profile", "me")
    assert code == 0 and "1 rating forgotten" in out
    assert "ratings (0):" in run("profile", "show", "--profile", "me")[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rate", "no such paper at all", "up"], "no paper in the store matches 'no such paper at all'"),
        (["rate", "Sharpness-Aware Training for Free", "up", "--profile", "you"], "there is no profile named 'you'"),
        (["interests", "rename", "42", "x"], "has no interests yet"),
        (["profile", "reset-feedback", "--profile", "nobody"], "there is no profile named 'nobody'"),
    ],
)
def test_learning_errors_are_one_sentence(stored: None, args: list[str], message: str) -> None:
    code, _, err = run(*args)
    assert code == 1 and message in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_bad_rating_is_a_usage_error(stored: None) -> None:
    code, _, err = run("rate", "Sharpness-Aware Training for Free", "meh")
    assert code == 2 and "'meh' is not one of" in err


def test_no_profile_chosen_among_several(stored: None) -> None:
    run("profile", "import", PROFILE_FILES[0], "--name", "other", "-q")
    code, _, err = run("rate", "Sharpness-Aware Training for Free", "up")
    assert code == 1 and "choose one with --profile" in err


def test_interests_commands(stored: None) -> None:
    code, out, _ = run("interests", "list", "--model", "fake")
    assert code == 0 and out.startswith("1. ")
    code, out, _ = run("interests", "rename", "1", "Sharp minima")
    assert code == 0 and "Sharp minima" in out
    code, out, _ = run("interests", "mute", "Sharp minima")
    assert code == 0 and "[muted]" in out
    recs = digest_json("--top", "0", "--include-seen")
    assert all(r["interest"] != "Sharp minima" for r in recs)
    assert run("interests", "unmute", "Sharp minima")[0] == 0
    ids = [line.split(".")[0] for line in run("interests", "list")[1].splitlines() if line[:1].isdigit()]
    code, out, _ = run("interests", "merge", *ids)
    assert code == 0 and out.startswith("1. Sharp minima") and out.count("papers") == 1
    code, out, _ = run("interests", "split", "Sharp minima", "--model", "fake")
    assert code == 0 and "Sharp minima (1)" in out and "Sharp minima (2)" in out
    code, out, _ = run("interests", "recompute", "--model", "fake")
    assert code == 0 and "Sharp minima" not in out


def test_digest_options_show_once_threshold_and_reasons(stored: None) -> None:
    run("rate", "Sharpness-Aware Training for Free", "up")
    first = digest_json("--top", "3")
    assert len(first) == 3 and all(set(r) >= {"interest", "relevance", "ratings"} for r in first)
    assert all(0 <= r["relevance"] <= 1 for r in first)
    second = digest_json("--top", "3")
    assert not {r["title"] for r in first} & {r["title"] for r in second}
    assert len(digest_json("--top", "3", "--include-seen")) == 3
    assert digest_json("--top", "20", "--min-relevance", "1") == []
    rated = [r for r in digest_json("--top", "0", "--include-seen", "--flat") if r["ratings"]]
    assert rated and rated[0]["ratings"][0]["rating"] == "up"
    code, out, _ = run(
        "digest", "--profile", "me", "--model", "fake", "--format", "markdown", "--max-age-days", "1", "--include-seen"
    )
    assert code == 0 and "too old" in out
    code, out, _ = run(
        "digest", "--profile", "me", "--model", "fake", "--format", "markdown", "--half-life", "2", "--include-seen"
    )
    assert code == 0 and "relevance" in out and "## Interest " in out


def test_interests_budget_sets_shows_and_clears(stored: None) -> None:
    assert run("interests", "list", "--model", "fake")[0] == 0
    everything = digest_json("--top", "0", "--include-seen")
    first = everything[0]["interest"]
    assert sum(r["interest"] == first for r in everything) > 1
    code, out, _ = run("interests", "budget", first, "1")
    assert code == 0 and f"{first}" in out and "[budget: at most 1 pick]" in out
    assert "[budget: at most 1 pick]" in run("interests", "list")[1]
    capped = digest_json("--top", "0", "--include-seen")
    assert sum(r["interest"] == first for r in capped) == 1
    assert "[budget: at most 1]" in run("profile", "show", "--profile", "me")[1]
    code, out, _ = run("digest", "--profile", "me", "--model", "fake", "--top", "0", "--include-seen")
    assert code == 0 and "over their interest's budget" in out
    assert len(capped) == len(everything) - sum(r["interest"] == first for r in everything) + 1
    code, out, _ = run("interests", "budget", first, "--clear")
    assert code == 0 and "budget" not in out
    assert digest_json("--top", "0", "--include-seen") == everything


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["interests", "budget", "1"], "give either PICKS"),
        (["interests", "budget", "1", "2", "--clear"], "give either PICKS"),
        (["interests", "budget", "1", "--", "-1"], "-1 is not in the range x>=0"),
    ],
)
def test_interests_budget_usage_errors(stored: None, args: list[str], message: str) -> None:
    assert run("interests", "list", "--model", "fake")[0] == 0
    code, _, err = run(*args)
    assert code == 2 and message in err
