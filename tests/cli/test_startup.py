"""Start-up: what a fresh `papersift digest` process imports.

Most of a warm digest's wall time as a fresh process is Python importing modules (the README's
target: 1,000 candidates x 100 own papers in <= 1 s), so modules a digest never uses are imported
only by the commands that use them. These tests fail when one of them creeps back into the path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from papersift.cli import cli
from tests.conftest import FEED_FILES, PROFILE_FILES, REPO

# Imported by the commands (or the store) that need them, never by a digest on an up-to-date SQLite store.
NOT_FOR_A_DIGEST = (
    "papersift.sources",  # the file parsers: a digest reads no file
    "papersift.fetch",  # the network half
    "papersift.backup",
    "papersift.store.exchange",
    "papersift.reviewers",
    "papersift.accounts",  # accounts and passwords (argon2): the web app and `papersift user`
    "papersift.web",
    "papersift.delivery",
    "papersift.explore",
    "papersift.evaluation",
    "papersift.cli.profile",
    "papersift.cli.feed",
    "papersift.cli.fetch",
    "papersift.cli.web",
    "papersift.cli.deliver",
    # The migrations a store already has are not imported again (m004 and m005 declare today's tables).
    "papersift.store.migrations.m001_initial",
    "papersift.store.migrations.m002_learning",
    "papersift.store.migrations.m003_fetching",
    "papersift.store.migrations.m006_candidate_window",
    "papersift.store.migrations.m007_background_sample",
    "papersift.store.migrations.m008_interest_budget",
    "sqlalchemy.dialects.postgresql",
    "httpx",
    "fastapi",
    "starlette",
    "jinja2",
    "onnxruntime",
    "tokenizers",
    "torch",
    "sklearn",
    "scipy",
)

# Runs the CLI like `python -m papersift ARGS...`, then writes the names of the imported modules to a file.
IMPORTS_AFTER = """
import json, sys
out, args = sys.argv[1], sys.argv[2:]
from papersift.cli.main import cli
try:
    if args:
        cli(args, prog_name="papersift")
except SystemExit as exc:
    if exc.code:
        raise
finally:
    with open(out, "w") as f:
        json.dump(sorted(sys.modules), f)
"""


def _sqlite_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "PAPERSIFT_HOME": str(home), "PYTHONPATH": str(REPO / "src")}
    env.pop("PAPERSIFT_DATABASE_URL", None)  # this is about the default store, an SQLite file
    return env


def imported_by(tmp_path: Path, env: dict[str, str], *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", IMPORTS_AFTER, str(out), *args], env=env, check=True, capture_output=True, text=True
    )
    return set(json.loads(out.read_text(encoding="utf-8")))


def unwanted(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == name or m.startswith(name + ".") for name in NOT_FOR_A_DIGEST))


def test_importing_the_cli_imports_nothing_a_digest_does_not_use(tmp_path: Path) -> None:
    modules = imported_by(tmp_path, _sqlite_env(tmp_path / "home"))
    assert "papersift.cli.main" in modules
    assert unwanted(modules) == []


def test_a_digest_in_a_fresh_process_imports_nothing_it_does_not_use(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = _sqlite_env(home)
    in_process = {"PAPERSIFT_HOME": str(home), "PAPERSIFT_DATABASE_URL": None}
    runner = CliRunner()
    for args in (
        ["profile", "import", *map(str, PROFILE_FILES), "--name", "me", "-q"],
        ["feed", "import", *map(str, FEED_FILES), "-q"],
    ):
        assert runner.invoke(cli, args, env=in_process, catch_exceptions=False).exit_code == 0
    modules = imported_by(tmp_path, env, "digest", "--model", "tfidf", "--top", "5", "--format", "json", "-q")
    assert {"papersift.digests", "papersift.store.db", "papersift.digest.render"} <= modules  # it did run
    assert unwanted(modules) == []
    # a real digest, recorded in the store
    shown = runner.invoke(cli, ["history"], env=in_process, catch_exceptions=False).stdout
    assert "5 of" in shown


def test_importing_a_part_of_the_package_does_not_import_the_library(tmp_path: Path) -> None:
    out = tmp_path / "modules.json"
    code = f"import json, sys, papersift.errors; json.dump(sorted(sys.modules), open({str(out)!r}, 'w'))"
    subprocess.run([sys.executable, "-c", code], env=_sqlite_env(tmp_path / "home"), check=True)
    modules = set(json.loads(out.read_text(encoding="utf-8")))
    assert not modules & {"papersift.api", "papersift.store", "numpy", "sqlalchemy"}
    import papersift

    assert papersift.rank_papers is papersift.api.rank_papers and "rank_papers" in dir(papersift)
    assert "rank_files" not in dir(papersift)  # one stateless entry point


def test_the_cli_is_imported_with_its_modules_frozen_and_collection_back_on(tmp_path: Path) -> None:
    code = "import gc, papersift.cli; print(gc.isenabled(), gc.get_freeze_count() > 10000)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=_sqlite_env(tmp_path / "home"), check=True, capture_output=True, text=True
    )
    assert result.stdout.split() == ["True", "True"]


def test_the_format_choices_are_every_format_and_still_checked() -> None:
    from papersift.sources import FORMATS

    result = CliRunner().invoke(cli, ["rank", "--profile", "a", "--feed", "b", "--input-format", "nope"])
    assert result.exit_code == 2
    assert all(f"'{name}'" in result.stderr for name in FORMATS)
