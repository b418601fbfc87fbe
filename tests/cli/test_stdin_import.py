"""`papersift feed import -` and `papersift profile import -`: standard input with a file's safety checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from papersift.cli import cli
from papersift.config import INPUT_MAX_BYTES_ENV
from tests.conftest import FEED_FILES, PROFILE_FILES

NOT_UTF8 = b"Title\nAuthor\n\xe9t\xe9\n"


def run(*args: str | Path, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_feed_import_reads_stdin_as_it_reads_the_same_file() -> None:
    code, from_stdin, _ = run("feed", "import", "-", stdin=FEED_FILES[0].read_bytes())
    assert code == 0
    assert from_stdin.startswith("feed: ") and ", 0 already known" in from_stdin
    # The same papers from the file itself are all known already: stdin was parsed like the file.
    code, again, _ = run("feed", "import", FEED_FILES[0])
    assert code == 0
    read = from_stdin.split(" read,")[0].removeprefix("feed: ")
    assert again.strip() == f"feed: {read} read, 0 new, {read.split()[0]} already known"


def test_feed_import_stdin_not_utf8_names_stdin_and_the_line_and_imports_nothing() -> None:
    code, _, err = run("feed", "import", FEED_FILES[1], "-", stdin=NOT_UTF8)
    assert code == 1
    assert err.strip() == "Error: <stdin>, line 3: is not valid UTF-8 (byte 13)"
    assert "Traceback" not in err
    # All or nothing: the good file given with it was not imported either.
    assert run("feed", "list")[1].startswith("no candidates yet")


def test_feed_import_stdin_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(INPUT_MAX_BYTES_ENV, "1000")
    data = FEED_FILES[0].read_bytes()
    assert len(data) > 1000
    code, _, err = run("feed", "import", "-", stdin=data)
    assert code == 1
    assert err.strip().startswith("Error: <stdin>: is too large (over 1,000 bytes;")
    assert run("feed", "list")[1].startswith("no candidates yet")


def test_feed_import_stdin_given_twice_is_refused() -> None:
    code, _, err = run("feed", "import", "-", "-", stdin=FEED_FILES[0].read_bytes())
    assert code == 1
    assert err.strip() == "Error: <stdin>: standard input ('-') can be read only once; give '-' once"


def test_empty_stdin_is_refused_as_an_empty_file_is() -> None:
    code, _, err = run("feed", "import", "-", stdin=b"")
    assert code == 1
    assert err.strip() == "Error: <stdin>: is empty"


def test_profile_import_reads_stdin_and_does_not_keep_it_as_a_source() -> None:
    arxiv = PROFILE_FILES[1]  # an arXiv listing without titles: --offline keeps them untitled
    code, out, err = run("profile", "import", "-", "--profile", "me", "--offline", stdin=arxiv.read_bytes())
    assert code == 0, err
    assert out.startswith("profile 'me': ") and " new, 0 already known" in out
    assert "no title" in err  # the offline note, as for the file
    shown = run("profile", "show")[1]
    assert "from <stdin>" in shown
    assert "sources: none recorded" in shown  # refresh could not read stdin again


def test_profile_import_stdin_not_utf8_names_stdin_and_the_line() -> None:
    code, _, err = run("profile", "import", PROFILE_FILES[0], "-", "--profile", "me", "--offline", stdin=NOT_UTF8)
    assert code == 1
    assert err.strip() == "Error: <stdin>, line 3: is not valid UTF-8 (byte 13)"
    assert run("profile", "list")[1].startswith("no profiles yet")


def test_rank_reads_a_profile_or_a_feed_from_stdin_as_from_the_file() -> None:
    from_files = run("rank", "--profile", PROFILE_FILES[0], "--feed", FEED_FILES[0], "--top", "5", "--model", "tfidf")
    profile_stdin = run(
        "rank", "--profile", "-", "--feed", FEED_FILES[0], "--top", "5", "--model", "tfidf",
        stdin=PROFILE_FILES[0].read_bytes(),
    )  # fmt: skip
    feed_stdin = run(
        "rank", "--profile", PROFILE_FILES[0], "--feed", "-", "--top", "5", "--model", "tfidf",
        stdin=FEED_FILES[0].read_bytes(),
    )  # fmt: skip
    assert from_files[0] == profile_stdin[0] == feed_stdin[0] == 0
    assert profile_stdin[1] == from_files[1] and feed_stdin[1] == from_files[1]
    code, _, err = run("rank", "--profile", "-", "--feed", "-", stdin=FEED_FILES[0].read_bytes())
    assert code != 0 and "can be read only once" in err


def test_fetch_file_reads_stdin() -> None:
    code, out, err = run("fetch", "file", "-", stdin=FEED_FILES[0].read_bytes())
    assert code == 0, err
    assert "<stdin>" in out or "<stdin>" in err
    assert not run("feed", "list")[1].startswith("no candidates yet")
