"""The CLI reference is complete and current; the README keeps the two-command quickstart."""

from __future__ import annotations

from papersift.cli.reference import cli_reference, command_paths
from tests.conftest import REPO


def test_cli_reference_is_current() -> None:
    assert (REPO / "docs" / "cli.md").read_text(encoding="utf-8") == cli_reference(), "run `make docs`"


def test_every_command_is_documented_in_the_user_guide() -> None:
    guide = (REPO / "docs" / "user-guide.md").read_text(encoding="utf-8")
    missing = [p for p in command_paths() if p != "papersift" and p not in guide]
    assert not missing, f"undocumented in docs/user-guide.md: {missing}"


def test_readme_quickstart() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme


def test_every_model_option_lists_the_same_encoders_from_the_registry() -> None:
    from click.testing import CliRunner

    from papersift.cli import cli
    from papersift.encoders import encoder_help

    assert all(name in encoder_help() for name in ("minilm", "minilm-int8", "minilm-st", "tfidf"))
    for command in (["run"], ["digest"], ["rank"], ["affinity"]):
        shown = CliRunner().invoke(cli, [*command, "--help"], terminal_width=10_000).output
        assert " ".join(encoder_help().split()) in " ".join(shown.split()), command
