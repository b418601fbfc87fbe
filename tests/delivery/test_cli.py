"""The delivery commands, run as a user would: run, digest --email, feed-url, schedule."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from papersift.cli.main import cli
from papersift.delivery import schedule
from papersift.store import Store

from .conftest import SmtpServer, write_config


@pytest.fixture
def configured(store: Store, smtp_server: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    write_config(path, smtp_server.url, days='["mon","tue","wed","thu","fri","sat","sun"]')
    monkeypatch.setenv("PAPERSIFT_CONFIG", str(path))
    return path


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_run_delivers_once_and_reports(configured: Path, smtp_server: SmtpServer) -> None:
    code, output = invoke("run", "--no-update", "--model", "fake", "--dry-run")
    assert code == 0 and "dry run: would send 5 papers to you@uni.edu" in output, output
    assert smtp_server.inbox.messages == []
    code, output = invoke("run", "--no-update", "--model", "fake")
    assert code == 0 and "profile me: you@uni.edu: sent" in output, output
    code, output = invoke("run", "--no-update", "--model", "fake")
    assert code == 0 and "already sent" in output and len(smtp_server.inbox.messages) == 1


def test_run_exits_non_zero_for_what_the_user_must_fix(configured: Path) -> None:
    configured.write_text(configured.read_text() + "\n[deliver.other]\ntop = 0\n")
    code, output = invoke("run", "--no-update", "--model", "fake")
    assert code == 1 and "deliver.other.top" in output and "Traceback" not in output
    code, output = invoke("run", "--no-update", "--profile", "nobody", "--model", "fake")
    assert code == 1
    configured.write_text(configured.read_text().replace("top = 0", "top = 3"))
    code, output = invoke("run", "--no-update", "--model", "fake")
    assert code == 1 and "no stored profile named 'other'" in output and "profile me: you@uni.edu: sent" in output


def test_a_run_that_must_be_fixed_says_why_once_on_stderr(configured: Path, smtp_server: SmtpServer) -> None:
    configured.write_text(configured.read_text() + "\n[deliver.other]\ntop = 3\n")
    result = CliRunner().invoke(cli, ["run", "--no-update", "--model", "fake"])
    reason = "there is no stored profile named 'other'"
    assert result.exit_code == 1, result.output
    assert result.output.count(reason) == 1, result.output
    assert f"Error: profile other: not delivered: [deliver.other]: {reason}" in result.stderr
    assert "profile me: you@uni.edu: sent" in result.stdout and reason not in result.stdout


def test_a_refused_smtp_login_is_said_once(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from .conftest import Inbox, free_port

    def refuse_everyone(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        return AuthResult(success=False, handled=False)

    port = free_port()
    controller = Controller(
        Inbox(), hostname="127.0.0.1", port=port, auth_require_tls=False, authenticator=refuse_everyone
    )
    controller.start()
    try:
        path = tmp_path / "config.toml"
        write_config(path, f"smtp://me@127.0.0.1:{port}", days='["mon","tue","wed","thu","fri","sat","sun"]')
        monkeypatch.setenv("PAPERSIFT_CONFIG", str(path))
        monkeypatch.setenv("PAPERSIFT_SMTP_PASSWORD", "wrong")
        result = CliRunner().invoke(cli, ["run", "--no-update", "--model", "fake"])
    finally:
        controller.stop()
    assert result.exit_code == 1, result.output
    assert result.output.count("refused the login") == 1, result.output
    assert result.stderr.startswith("Error: profile me: you@uni.edu: not sent"), result.output
    assert "wrong" not in result.output


def test_digest_email_sends_now(configured: Path, smtp_server: SmtpServer) -> None:
    code, output = invoke("digest", "--profile", "me", "--model", "fake", "--top", "3", "--email", "x@uni.edu")
    assert code == 0 and "sent 3 papers to x@uni.edu" in output, output
    (message,) = smtp_server.inbox.parsed()
    assert message["To"] == "x@uni.edu" and message.get_body(("html",)) is not None


def test_feed_url_rotates(configured: Path) -> None:
    code, first = invoke("feed-url", "--profile", "me")
    assert code == 0 and first.startswith("http://papersift.test/feed/atom/")
    assert invoke("feed-url", "--profile", "me")[1] == first
    rotated = invoke("feed-url", "--profile", "me", "--rotate", "--format", "rss")[1]
    assert rotated.startswith("http://papersift.test/feed/rss/") and rotated.split("/")[-1] != first.split("/")[-1]


class Recorder:
    """Stands in for systemctl/crontab so that no test touches the machine's scheduler."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, args: Sequence[str], stdin: str | None) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(args))
        return subprocess.CompletedProcess(list(args), 0, "", "")


def test_schedule_without_scheduler_tools_shows_a_crontab_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    code, output = invoke("schedule", "show", "--at", "06:45")
    assert code == 0 and "45 6 * * *" in output and "-m papersift run" in output and "# papersift-daily" in output
    code, output = invoke("schedule", "install")
    assert code == 0 and "no crontab command here" in output
    assert invoke("schedule", "remove")[1].strip() == "nothing was scheduled"
    assert invoke("schedule", "show", "--at", "25:00")[0] == 1


def test_schedule_systemd_units(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    home = tmp_path / "user"
    plan = schedule.make_plan("07:30", home=home, use_systemd=True)
    runner = Recorder()
    done = schedule.install(plan, runner)
    unit_dir = home / ".config" / "systemd" / "user"
    timer = (unit_dir / "papersift-daily.timer").read_text()
    service = (unit_dir / "papersift-daily.service").read_text()
    assert "OnCalendar=*-*-* 07:30:00" in timer and "Persistent=true" in timer
    assert "-m papersift run" in service and "EnvironmentFile=-" in service and "PASSWORD" not in service
    assert runner.calls[-1] == ["systemctl", "--user", "enable", "--now", "papersift-daily.timer"]
    assert "enabled papersift-daily.timer" in done[-1]
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    assert any("removed" in line for line in schedule.remove(home, runner))
    assert not (unit_dir / "papersift-daily.timer").exists()


def test_history_counts_the_candidates_of_a_daily_run_not_its_picks(configured: Path, store: Store) -> None:
    assert invoke("run", "--no-update", "--model", "fake")[0] == 0
    (digest,) = store.daily_digests("me")
    candidates = digest.summary.n_candidates
    assert candidates is not None and candidates > len(digest.picks) == 5
    code, output = invoke("history", "--profile", "me")
    assert code == 0 and f"5 of {candidates} candidates" in output, output
    assert f"daily digest of {digest.day}" in output and "5 of 5 candidates" not in output
