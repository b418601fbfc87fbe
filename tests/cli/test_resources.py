"""The CLI owns its resources (one store, one client factory per invocation) and its profile commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from papersift.cli import cli
from papersift.cli.common import Resources
from papersift.cli.reference import _walk
from papersift.store import Store
from tests.conftest import PROFILE_FILES, REPO


def run(*args: str | Path, obj: Resources | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, obj=obj)
    return result.exit_code, result.stdout, result.stderr


def test_every_command_has_an_example_in_its_help() -> None:
    missing = []
    for path, command in _walk(cli, ["papersift"]):
        ctx = click.Context(command, info_name=" ".join(path))
        if "Example:" not in command.get_help(ctx):
            missing.append(" ".join(path))
    assert not missing, f"no Example: block in the help of {missing}"


def test_a_test_passes_its_own_store_and_it_stays_open(tmp_path: Path, isolated_home: Path) -> None:
    own = Store(tmp_path / "own.db")
    code, out, _ = run("profile", "import", PROFILE_FILES[0], "--profile", "me", "-q", obj=Resources(store_=own))
    assert code == 0 and "profile 'me'" in out
    assert [p.name for p in own.profiles()] == ["me"]  # written to the store given, still usable
    assert not (isolated_home / "papersift.db").exists() and not list(isolated_home.glob("*.db"))
    own.close()


def test_one_store_per_invocation(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Path] = []
    original = Store.__init__

    def counting(self: Store, path: str | Path) -> None:
        opened.append(Path(path))
        original(self, path)

    monkeypatch.setattr(Store, "__init__", counting)
    run("profile", "import", *PROFILE_FILES, "--profile", "me", "-q")
    opened.clear()
    code, _, _ = run("profile", "show")
    assert code == 0 and len(opened) == 1


def test_profile_defaults_to_the_only_one_and_include_undoes_exclude() -> None:
    run("profile", "import", *PROFILE_FILES, "--profile", "me", "-q")
    code, out, _ = run("profile", "show")
    assert code == 0 and out.startswith("papers (")
    first_id = out.splitlines()[1].rsplit("id ", 1)[1].rstrip("]")
    code, out, _ = run("profile", "exclude", first_id)
    assert code == 0 and f"undo: papersift profile include {first_id}" in out
    code, out, _ = run("profile", "show")
    excluded = out.split("excluded (1, kept out on refresh", 1)[1].splitlines()[1]
    assert f"[id {first_id}]" in excluded
    code, out, _ = run("profile", "include", first_id)
    assert code == 0 and "included" in out
    assert "excluded (" not in run("profile", "show")[1]
    code, _, err = run("profile", "include", first_id)
    assert code == 1 and "is not excluded from profile 'me'" in err


@pytest.mark.parametrize("name", ["", "   "])
def test_a_blank_profile_name_is_refused(name: str) -> None:
    code, _, err = run("profile", "import", PROFILE_FILES[0], "--name", name)
    assert code == 1 and "a profile needs a name that is not empty" in err
    assert "no profiles yet" in run("profile", "list")[1]


def test_profile_show_into_head_is_quiet_and_exits_0(isolated_home: Path) -> None:
    env = {**os.environ, "PAPERSIFT_HOME": str(isolated_home), "PYTHONPATH": str(REPO / "src")}
    papersift = [sys.executable, "-m", "papersift"]
    subprocess.run(
        [*papersift, "profile", "import", *map(str, PROFILE_FILES), "--profile", "me", "-q"], env=env, check=True
    )
    shell = f"set -o pipefail; {' '.join(papersift)} profile show | head -n 1"
    result = subprocess.run(["bash", "-c", shell], env=env, capture_output=True, text=True)
    assert result.stdout.startswith("papers (")
    assert "Broken pipe" not in result.stderr and "Traceback" not in result.stderr
    assert result.returncode == 0
