"""The everyday job in the default install: every command a README reader types, as a subprocess.

This module runs in both CI environments: the full one (every extra) and the core-only one (`make
test-core`: papersift's own dependencies plus the test tools, no web extra), where it is the check that
the daily e-mail needs nothing beyond `pip install papersift`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from email import message_from_bytes
from email.policy import default
from pathlib import Path

from tests.conftest import FEED_FILES, PROFILE_FILES

from .conftest import SmtpServer, free_port

WEB_INSTALLED = importlib.util.find_spec("fastapi") is not None


def _env(home: Path, config: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERSIFT_")}
    env.update(PAPERSIFT_HOME=str(home), PAPERSIFT_CONFIG=str(config), PAPERSIFT_OFFLINE="1", COLUMNS="120")
    return env


def _papersift(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "papersift", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done


def test_the_everyday_commands_deliver_in_this_install(tmp_path: Path, smtp_server: SmtpServer) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[web]
secret_key = "test-secret-key-that-is-long-enough"
base_url = "https://papersift.example.org"

[smtp]
url = "{smtp_server.url}"
sender = "papersift <papersift@uni.edu>"

[deliver.me]
email = ["you@uni.edu"]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
top = 5
min_relevance = 0
""",
        encoding="utf-8",
    )
    env = _env(tmp_path / "home", config)
    assert _papersift(env, "profile", "import", *map(str, PROFILE_FILES), "--name", "me", "--quiet").returncode == 0
    assert _papersift(env, "feed", "import", *map(str, FEED_FILES), "--quiet").returncode == 0

    dry = _papersift(env, "run", "--no-update", "--model", "tfidf", "--dry-run")
    assert dry.returncode == 0 and "would send 5 papers to you@uni.edu" in dry.stdout, dry.stdout + dry.stderr
    # The mail server is down: the run defers (75, a timer reports it) and says when it retries.
    live = config.read_text(encoding="utf-8")
    config.write_text(live.replace(smtp_server.url, f"smtp://127.0.0.1:{free_port()}"), encoding="utf-8")
    deferred = _papersift(env, "run", "--no-update", "--model", "tfidf")
    assert deferred.returncode == 75 and "retries it" in deferred.stderr, deferred.stdout + deferred.stderr
    kept = _papersift(env, "history", "1", "--profile", "me", "--format", "json")
    top_title = json.loads(kept.stdout)[0]["title"]
    config.write_text(live, encoding="utf-8")
    done = _papersift(env, "run", "--no-update", "--model", "tfidf")
    assert done.returncode == 0 and "you@uni.edu: sent" in done.stdout, done.stdout + done.stderr
    [(_, _, raw)] = smtp_server.inbox.messages
    mail = message_from_bytes(raw, policy=default)
    assert top_title in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # The unsubscribe header as the server received the bytes: a plain URL, never an encoded-word.
    [header] = [line for line in raw.split(b"\r\n") if line.startswith(b"List-Unsubscribe: ")]
    assert header.startswith(b"List-Unsubscribe: <https://papersift.example.org/mail/unsubscribe/"), header

    mailed = _papersift(env, "digest", "--profile", "me", "--model", "tfidf", "--top", "3", "--email", "me@uni.edu")
    assert mailed.returncode == 0, mailed.stderr
    assert [to for _, to, _ in smtp_server.inbox.messages] == [["you@uni.edu"], ["me@uni.edu"]]

    feed = _papersift(env, "feed-url", "--profile", "me")
    assert feed.returncode == 0 and feed.stdout.startswith("https://papersift.example.org/"), feed.stderr
    assert _papersift(env, "schedule", "show", "--at", "06:45").returncode == 0

    served = _papersift(env, "serve", "--help")
    assert served.returncode == 0
    if not WEB_INSTALLED:
        refused = _papersift(env, "serve", "--port", "1")
        assert refused.returncode != 0 and "pip install 'papersift[web]'" in refused.stderr, refused.stderr
