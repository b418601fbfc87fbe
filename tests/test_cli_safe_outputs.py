"""Through the CLI: titles with escape sequences never reach the terminal; --out writes only regular files."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from tests.cli.test_cli import feed_args, profile_args, run

ESC_TITLE = "Sharpness \x1b]0;pwned\x07\x1b[2Jaware \x1b]8;;http://evil.example\x07minima\x1b]8;;\x07"


def hostile_files(tmp_path: Path) -> tuple[Path, Path]:
    own = tmp_path / "own.jsonl"
    own.write_text(json.dumps({"title": ESC_TITLE, "abstract": "sharpness sharpness"}) + "\n", encoding="utf-8")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"title": "Feed " + ESC_TITLE, "abstract": "sharpness of minima", "arxiv_id": "2401.00009"}) + "\n",
        encoding="utf-8",
    )
    return own, feed


def test_profile_show_rate_and_digest_print_no_escape_sequences(tmp_path: Path) -> None:
    own, feed = hostile_files(tmp_path)
    assert run("profile", "import", own, "--name", "me", "-q")[0] == 0
    assert run("feed", "import", feed, "-q")[0] == 0
    outputs = [run("profile", "show", "--profile", "me")]
    outputs.append(run("rate", "Feed Sharpness aware minima", "up"))
    outputs.append(run("digest", "--profile", "me", "--model", "fake", "--format", "table"))
    outputs.append(run("digest", "--profile", "me", "--model", "fake", "--format", "markdown"))
    for code, out, err in outputs:
        assert code == 0, err
        assert "\x1b" not in out + err and "\x07" not in out + err and "pwned" not in out
    assert "Sharpness aware minima" in outputs[0][1]
    assert "up for Feed Sharpness aware minima" in outputs[1][1]


def test_out_refuses_a_symlink_and_keeps_its_target(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    link = tmp_path / "digest.md"
    link.symlink_to(victim)
    code, _, err = run("rank", *profile_args(), *feed_args(), "--model", "fake", "--format", "markdown", "--out", link)
    assert code == 1 and "is a symbolic link" in err and "Traceback" not in err
    assert victim.read_text() == "precious"


def test_out_refuses_a_device(tmp_path: Path) -> None:
    code, _, err = run("rank", *profile_args(), *feed_args(), "--model", "fake", "--out", "/dev/null", "-q")
    assert code == 1 and "not a regular file" in err


def test_out_keeps_the_umask_and_says_when_it_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "digest.html"
    old = os.umask(0o022)
    try:
        code, _, err = run(
            "rank", *profile_args(), *feed_args(), "--model", "fake", "--format", "html", "--out", target
        )
        assert code == 0 and "overwrote" not in err
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        code, _, err = run(
            "rank", *profile_args(), *feed_args(), "--model", "fake", "--format", "html", "--out", target
        )
        assert code == 0 and f"overwrote {target}" in err
    finally:
        os.umask(old)
