"""RSS and Atom digests are valid feeds (parsed back by feedparser) with stable ids; markup stays text."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import feedparser
from click.testing import CliRunner

from papersift.cli.main import cli
from papersift.digest import render
from papersift.digest.feeds import FeedInfo, item_from_recommendation, render_atom, render_rss
from papersift.models import Match, Paper, Recommendation

HOSTILE = '<script>alert("x")</script>\x07 & <b>bold</b>'


def recs() -> list[Recommendation]:
    one = Paper(
        title=f"Sharp minima {HOSTILE}",
        abstract="We study sharpness.",
        authors=["Ada Lovelace"],
        ids={"arxiv": "2401.00001"},
        store_id=7,
    )
    two = Paper(title="Machine unlearning", abstract="Forget.", ids={"doi": "10.1/x"}, store_id=8)
    three = Paper(title="No ids at all", store_id=9, links=["javascript:alert(1)"])
    why = [Match("My SAM paper", 0.81, ("sharpness",))]
    return [
        Recommendation(1, 0.7, one, why, interest="sharpness", relevance=0.9),
        Recommendation(2, 0.6, two, [], relevance=0.5),
        Recommendation(3, 0.5, three, []),
    ]


def test_rss_and_atom_parse_back() -> None:
    for fmt in ("rss", "atom"):
        text = render(recs(), fmt, "papersift digest for me", "3 picks")
        parsed = feedparser.parse(text)
        assert not parsed.bozo, (fmt, parsed.get("bozo_exception"))
        assert parsed.version == ("rss20" if fmt == "rss" else "atom10")
        titles = [e.title for e in parsed.entries]
        assert titles[0] == 'Sharp minima <script>alert("x")</script> & <b>bold</b>'  # text, control char dropped
        assert [e.id for e in parsed.entries] == [
            "urn:papersift:arxiv:2401.00001",
            "urn:papersift:doi:10.1/x",
            "urn:papersift:paper:9",
        ]
        assert parsed.entries[0].link == "https://arxiv.org/abs/2401.00001"
        assert "javascript" not in text
        assert "My SAM paper" in parsed.entries[0].summary and "0.81" in parsed.entries[0].summary
        assert parsed.entries[0].tags[0].term == "Interest: sharpness"
        assert parsed.entries[1].link == "https://doi.org/10.1/x"


def test_entry_ids_are_stable_across_days() -> None:
    pick = recs()[0]
    monday = item_from_recommendation(pick, dt.datetime(2026, 11, 30, tzinfo=dt.UTC))
    later = replace(pick, rank=5, score=0.1)
    tuesday = item_from_recommendation(later, dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert monday.id == tuesday.id
    info = FeedInfo("t", "http://127.0.0.1:8000/", "urn:papersift:feed:me", self_link="http://127.0.0.1:8000/f")
    for text in (render_rss(info, [monday]), render_atom(info, [monday])):
        assert not feedparser.parse(text).bozo


def test_digest_command_writes_feeds(tmp_path: Path) -> None:
    from papersift import api
    from papersift.config import store_location
    from papersift.store import Store
    from tests.conftest import FEED_FILES, PROFILE_FILES

    with Store(store_location()) as store:
        api.import_profile(store, "me", PROFILE_FILES)
        api.import_feed(store, FEED_FILES)
    out = tmp_path / "me.atom"
    result = CliRunner().invoke(
        cli, ["digest", "--profile", "me", "--model", "fake", "--format", "atom", "--out", str(out), "--top", "5", "-q"]
    )
    assert result.exit_code == 0, result.output
    parsed = feedparser.parse(out.read_text(encoding="utf-8"))
    assert not parsed.bozo and len(parsed.entries) == 5
