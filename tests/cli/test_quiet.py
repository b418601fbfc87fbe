"""`-q` is accepted by every command and leaves only the result and the errors."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from papersift import progress
from papersift.cli import cli
from papersift.cli.reference import command_paths
from tests.conftest import FEED_FILES, PROFILE_FILES, SAMPLE


def _commands() -> list[str]:
    """Every command (not group) the CLI reference lists."""
    found = []
    for path in command_paths():
        command: click.Command = cli
        for word in path.split()[1:]:
            assert isinstance(command, click.Group)
            command = command.commands[word]
        if not isinstance(command, click.Group):
            found.append(path)
    return found


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("path", _commands())
def test_every_command_accepts_quiet(path: str) -> None:
    words = path.split()[1:]
    # An option the command does not know is refused while parsing, before --help is acted on.
    code, out, err = run(*words, "-q", "--help")
    assert code == 0, err
    assert "-q, --quiet" in out


def _cut_page(tmp_path: Path) -> Path:
    """A Hugging Face page cut off while copying: its last record warns."""
    text = (SAMPLE / "feed_hf_oct17.txt").read_text(encoding="utf-8")
    path = tmp_path / "cut.txt"
    path.write_text(text[: text.rindex("  • ")], encoding="utf-8")
    return path


def test_imports_print_only_their_result_with_quiet(tmp_path: Path) -> None:
    page = _cut_page(tmp_path)
    code, out, err = run("feed", "import", page)
    assert code == 0 and "warning:" in err
    run("feed", "clear", "--all")
    code, out, err = run("feed", "import", page, "-q")
    assert code == 0 and err == "" and out.count("\n") == 1 and out.startswith("feed: 55 papers read")
    code, out, err = run("profile", "import", *PROFILE_FILES, "--name", "me", "-q")
    assert code == 0 and err == "" and out.count("\n") == 1


def test_fetch_prints_only_its_per_source_line_with_quiet(tmp_path: Path) -> None:
    code, out, err = run("fetch", "file", _cut_page(tmp_path), "-q")
    assert code == 0 and err == "" and out.count("\n") == 1


def test_digest_and_rank_print_only_the_digest_with_quiet(tmp_path: Path) -> None:
    run("profile", "import", *PROFILE_FILES, "--name", "me", "-q")
    run("feed", "import", *FEED_FILES, "-q")
    code, out, err = run("digest", "--model", "fake", "--top", "3", "--reset-shown")
    assert code == 0 and "shown papers forgotten" in err
    code, out, err = run("digest", "--model", "fake", "--top", "3", "--reset-shown", "--format", "json", "-q")
    assert code == 0 and err == "" and out.startswith("[")
    files = ["--profile", PROFILE_FILES[0], "--feed", _cut_page(tmp_path), "--model", "fake", "--top", "3"]
    target = tmp_path / "out.md"
    assert run("rank", *files, "--format", "markdown", "--out", target, "-q") == (0, "", "")
    code, out, err = run("rank", *files, "--format", "markdown", "--out", target)
    assert code == 0 and f"overwrote {target}" in err and "warning:" in err
    assert run("rank", *files, "--format", "markdown", "--out", target, "-q") == (0, "", "")


def test_quiet_lasts_one_invocation() -> None:
    """-q also silences the library's progress bars, for that command only."""
    run("where", "-q")
    assert progress._quiet
    run("where")
    assert not progress._quiet
