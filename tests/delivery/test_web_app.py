"""The delivery routes inside the real web app (create_app), single- and multi-user: mail links need no login."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (the core-only run)")

from fastapi.testclient import TestClient

from papersift.config import store_location
from papersift.delivery.daily import run_daily
from papersift.encoders import get_encoder
from papersift.store import Store
from papersift.web.app import WebSettings, create_app

from .conftest import TUESDAY, SmtpServer, write_config


@pytest.mark.parametrize("multi_user", [False, True])
def test_mail_links_work_in_the_web_app(
    multi_user: bool, store: Store, smtp_server: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_path = tmp_path / "config.toml"
    config = write_config(config_path, smtp_server.url)
    monkeypatch.setenv("PAPERSIFT_CONFIG", str(config_path))  # the app's routes read the same [web] secret_key
    run_daily(store, config, lambda: TUESDAY, encoder=get_encoder("fake"))
    (message,) = smtp_server.inbox.parsed()
    html = message.get_body(("html",)).get_content()
    up = re.findall(r'href="http://papersift\.test(/mail/vote/[^"]+)"', html)[0]
    unsubscribe = message["List-Unsubscribe"].strip("<>").removeprefix("http://papersift.test")
    app = create_app(WebSettings(store=str(store_location()), multi_user=multi_user, encoder=get_encoder("fake")))
    with TestClient(app) as client:
        page = client.get(up)
        assert page.status_code == 200 and "requestSubmit" in page.text and store.ratings("me") == []
        assert client.post(up).status_code == 200
        assert [(r.rating, r.origin) for r in store.ratings("me")] == [("up", "mail")]
        one_click = client.post(
            unsubscribe,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert one_click.status_code == 200
        assert client.post(up[:-4] + "abcd").status_code == 400
