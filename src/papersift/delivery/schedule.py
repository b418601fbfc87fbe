"""Running ``papersift run`` every day: a systemd user timer where ``systemctl --user`` works, else a crontab line.

Nothing secret is written: the SMTP password and secret key are read by the job from
``~/.config/papersift/env`` (``KEY=value`` lines, yours to create with mode 0600) if it exists.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..config import CONFIG_ENV, HOME_ENV
from ..errors import ConfigError

NAME = "papersift-daily"
CRON_MARK = f"# {NAME}"
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

Runner = Callable[[Sequence[str], str | None], subprocess.CompletedProcess[str]]


def run_tool(args: Sequence[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), input=stdin, capture_output=True, text=True, timeout=30, check=False)


@dataclass
class Plan:
    """What ``schedule install`` writes and runs; ``kind`` is systemd or cron."""

    kind: str
    at: str
    files: dict[Path, str] = field(default_factory=dict)
    cron_line: str = ""

    def describe(self) -> str:
        if self.kind == "systemd":
            parts = [f"# {path}\n{text}" for path, text in self.files.items()]
            enable = f"systemctl --user daemon-reload && systemctl --user enable --now {NAME}.timer"
            return "\n".join(parts) + f"\n# then: {enable}"
        return f"# crontab line (crontab -e):\n{self.cron_line}"


def env_file(home: Path) -> Path:
    return home / ".config" / "papersift" / "env"


def systemd_dir(home: Path) -> Path:
    base = os.environ.get("XDG_CONFIG_HOME")
    return (Path(base) if base else home / ".config") / "systemd" / "user"


def systemd_works(runner: Runner = run_tool) -> bool:
    if shutil.which("systemctl") is None:
        return False
    try:
        return runner(["systemctl", "--user", "show-environment"], None).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _command() -> list[str]:
    return [sys.executable, "-m", "papersift", "run"]


def _kept_env() -> dict[str, str]:
    return {k: os.environ[k] for k in (HOME_ENV, CONFIG_ENV) if os.environ.get(k)}


def make_plan(at: str = "07:30", home: Path | None = None, use_systemd: bool | None = None) -> Plan:
    match = _TIME.match(at)
    if not match:
        raise ConfigError(f"--at: expected a time of day HH:MM, not {at!r}")
    hour, minute = int(match.group(1)), int(match.group(2))
    home = home or Path.home()
    if use_systemd is None:
        use_systemd = systemd_works()
    command = " ".join(shlex.quote(a) for a in _command())
    if use_systemd:
        env_lines = "".join(f"Environment={shlex.quote(f'{k}={v}')}\n" for k, v in _kept_env().items())
        service = (
            "[Unit]\nDescription=papersift: rank and deliver the daily digests\n"
            "Wants=network-online.target\nAfter=network-online.target\n\n"
            f"[Service]\nType=oneshot\n{env_lines}EnvironmentFile=-{env_file(home)}\nExecStart={command}\n"
        )
        timer = (
            "[Unit]\nDescription=papersift: the daily digest\n\n"
            f"[Timer]\nOnCalendar=*-*-* {hour:02d}:{minute:02d}:00\nPersistent=true\nRandomizedDelaySec=300\n\n"
            "[Install]\nWantedBy=timers.target\n"
        )
        directory = systemd_dir(home)
        return Plan("systemd", at, {directory / f"{NAME}.service": service, directory / f"{NAME}.timer": timer})
    exports = " ".join(shlex.quote(f"{k}={v}") for k, v in _kept_env().items())
    source = f"set -a; [ -f {shlex.quote(str(env_file(home)))} ] && . {shlex.quote(str(env_file(home)))}; set +a; "
    line = f"{minute} {hour} * * * {source}{exports + ' ' if exports else ''}{command} >/dev/null 2>&1 {CRON_MARK}"
    return Plan("cron", at, cron_line=line)


def install(plan: Plan, runner: Runner = run_tool) -> list[str]:
    """Write the plan and activate it when the tool is there; returns what was done, one line each."""
    done = []
    if plan.kind == "systemd":
        for path, text in plan.files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            done.append(f"wrote {path}")
        reload = ["systemctl", "--user", "daemon-reload"]
        enable = ["systemctl", "--user", "enable", "--now", f"{NAME}.timer"]
        for args in (reload, enable):
            result = runner(args, None)
            if result.returncode != 0:
                raise ConfigError(f"{' '.join(args)} failed: {result.stderr.strip() or result.returncode}")
        done.append(f"enabled {NAME}.timer: papersift run every day at {plan.at}")
        return done
    if shutil.which("crontab") is None:
        return ["no crontab command here; add this line to your scheduler yourself:", plan.cron_line]
    current = _crontab(runner)
    lines = [line for line in current.splitlines() if not line.endswith(CRON_MARK)] + [plan.cron_line]
    result = runner(["crontab", "-"], "\n".join(lines) + "\n")
    if result.returncode != 0:
        raise ConfigError(f"crontab refused the new table: {result.stderr.strip()}")
    return [f"added to your crontab: papersift run every day at {plan.at}"]


def remove(home: Path | None = None, runner: Runner = run_tool) -> list[str]:
    done = []
    directory = systemd_dir(home or Path.home())
    timer = directory / f"{NAME}.timer"
    if timer.exists():
        if shutil.which("systemctl") is not None:
            runner(["systemctl", "--user", "disable", "--now", f"{NAME}.timer"], None)
        for path in (timer, directory / f"{NAME}.service"):
            path.unlink(missing_ok=True)
            done.append(f"removed {path}")
        if shutil.which("systemctl") is not None:
            runner(["systemctl", "--user", "daemon-reload"], None)
    if shutil.which("crontab") is not None:
        current = _crontab(runner)
        kept = [line for line in current.splitlines() if not line.endswith(CRON_MARK)]
        if len(kept) != len(current.splitlines()):
            runner(["crontab", "-"], "\n".join(kept) + "\n" if kept else "")
            done.append("removed the papersift line from your crontab")
    return done or ["nothing was scheduled"]


def _crontab(runner: Runner) -> str:
    result = runner(["crontab", "-l"], None)
    return result.stdout if result.returncode == 0 else ""  # "no crontab for user" is an empty table
