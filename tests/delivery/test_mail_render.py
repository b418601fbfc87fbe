"""The digest mail rendered in a real headless Chromium at phone and desktop widths, light and dark.

``python -m tests.delivery.test_mail_render docs/screenshots`` regenerates the screenshots in the docs.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from papersift import api
from papersift.delivery.mail import compose
from papersift.delivery.tokens import Tokens
from papersift.encoders import get_encoder
from papersift.ranking import RankOptions
from papersift.ranking.personal import DigestOptions
from papersift.store import Store

CHROMIUM = "/usr/bin/chromium"
SIZES = {"phone": (375, 812), "desktop": (1280, 900)}


def sample_mail_html(store: Store) -> str:
    digest = api.digest_from_store(
        store,
        "me",
        encoder=get_encoder("tfidf"),
        options=RankOptions(top=6),
        record=False,
        settings=DigestOptions(today=dt.date(2026, 11, 24)),
    )
    message = compose(
        digest.recommendations,
        profile="me",
        to="you@uni.edu",
        sender="papersift <papersift@uni.edu>",
        day=dt.date(2026, 11, 24),
        date=dt.datetime(2026, 11, 24, 7, 30, tzinfo=dt.UTC),
        message_id="<x@uni.edu>",
        base_url="https://papersift.lab.example",
        tokens=Tokens(b"a-secret-for-the-screenshots-only"),
        days=("mon", "tue", "wed", "thu", "fri"),
    )
    html = message.get_body(("html",))
    assert html is not None
    return str(html.get_content())


def screenshots(html: str, out: Path) -> dict[str, int]:
    """Save email-{phone,desktop}[-dark].png in ``out``; returns each page's scroll width (overflow check)."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    widths = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        try:
            for name, (width, height) in SIZES.items():
                for scheme in ("light", "dark"):
                    page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
                    page.route("**/*", lambda route: route.abort())  # a mail loads nothing from outside
                    page.set_content(html, wait_until="load")
                    suffix = "" if scheme == "light" else "-dark"
                    page.screenshot(path=str(out / f"email-{name}{suffix}.png"), full_page=name == "phone")
                    widths[f"{name}{suffix}"] = int(page.evaluate("document.documentElement.scrollWidth"))
                    page.close()
        finally:
            browser.close()
    return widths


@pytest.mark.skipif(not Path(CHROMIUM).exists() or shutil.which("chromium") is None, reason="no Debian chromium")
@pytest.mark.skipif(importlib.util.find_spec("playwright") is None, reason="no Playwright (core-only run)")
def test_mail_renders_without_overflow(store: Store, tmp_path: Path) -> None:
    html = sample_mail_html(store)
    widths = screenshots(html, tmp_path)
    assert widths["phone"] <= 375 and widths["phone-dark"] <= 375, widths  # no sideways scrolling on a phone
    assert widths["desktop"] <= 1280
    for name in ("email-phone.png", "email-desktop-dark.png"):
        assert (tmp_path / name).stat().st_size > 10_000


if __name__ == "__main__":
    import tempfile

    from tests.conftest import FEED_FILES, PROFILE_FILES

    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "s.db") as scratch:
        api.import_profile(scratch, "me", PROFILE_FILES)
        api.import_feed(scratch, FEED_FILES)
        print(screenshots(sample_mail_html(scratch), Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
