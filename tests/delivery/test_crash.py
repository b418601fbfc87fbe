"""`papersift run` killed (SIGKILL) at each step, then run again: exactly one mail per profile and day, none lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from papersift.store import Store
from tests.conftest import REPO

from .conftest import SmtpServer, write_config

# Each case starts three processes (~20 s): the two around the point of no return run in the fast suite.
STEPS = [
    pytest.param(step, marks=[] if step in ("data", "accepted") else [pytest.mark.slow])
    for step in ("ranked", "recorded", "run-recorded", "connected", "data", "accepted", "marked")
]
EVERY_DAY = '["mon","tue","wed","thu","fri","sat","sun"]'


def papersift_run(home: Path, config: Path, pause_at: str | None = None, signal_file: Path | None = None):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "PAPERSIFT_HOME": str(home),
        "PAPERSIFT_CONFIG": str(config),
        "PYTHONPATH": str(REPO / "src"),
    }
    env.pop("PAPERSIFT_PAUSE_AT", None)
    if pause_at:
        env["PAPERSIFT_PAUSE_AT"] = pause_at
        env["PAPERSIFT_PAUSE_SIGNAL"] = str(signal_file)
    command = [sys.executable, "-m", "papersift", "run", "--no-update", "--model", "tfidf"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.parametrize("step", STEPS)
def test_killed_at_each_step(
    step: str, store: Store, smtp_server: SmtpServer, isolated_home: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    write_config(config, smtp_server.url, days=EVERY_DAY)
    signal_file = tmp_path / "paused"
    process = papersift_run(isolated_home, config, step, signal_file)
    deadline = time.monotonic() + 120
    while not signal_file.exists():
        assert process.poll() is None, process.communicate()[0]
        assert time.monotonic() < deadline, f"the run never reached {step}"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    time.sleep(0.3)  # let the SMTP server notice the dead connection
    before = len(smtp_server.inbox.messages)
    assert before == (1 if step in ("accepted", "marked") else 0)

    rerun = papersift_run(isolated_home, config)
    output, _ = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, output
    again = papersift_run(isolated_home, config)
    assert again.communicate(timeout=120)[0] and again.returncode == 0

    assert len(smtp_server.inbox.messages) == 1, output  # exactly one mail for the profile and day, none lost
    ((_, day, record),) = store.all_deliveries()
    digest = store.digest_of_day("me", day)
    assert digest is not None and digest.shown
    assert set(digest.paper_ids) <= store.shown_paper_ids("me")
    (message,) = smtp_server.inbox.parsed()
    assert message["Message-ID"] == record.message_id
    if step == "accepted":
        assert record.status == "unknown" and "not resent (at most once)" in output
    else:
        assert record.status == "sent"


def test_two_runs_at_once_send_one_mail(
    store: Store, smtp_server: SmtpServer, isolated_home: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    write_config(config, smtp_server.url, days=EVERY_DAY)
    first, second = papersift_run(isolated_home, config), papersift_run(isolated_home, config)
    outputs = [p.communicate(timeout=180)[0] for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    assert len(smtp_server.inbox.messages) == 1, outputs
