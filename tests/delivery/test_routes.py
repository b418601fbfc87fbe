"""Links in a delivered mail work when followed through the web app's routes: votes land (with the web
vote's checks), unsubscribes hold, feeds parse."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import feedparser
import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (the core-only run)")

from fastapi.testclient import TestClient

from papersift.config import Config
from papersift.delivery.daily import run_daily
from papersift.delivery.mail import feed_url
from papersift.delivery.tokens import Tokens, secret_key
from papersift.encoders import get_encoder
from papersift.store import Store
from papersift.web import WebSettings, create_app

from .conftest import TUESDAY, SmtpServer, location_of, write_config

BASE = "http://papersift.test"


def app_for(store: Store, config: Config, tokens: Tokens | None = None, multi_user: bool = False) -> TestClient:
    settings = WebSettings(
        store=location_of(store), multi_user=multi_user, config=config, tokens=tokens, encoder=get_encoder("fake")
    )
    return TestClient(create_app(settings), base_url=BASE)


@pytest.fixture
def delivered(store: Store, smtp_server: SmtpServer, tmp_path: Path) -> tuple[Store, Config, str, str]:
    config = write_config(tmp_path / "config.toml", smtp_server.url)
    run_daily(store, config, lambda: TUESDAY, encoder=get_encoder("fake"))
    (message,) = smtp_server.inbox.parsed()
    return store, config, message.get_body(("html",)).get_content(), message["List-Unsubscribe"].strip("<>")


def links(html: str, label: str) -> list[str]:
    return [m.replace("&amp;", "&") for m in re.findall(r'href="([^"]+)"[^>]*>[^<]*' + label, html)]


def test_vote_link_rates_with_one_click(delivered: tuple[Store, Config, str, str]) -> None:
    store, config, html, _ = delivered
    client = app_for(store, config)
    up, down = links(html, "More like this")[0], links(html, "Less like this")[1]
    page = client.get(up)
    assert page.status_code == 200 and store.ratings("me") == []  # a GET (a prefetch) changes nothing
    assert 'method="post"' in page.text and "requestSubmit" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    done = client.post(up)
    assert done.status_code == 200 and "Recorded" in done.text
    # The other choices read as actions (buttons), not as states ("Saved").
    assert ">Less like this</a>" in done.text and ">Save for later</a>" in done.text and ">Saved<" not in done.text
    client.post(down)
    ratings = {r.paper_id: (r.rating, r.origin) for r in store.ratings("me")}
    digest = store.digest_of_day("me", TUESDAY.date())
    assert digest is not None
    assert ratings == {digest.paper_ids[0]: ("up", "mail"), digest.paper_ids[1]: ("down", "mail")}


def test_tampered_foreign_and_expired_tokens_are_refused(delivered: tuple[Store, Config, str, str]) -> None:
    store, config, html, unsubscribe = delivered
    up = links(html, "More like this")[0]
    client = app_for(store, config)
    assert client.post(up[:-3] + "xyz").status_code == 400
    assert client.post(up.replace("/mail/vote/", "/mail/unsubscribe/")).status_code == 400  # not a vote-only token
    assert client.post(unsubscribe.replace("/mail/unsubscribe/", "/mail/vote/")).status_code == 400
    later = Tokens(secret_key(config), clock=lambda: (TUESDAY + dt.timedelta(days=400)).timestamp())
    assert app_for(store, config, later).post(up).status_code == 400
    assert store.ratings("me") == [] and store.unsubscribed("me") == set()


def test_one_click_unsubscribe_is_honoured(delivered: tuple[Store, Config, str, str], smtp_server: SmtpServer) -> None:
    store, config, html, unsubscribe = delivered
    client = app_for(store, config)
    assert links(html, "Unsubscribe")[0] == unsubscribe
    page = client.get(unsubscribe)
    assert page.status_code == 200 and store.unsubscribed("me") == set()
    # RFC 8058: the mail client POSTs List-Unsubscribe=One-Click to the List-Unsubscribe URL.
    response = client.post(
        unsubscribe,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200 and store.unsubscribed("me") == {"you@uni.edu"}
    run_daily(store, config, lambda: TUESDAY + dt.timedelta(days=1), encoder=get_encoder("fake"))
    assert len(smtp_server.inbox.messages) == 1


def test_private_feed_by_token(delivered: tuple[Store, Config, str, str]) -> None:
    store, config, _, _ = delivered
    client = app_for(store, config)
    tokens = Tokens(secret_key(config))
    digest = store.digest_of_day("me", TUESDAY.date())
    assert digest is not None
    for fmt in ("atom", "rss"):
        url = feed_url(BASE, tokens, "me", store.feed_nonce("me"), fmt)
        response = client.get(url)
        assert response.status_code == 200 and fmt in response.headers["content-type"]
        parsed = feedparser.parse(response.text)
        assert not parsed.bozo and [e.title for e in parsed.entries] == [p.paper.display_title for p in digest.picks]
    old = feed_url(BASE, tokens, "me", store.feed_nonce("me"))
    store.feed_nonce("me", rotate=True)
    assert client.get(old).status_code == 404
    assert client.get(feed_url(BASE, Tokens(b"another-secret-entirely!"), "me", "x")).status_code == 404


@pytest.mark.parametrize("multi_user", [False, True])
def test_a_mail_vote_refuses_an_own_paper_as_the_web_vote_does(
    delivered: tuple[Store, Config, str, str], multi_user: bool
) -> None:
    """One rating service: the signed link does not skip the check that the page and the API make."""
    store, config, _, _ = delivered
    own = store.profile_paper_ids("me")[0]
    link = "/mail/vote/" + Tokens(secret_key(config)).vote("me", own, "up")
    client = app_for(store, config, multi_user=multi_user)
    mailed = client.post(link)
    assert mailed.status_code == 404 and "Not recorded" in mailed.text
    assert "is one of the papers of profile &#39;me&#39;: ratings are for candidates" in mailed.text
    assert store.ratings("me") == []
    if not multi_user:  # the JSON API's vote (single-user: no sign-in) gives the same sentence
        page = client.get("/p/me/profile").text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        vote = {"paper": own, "rating": "up"}
        web = client.post("/api/v1/profiles/me/ratings", json=vote, headers={"X-CSRF-Token": token})
        assert web.status_code == 400
        sentence = web.json()["detail"]
        assert sentence.replace("'", "&#39;") in mailed.text
        assert store.ratings("me") == []
