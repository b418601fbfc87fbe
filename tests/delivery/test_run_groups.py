"""Runs made outside the web app (`papersift digest`, the daily `papersift run`) show grouped by interest
on the web app's Today page: every recorded run keeps its picks' interests, relevances and reasons."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (the core-only run)")

from fastapi.testclient import TestClient

from papersift.config import default_db_path
from papersift.delivery.daily import run_daily
from papersift.digest import present
from papersift.encoders import get_encoder
from papersift.store import Store
from papersift.web.app import WebSettings, create_app
from tests.cli.test_cli import run
from tests.conftest import FEED_FILES, PROFILE_FILES

from .conftest import TUESDAY, SmtpServer, location_of, write_config


def store_location() -> str:
    """The store the CLI and the daily job use in this test (its home, or its PostgreSQL schema)."""
    return os.environ.get("PAPERSIFT_DATABASE_URL") or str(default_db_path())


def today_headings(store: str) -> list[str]:
    app = create_app(WebSettings(store=store, encoder=get_encoder("fake")))
    with TestClient(app) as client:
        page = client.get("/p/me/today")
    assert page.status_code == 200, page.text
    return [h.strip() for h in re.findall(r'<h2 id="interest-\d+"><span[^>]*></span>([^<]+)', page.text)]


def interests_of_picks(store: str) -> list[str]:
    with Store(store) as opened:
        digest = opened.digest("me")
        assert digest is not None
        return [str(present.interest_name(p)) for p in digest.picks]


def test_a_cli_digest_shows_grouped_by_interest_on_today() -> None:
    assert run("profile", "import", *PROFILE_FILES, "--name", "me", "-q")[0] == 0
    assert run("feed", "import", *FEED_FILES, "-q")[0] == 0
    code, _, err = run("digest", "--profile", "me", "--model", "fake", "--top", "8", "-q")
    assert code == 0, err
    picked = interests_of_picks(store_location())
    assert len(picked) == 8 and "None" not in picked
    headings = today_headings(store_location())
    assert "Your picks" not in headings
    assert headings == list(dict.fromkeys(picked)) and len(headings) >= 2


def test_a_daily_run_shows_grouped_by_interest_on_today(
    store: Store, smtp_server: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_path = tmp_path / "config.toml"
    monkeypatch.setenv("PAPERSIFT_CONFIG", str(config_path))
    report = run_daily(store, write_config(config_path, smtp_server.url), lambda: TUESDAY, encoder=get_encoder("fake"))
    assert report.exit_code == 0
    digest = store.digest_of_day("me", TUESDAY.date())
    assert digest is not None and digest.shown
    # What the mail showed is what Today shows: one record, read by both.
    latest = store.digest("me")
    assert latest is not None and latest.id == digest.id
    assert all(p.interest and p.relevance is not None for p in digest.picks)
    headings = today_headings(location_of(store))
    assert "Your picks" not in headings
    assert headings == list(dict.fromkeys(str(present.interest_name(p)) for p in digest.picks))
