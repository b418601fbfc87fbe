"""The digest mail: markup in titles stays text, links are signed, headers cannot be injected."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from email import message_from_bytes
from email.policy import default

from papersift.delivery.mail import compose
from papersift.delivery.tokens import Tokens
from papersift.digest.present import grouped
from papersift.models import Match, Paper, Recommendation

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def picks() -> list[Recommendation]:
    one = Paper(
        title=f"Sharp {HOSTILE}",
        abstract=f"Abstract {HOSTILE}",
        authors=[f"Eve {HOSTILE}"],
        links=["javascript:alert(1)"],
        store_id=1,
    )
    two = Paper(title="Unlearning", ids={"arxiv": "2401.00002"}, store_id=2)
    return [
        Recommendation(1, 0.9, one, [Match(f"Mine {HOSTILE}", 0.8, ("sharp",))], interest="sharpness", interest_id=1),
        Recommendation(2, 0.8, two, [], interest="unlearning", interest_id=2),
    ]


def test_markup_is_text_and_links_are_safe() -> None:
    tokens = Tokens(b"k" * 32)
    message = compose(
        picks(),
        profile="me\r\nBcc: victim@example.org",
        to="you@uni.edu",
        sender="papersift <p@uni.edu>",
        day=dt.date(2026, 11, 24),
        date=dt.datetime(2026, 11, 24, 7, 30, tzinfo=dt.UTC),
        message_id="<a@uni.edu>",
        base_url="https://ps.example",
        tokens=tokens,
    )
    parsed = message_from_bytes(message.as_bytes(), policy=default)
    assert parsed["Bcc"] is None and "\n" not in parsed["Subject"]
    html = parsed.get_body(("html",)).get_content()
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html and 'href="https://arxiv.org/abs/2401.00002"' in html
    assert html.count('href="https://ps.example/mail/vote/') == 6
    text = parsed.get_body(("plain",)).get_content()
    assert "== Interest 1: sharpness ==" in text and "== Interest 2: unlearning ==" in text


def test_groups_follow_the_best_pick_and_vanish_for_one_interest() -> None:
    both = picks()
    assert [name for name, _ in grouped(both)] == ["Interest 1: sharpness", "Interest 2: unlearning"]
    assert [name for name, _ in grouped([replace(p, interest="x", interest_id=1) for p in both])] == [None]
