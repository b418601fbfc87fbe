"""What the web's Settings page saves is what `papersift run` delivers (issue 20, item 4)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from papersift.cli.main import cli
from papersift.config import FollowConfig, load_config, store_location
from papersift.delivery.targets import (
    SettingsError,
    delivery_plans,
    effective_config,
    read_profile_settings,
    save_profile_settings,
    web_follows,
)
from papersift.store import Store

from .conftest import SmtpServer

PASSWORD = "correct horse battery"
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _config(path: Path, smtp_url: str, extra: str = "") -> Path:
    path.write_text(
        f"""
[web]
secret_key = "test-secret-key-that-is-long-enough"
base_url = "http://papersift.test"

[smtp]
url = "{smtp_url}"
sender = "papersift <papersift@uni.edu>"
{extra}
""",
        encoding="utf-8",
    )
    return path


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["run", "--no-update", "--model", "fake", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def _save_on_the_web(email: str, days: list[str], origin: str = "From these settings") -> None:
    """A member signs in to a multi-user server and saves the Settings page, as in a browser."""
    pytest.importorskip("fastapi", reason="the web extra is not installed")
    from papersift import accounts
    from tests.web.conftest import make_client

    with Store(store_location()) as store:
        accounts.claim_profile(store, accounts.add_user(store, "mo", PASSWORD), "me")
    with make_client(store_location(), multi_user=True) as client:
        signed_in = client.post("/login", data={"username": "mo", "password": PASSWORD, "next": "/p/me/settings"})
        assert signed_in.status_code == 303
        page = client.get("/p/me/settings")
        token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert token, page.text
        form = {"csrf_token": token.group(1), "top": "4", "min_relevance": "0", "email": email, "follow": "cs.LG"}
        form.update({f"day_{d}": "1" for d in days})
        saved = client.post("/p/me/settings", data=form)
        assert saved.status_code == 303 and "error" not in saved.headers["location"], saved.headers
        shown = client.get("/p/me/settings").text
        assert email in shown and origin in shown, shown


def test_settings_saved_on_the_web_reach_the_daily_run_without_a_deliver_table(
    store: Store, smtp_server: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERSIFT_CONFIG", str(_config(tmp_path / "config.toml", smtp_server.url)))
    code, output = _run()
    assert code == 1 and "nothing to deliver" in output
    _save_on_the_web("reader@lab.org", EVERY_DAY)
    code, output = _run("--dry-run")
    assert code == 0 and "me: to reader@lab.org" in output and "(from web settings)" in output, output
    code, output = _run()
    assert code == 0 and "profile me: reader@lab.org: sent" in output, output
    [(_, recipients, raw)] = smtp_server.inbox.messages
    assert recipients == ["reader@lab.org"] and raw.count(b"/vote/") >= 4


def test_a_deliver_table_wins_over_the_web_settings_and_both_say_so(
    store: Store, smtp_server: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = '\n[deliver.me]\nemail = ["admin@lab.org"]\ndays = ["mon","tue","wed","thu","fri","sat","sun"]\ntop = 2\n'
    monkeypatch.setenv("PAPERSIFT_CONFIG", str(_config(tmp_path / "config.toml", smtp_server.url, table)))
    overridden = "From the server's config file ([deliver.me]), which overrides"
    _save_on_the_web("reader@lab.org", EVERY_DAY, origin=overridden)
    code, output = _run("--dry-run")
    assert "config.toml [deliver.me], which overrides its web settings" in output, output
    code, output = _run()
    assert code == 0 and "admin@lab.org: sent" in output
    assert [r for _, r, _ in smtp_server.inbox.messages] == [["admin@lab.org"]]


def test_no_delivery_day_ticked_means_no_delivery(store: Store, tmp_path: Path) -> None:
    save_profile_settings(store, "me", {"email": "reader@lab.org", "days": []}, lab_opt_in=False)
    config = load_config(_config(tmp_path / "config.toml", "smtp://127.0.0.1:1"))
    assert delivery_plans(store, config) == []
    save_profile_settings(store, "me", {"email": "", "days": ["sat"]}, lab_opt_in=False)
    [plan] = delivery_plans(store, config)
    assert plan.target.email == () and plan.target.days == ("sat",) and "feed only" in plan.describe()


def test_the_web_sources_are_fetched_by_the_daily_run_once_each(store: Store, tmp_path: Path) -> None:
    extra = '\n[[follow]]\nsource = "arxiv"\ncategories = ["cs.LG"]\n'
    config = load_config(_config(tmp_path / "config.toml", "smtp://127.0.0.1:1", extra))
    save_profile_settings(store, "me", {"follow": "cs.LG, stat.ML huggingface"}, lab_opt_in=False)
    follows = effective_config(store, config).follow
    assert follows == (
        FollowConfig("arxiv", {"categories": ["cs.LG"]}),
        FollowConfig("huggingface"),
        FollowConfig("arxiv", {"categories": ["stat.ML"]}),
    )


def test_settings_are_checked_in_the_library_and_nothing_bad_is_saved(store: Store) -> None:
    for values, words in [
        ({"top": 0}, "Digest size"),
        ({"top": "many"}, "Digest size"),
        ({"min_relevance": 2}, "Minimum relevance"),
        ({"min_relevance": "high"}, "Minimum relevance"),
        ({"email": "not an address"}, "not an e-mail address"),
        ({"follow": "cs.LG <script>"}, "not a source papersift can fetch"),
    ]:
        with pytest.raises(SettingsError, match=words):
            save_profile_settings(store, "me", values, lab_opt_in=False)
    assert read_profile_settings(store, "me").saved is False
    with pytest.raises(SettingsError):
        web_follows("x" * 10_000)


def test_keys_a_save_left_out_read_as_their_defaults(store: Store) -> None:
    store.save_profile_settings("me", {"top": 10}, lab_opt_in=True)  # as an older version saved them
    settings = read_profile_settings(store, "me")
    assert settings.top == 10 and settings.days == ("mon", "tue", "wed", "thu", "fri") and settings.saved
