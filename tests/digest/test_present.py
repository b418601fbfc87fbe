"""One presenter: every channel links the paper itself by one rule, and words a pick the same way."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from email import message_from_bytes
from email.policy import default

import feedparser
import pytest

from papersift import api
from papersift.delivery.mail import compose, webhook_body
from papersift.delivery.tokens import Tokens
from papersift.digest import present, render
from papersift.digest.render import formats, register_format
from papersift.encoders import get_encoder
from papersift.models import Match, Paper, RatingMatch, Recommendation
from papersift.store import Store
from tests.conftest import FEED_FILES, PROFILE_FILES

ARXIV = "https://arxiv.org/abs/2401.00001"
DOI = "https://doi.org/10.1000/xyz"
URL = "https://example.org/papers/42"


def picks() -> list[Recommendation]:
    papers = [
        # An arXiv id wins over a URL the record also has.
        Paper(title="With arXiv", ids={"arxiv": "2401.00001"}, links=["https://mirror.example/x"], store_id=1),
        Paper(title="With DOI", ids={"doi": "10.1000/xyz"}, store_id=2),
        Paper(title="With URL", links=["javascript:alert(1)", URL], store_id=3),
        Paper(title="With nothing", store_id=4),
    ]
    why = [Match("My paper", 0.81, ("sharpness",))]
    rated = [RatingMatch("A saved paper", "save", 0.7)]
    return [
        Recommendation(i, 1.0 - i / 10, p, why, "sharp minima", 0.9, rated, interest_id=2)
        for i, p in enumerate(papers, start=1)
    ]


def test_the_link_rule() -> None:
    assert [present.paper_link(r.paper) for r in picks()] == [ARXIV, DOI, URL, None]
    assert present.paper_link(Paper(links=['https://x.org/a b"<'])) == "https://x.org/a%20b%22%3C"


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "json", "jsonl", "rss", "atom"])
def test_every_output_format_links_each_paper(fmt: str) -> None:
    text = render(picks(), fmt, "t", "s", width=200)
    for link in (ARXIV, DOI, URL):
        assert link in text, (fmt, link)
    if not fmt.startswith("json"):  # JSON carries the record's links as data, and the one link as "link"
        assert "javascript" not in text and "mirror.example" not in text
    assert "urn:papersift" not in text or fmt in ("rss", "atom")  # an entry's id, never its link


def test_feeds_link_the_paper_not_an_id() -> None:
    for fmt in ("rss", "atom"):
        parsed = feedparser.parse(render(picks(), fmt, "t", "s"))
        assert [e.get("link") for e in parsed.entries][:3] == [ARXIV, DOI, URL]


def test_json_has_the_link() -> None:
    assert [p["link"] for p in json.loads(render(picks(), "json"))] == [ARXIV, DOI, URL, None]


def test_mail_and_webhook_link_each_paper() -> None:
    message = compose(
        picks(),
        profile="me",
        to="you@uni.edu",
        sender="papersift <p@uni.edu>",
        day=dt.date(2026, 11, 24),
        date=dt.datetime(2026, 11, 24, 7, 30, tzinfo=dt.UTC),
        message_id="<a@uni.edu>",
        base_url="https://ps.example",
        tokens=Tokens(b"k" * 32),
    )
    parsed = message_from_bytes(message.as_bytes(), policy=default)
    html = parsed.get_body(("html",)).get_content()
    text = parsed.get_body(("plain",)).get_content()
    for link in (ARXIV, DOI, URL):
        assert f'href="{link}"' in html and link in text
    body = webhook_body(picks(), "me", dt.date(2026, 11, 24))
    assert all(f"<{link}|" in body["text"] for link in (ARXIV, DOI, URL))


def test_the_web_paper_page_links_the_paper_by_the_same_rule() -> None:
    pytest.importorskip("fastapi", reason="the web extra is not installed (the core-only run)")
    from papersift.web import present as web_present

    for rec in picks()[:3]:
        assert web_present.paper_links(rec.paper)[0] == ("Abstract page", present.paper_link(rec.paper))
    assert web_present.byline is present.byline


def test_one_wording_of_reasons_and_interest_in_every_channel() -> None:
    rec = picks()[0]
    reasons = present.reasons(rec)
    assert reasons == [
        "Close to your paper “My paper” (similarity 0.81); shares sharpness.",
        "Close to a paper you saved: “A saved paper” (similarity 0.70).",
    ]
    for fmt in ("table", "markdown", "html", "rss"):
        out = render([rec], fmt, "t", "s", width=300)
        assert "Interest 2: sharp minima" in out, fmt
        plain = re.sub(r"\\(.)", r"\1", out).replace("&quot;", '"')
        assert all(reason.split("“")[0] in plain for reason in reasons), fmt


def test_formats_are_a_registry() -> None:
    assert formats()[:5] == ("table", "markdown", "html", "json", "jsonl")
    register_format("count", lambda recs, title, subtitle, width: f"{len(recs)} picks\n")
    try:
        assert render(picks(), "count") == "4 picks\n"
    finally:
        sys.modules["papersift.digest.render"]._RENDERERS.pop("count")


def test_a_live_digest_and_its_history_name_interests_alike(store_location: str) -> None:
    with Store(store_location) as store:
        api.import_profile(store, "me", PROFILE_FILES)
        api.import_feed(store, FEED_FILES)
        live = api.digest_from_store(store, "me", encoder=get_encoder("fake"))
        assert live.run_id is not None
        again = api.past_digest(store, "me", live.run_id)
    headings = [present.interest_name(r) for r in live.recommendations]
    assert any(h and re.match(r"Interest \d+: ", h) for h in headings)
    assert [present.interest_name(r) for r in again] == headings
    assert render(again, "markdown") == render(live.recommendations, "markdown")
