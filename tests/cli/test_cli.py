"""The command line: exit codes, one-sentence errors, no tracebacks, stateless rank and the store commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from papersift.cli import cli
from papersift.config import default_db_path, store_location
from tests.conftest import FEED_FILES, PROFILE_FILES, SAMPLE


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def profile_args() -> list[str]:
    return [x for f in PROFILE_FILES for x in ("--profile", str(f))]


def feed_args() -> list[str]:
    return [x for f in FEED_FILES for x in ("--feed", str(f))]


def test_rank_json_with_fake_encoder() -> None:
    code, out, _ = run("rank", *profile_args(), *feed_args(), "--model", "fake", "--format", "json", "--top", "5", "-q")
    assert code == 0
    recs = json.loads(out)
    assert [r["rank"] for r in recs] == [1, 2, 3, 4, 5]
    assert all(r["why"] and r["sources"] for r in recs)
    scores = [r["score"] for r in recs]
    assert scores == sorted(scores, reverse=True)


def test_rank_top_zero_means_all_and_own_papers_left_out(tmp_path: Path) -> None:
    own = tmp_path / "own.jsonl"
    own.write_text(
        json.dumps({"title": "SAMPa: Sharpness-aware Minimization Parallelized"})
        + "\n"
        + json.dumps({"title": "Another unrelated robot paper"})
        + "\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        "rank",
        *profile_args(),
        "--feed",
        own,
        "--feed",
        FEED_FILES[2],
        "--model",
        "fake",
        "--format",
        "jsonl",
        "--top",
        "0",
        "-q",
    )
    assert code == 0
    titles = [json.loads(line)["title"] for line in out.splitlines()]
    assert len(titles) == 55 + 1
    assert "SAMPa: Sharpness-aware Minimization Parallelized" not in titles


@pytest.mark.parametrize("fmt", ["markdown", "html", "table"])
def test_rank_writes_file(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "digest.out"
    code, stdout, _ = run(
        "rank", *profile_args(), "--feed", FEED_FILES[0], "--model", "fake", "--format", fmt, "--out", out, "-q"
    )
    assert code == 0 and stdout == ""
    text = out.read_text(encoding="utf-8")
    assert "papersift digest" in text and "Dual-Encoders for Extreme Multi-Label Classification" in text


def test_store_commands(isolated_home: Path) -> None:
    code, out, _ = run("profile", "import", *PROFILE_FILES, "--name", "me")
    assert code == 0 and "12 papers read, 12 new" in out
    code, out, _ = run("feed", "import", *FEED_FILES, "-q")
    assert code == 0 and "183 new" in out
    code, out, _ = run("profile", "list")
    assert "me\t12 papers" in out
    code, out, _ = run("profile", "show", "--profile", "me")
    assert code == 0 and "SAMPa" in out and "profile_arxiv.txt" in out
    code, out, _ = run("digest", "--profile", "me", "--model", "fake", "--format", "json", "--top", "3")
    assert code == 0 and len(json.loads(out)) == 3
    assert default_db_path().is_relative_to(isolated_home)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rank", "--profile", "missing.txt", "--feed", str(FEED_FILES[0])], "missing.txt: does not exist"),
        (["digest", "--profile", "nobody", "--model", "fake"], "there is no profile named 'nobody'"),
        (
            [
                "rank",
                "--profile",
                str(PROFILE_FILES[0]),
                "--feed",
                str(FEED_FILES[0]),
                "--aggregation",
                "median",
                "--model",
                "fake",
            ],
            "unknown aggregation",
        ),
    ],
)
def test_errors_are_one_sentence_and_exit_1(args: list[str], message: str) -> None:
    code, out, err = run(*args)
    assert code == 1
    assert message in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_bad_file_in_profile_import_leaves_store_unchanged(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01\x02")
    run("profile", "import", PROFILE_FILES[0], "--name", "me")
    code, _, err = run("profile", "import", PROFILE_FILES[1], bad, "--name", "me")
    assert code == 1 and "bad.bin: is a binary file" in err
    _, out, _ = run("profile", "list")
    assert "me\t10 papers" in out


def test_real_process_exit_code_and_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "PAPERSIFT_HOME": str(tmp_path)}
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"Title\nAuthor\n\xe9t\xe9\n")
    proc = subprocess.run(
        [sys.executable, "-m", "papersift", "rank", "--profile", str(bad), "--feed", str(SAMPLE / "feed_hf_oct17.txt")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"Error: {bad}, line 3: is not valid UTF-8 (byte 13)"


def test_usage_error_exit_code() -> None:
    code, _, err = run("rank", "--feed", str(FEED_FILES[0]))
    assert code == 2 and "--profile" in err


def test_profile_import_without_a_name_adds_to_the_only_profile_or_asks_for_one() -> None:
    code, _, err = run("profile", "import", PROFILE_FILES[0])
    assert code == 2
    assert "name the new profile with --name NAME" in err
    assert run("profile", "import", PROFILE_FILES[0], "--name", "me")[0] == 0
    code, out, _ = run("profile", "import", PROFILE_FILES[1])
    assert code == 0
    assert out.startswith("profile 'me':")
    assert run("profile", "import", PROFILE_FILES[1], "--name", "other")[0] == 0
    code, _, err = run("profile", "import", PROFILE_FILES[0])
    assert code == 1
    assert "several profiles (me, other); choose one with --profile" in err


def test_a_digest_before_any_feed_import_says_how_to_add_candidates() -> None:
    assert run("profile", "import", PROFILE_FILES[0], "--name", "me")[0] == 0
    code, _, err = run("digest", "--model", "fake")
    assert code == 0
    assert "no candidates to rank" in err
    assert "papersift feed import FILE" in err
    assert "no candidates" not in run("digest", "--model", "fake", "-q")[2]


def test_update_and_run_without_a_config_file_name_where_it_goes() -> None:
    expected = str(Path(os.environ["PAPERSIFT_HOME"]) / "config.toml") + " (no such file yet)"
    code, _, err = run("update")
    assert code == 1
    assert expected in err and "[[follow]]" in err
    code, _, err = run("run")
    assert code == 1
    assert expected in err and "[deliver.NAME]" in err


def test_out_says_what_it_wrote(tmp_path: Path) -> None:
    target = tmp_path / "digest.md"
    args = ["rank", *profile_args(), "--feed", FEED_FILES[0], "--model", "fake", "--top", "3", "--out", target]
    code, out, err = run(*args, "--format", "markdown")
    assert code == 0 and out == ""
    assert f"wrote {target}: 3 papers" in err
    assert f"overwrote {target}: 3 papers" in run(*args, "--format", "markdown")[2]
    assert run(*args, "--format", "markdown", "-q")[2] == ""


def test_reset_password_of_an_unknown_user_fails_before_asking_for_a_password() -> None:
    result = CliRunner().invoke(cli, ["user", "reset-password", "nobody"], input="")
    assert result.exit_code == 1
    assert "there is no user named 'nobody'" in result.stderr
    assert "Password" not in result.output


def test_feed_url_takes_the_only_profile_and_says_when_nothing_will_fill_the_feed(tmp_path: Path) -> None:
    assert run("profile", "import", PROFILE_FILES[0], "--name", "me")[0] == 0
    code, out, err = run("feed-url")
    assert code == 0 and "/feed/atom/" in out
    assert "[deliver.me] table" in err and "papersift run" in err
    config = tmp_path / "config.toml"
    config.write_text("[deliver.me]\ntop = 5\n", encoding="utf-8")
    code, out, err = run("feed-url", "--config", config)
    assert code == 0 and "/feed/atom/" in out and err == ""


def test_a_digest_for_a_profile_without_papers_says_how_to_add_them() -> None:
    from papersift.store import Store

    with Store(store_location()) as store:  # the store the CLI opens (SQLite, or PostgreSQL in CI)
        store.create_profile("empty")
    assert run("feed", "import", FEED_FILES[0])[0] == 0
    code, _, err = run("digest", "--model", "fake")
    assert code == 0
    assert "profile 'empty' has no papers yet" in err
    assert "papersift profile import FILE --profile empty" in err


def test_a_dry_run_says_when_e_mail_is_not_set_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAPERSIFT_SMTP_URL", raising=False)
    assert run("profile", "import", *PROFILE_FILES, "--name", "me")[0] == 0
    assert run("feed", "import", *FEED_FILES)[0] == 0
    config = tmp_path / "config.toml"
    config.write_text('[deliver.me]\nemail = "you@uni.edu"\ntop = 3\nmin_relevance = 0\n', encoding="utf-8")
    code, out, err = run("run", "--config", config, "--no-update", "--dry-run", "--model", "fake")
    assert code == 0, err
    assert f"would send 3 papers to you@uni.edu, but e-mail needs [smtp] url and sender in {config}" in out


def test_user_add_without_a_terminal_asks_for_password_stdin() -> None:
    result = CliRunner().invoke(cli, ["user", "add", "ada"], input="a long password\n")
    assert result.exit_code == 2
    assert "give the password on stdin with --password-stdin" in result.stderr
    assert "Traceback" not in result.output


def test_serve_on_a_port_in_use_fails_with_one_sentence() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run("serve", "--port", str(port))
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err
    assert "is serving" not in out + err


def test_rating_a_rank_handle_before_importing_its_file_says_to_import_it() -> None:
    assert run("profile", "import", PROFILE_FILES[0], "--name", "me")[0] == 0
    code, _, err = run("rate", "h-4a14fc0f", "up")
    assert code == 1
    assert "no paper in the store matches 'h-4a14fc0f'" in err and "papersift feed import FILE" in err
