"""`papersift export` / `papersift import`: a whole store as JSON lines, SQLite <-> PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from papersift.cli import cli
from papersift.errors import InputError
from papersift.store import Store, exchange
from tests.conftest import FEED_FILES, PROFILE_FILES, new_postgres_schema


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def use_store(monkeypatch: pytest.MonkeyPatch, location: str | Path) -> None:
    """Point the CLI at ``location``: an SQLite file's directory, or a PostgreSQL URL."""
    if isinstance(location, Path):
        monkeypatch.delenv("PAPERSIFT_DATABASE_URL", raising=False)
        monkeypatch.setenv("PAPERSIFT_HOME", str(location.parent))
    else:
        monkeypatch.setenv("PAPERSIFT_DATABASE_URL", location)


def fill() -> None:
    """A store a user would hate to lose: a profile, candidates, a digest, ratings, a named and a
    muted interest, an exclusion, an account owning the profile."""
    assert run("profile", "import", *map(str, PROFILE_FILES), "--profile", "me", "-q")[0] == 0
    assert run("feed", "import", *map(str, FEED_FILES), "-q")[0] == 0
    picks = json.loads(run("digest", "--model", "fake", "--format", "json", "--top", "4", "-q")[1])
    assert run("rate", str(picks[0]["id"]), "up")[0] == 0
    assert run("rate", str(picks[1]["id"]), "down")[0] == 0
    assert run("interests", "rename", "1", "my sharpness work")[0] == 0
    assert run("interests", "mute", "2")[0] == 0
    own = run("profile", "show")[1].splitlines()[1].rsplit("id ", 1)[1].rstrip("]")
    assert run("profile", "exclude", own)[0] == 0
    code, _, err = run("user", "add", "ada", "--profile", "me", "--password-stdin", stdin=b"correct horse battery\n")
    assert code == 0, err


def views() -> dict[str, str]:
    """What the user sees of a store: a digest (shown papers included), the profile, its interests, history."""
    seen = {
        "history": run("history")[1],
        "profile": run("profile", "show")[1],
        "interests": run("interests", "list", "--model", "fake")[1],
        "users": run("user", "list")[1],
    }
    # Last: a digest records a run, which the history would show.
    seen["digest"] = run("digest", "--model", "fake", "--format", "json", "--top", "0", "--include-seen", "-q")[1]
    return seen


def rows_of(export: str) -> list[str]:
    return export.splitlines()[1:]


def test_round_trip_into_a_new_store_keeps_what_the_user_sees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_store_location: object
) -> None:
    make = new_store_location  # an SQLite file, or a PostgreSQL schema when PAPERSIFT_TEST_DATABASE_URL is set
    first, second = make("a/papersift.db"), make("b/papersift.db")  # type: ignore[operator]
    use_store(monkeypatch, first)
    fill()
    backup = tmp_path / "backup.jsonl"
    code, out, err = run("export", backup)
    assert code == 0 and out == "" and "exported" in err
    before = views()
    assert "my sharpness work" in before["interests"] and "ada" in before["users"]
    header = json.loads(backup.read_text(encoding="utf-8").splitlines()[0])
    assert header["format"] == "papersift-store" and header["tables"]["users"] == 1
    assert "embeddings" not in header["tables"] and "sessions" not in header["tables"]

    use_store(monkeypatch, second)
    code, out, _ = run("import", backup)
    assert code == 0 and out.startswith(f"imported {sum(header['tables'].values())} rows")
    assert views() == before
    # The password hash travelled: the account still signs in (checked by the library the web uses).
    with Store(second) as store:
        accounts = pytest.importorskip("papersift.accounts", reason="accounts need the web extra")
        assert accounts.authenticate(store, "ada", "correct horse battery") is not None
    # New rows after an import get new ids (PostgreSQL's sequences were moved past the imported ids).
    extra = tmp_path / "extra.bib"
    extra.write_text("@article{x, title={A Paper Added After Moving Machines}, abstract={Later.}}\n", encoding="utf-8")
    assert run("feed", "import", str(extra), "-q")[0] == 0
    # Exporting again gives the same rows (plus the new paper's and the views' digest run).
    again = run("export", "-", "-q")[1]
    assert set(rows_of(backup.read_text(encoding="utf-8"))) <= set(rows_of(again))
    assert "A Paper Added After Moving Machines" in again


def test_sqlite_to_postgresql_and_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str | None
) -> None:
    if not postgres_url:
        pytest.skip("set PAPERSIFT_TEST_DATABASE_URL to move a store between SQLite and PostgreSQL")
    use_store(monkeypatch, tmp_path / "a" / "papersift.db")
    fill()
    exported = run("export", "-", "-q")[1].encode()
    before = views()
    use_store(monkeypatch, new_postgres_schema(postgres_url))
    assert run("import", "-", "-q", stdin=exported)[0] == 0
    assert views() == before
    back = run("export", "-", "-q")[1].encode()
    use_store(monkeypatch, tmp_path / "c" / "papersift.db")
    assert run("import", "-", "-q", stdin=back)[0] == 0
    assert rows_of(run("export", "-", "-q")[1]) == rows_of(back.decode())
    assert views()["digest"] == before["digest"]


@pytest.fixture
def backup(tmp_path: Path) -> bytes:
    fill()
    code, out, _ = run("export", "-", "-q")
    assert code == 0
    return out.encode()


def import_bytes(location: str | Path, data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(data)
    with Store(location) as store, path.open("rb") as stream:
        exchange.import_store(store, stream, str(path))


def all_rows(location: str | Path) -> list[str]:
    import io

    buffer = io.StringIO()
    with Store(location) as store:
        exchange.export_store(store, buffer)
    return rows_of(buffer.getvalue())


def _cut_mid_line(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _cut_at_line(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    return b"".join(lines[: len(lines) // 2])


def _newer_format(data: bytes) -> bytes:
    header, rest = data.split(b"\n", 1)
    return json.dumps({**json.loads(header), "version": 99}).encode() + b"\n" + rest


def _newer_schema(data: bytes) -> bytes:
    header, rest = data.split(b"\n", 1)
    return json.dumps({**json.loads(header), "schema": 999}).encode() + b"\n" + rest


def _not_utf8(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    lines[5] = lines[5].replace(b'"r": {', b'"r": {"title": "\xff\xfe", ', 1)
    return b"".join(lines)


def _wrong_header(data: bytes) -> bytes:
    return b'{"format": "something-else"}\n' + data.split(b"\n", 1)[1]


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (_cut_mid_line, "the file ends in the middle of this line"),
        (_cut_at_line, "the file ends before all its rows"),
        (_newer_format, "export format version 99, which this papersift does not know"),
        (_newer_schema, "schema version 999, newer than this papersift's"),
        (_not_utf8, "line 6: not UTF-8 text"),
        (_wrong_header, "line 1: not a papersift store export"),
        (lambda data: b"", "the file is empty"),
    ],
)
def test_a_damaged_file_is_refused_with_its_line_and_the_store_stays_empty(
    backup: bytes, tmp_path: Path, new_store_location: object, damage: object, expected: str
) -> None:
    target = new_store_location("fresh.db")  # type: ignore[operator]
    with pytest.raises(InputError) as error:
        import_bytes(target, damage(backup), tmp_path)  # type: ignore[operator]
    assert expected in str(error.value) and "in.jsonl" in str(error.value)
    assert all_rows(target) == []


def test_a_line_too_long_is_refused(
    backup: bytes, tmp_path: Path, new_store_location: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exchange, "MAX_LINE_BYTES", 4096)
    target = new_store_location("fresh.db")  # type: ignore[operator]
    lines = backup.splitlines(keepends=True)
    lines[3] = lines[3].replace(b'"title": "', b'"title": "' + b"x" * 5000, 1)
    with pytest.raises(InputError, match=r"line 4: line longer than"):
        import_bytes(target, b"".join(lines), tmp_path)
    assert all_rows(target) == []


def test_import_into_a_store_with_data_is_refused_and_changes_nothing(backup: bytes, tmp_path: Path) -> None:
    code, _, err = run("import", "-", stdin=backup)
    assert code == 1 and "is not empty" in err and "new store" in err
    assert rows_of(run("export", "-", "-q")[1]) == rows_of(backup.decode())


def test_cli_errors_are_one_sentence(tmp_path: Path) -> None:
    code, _, err = run("import", tmp_path / "nope.jsonl")
    assert code == 1 and "nope.jsonl: does not exist" in err and "Traceback" not in err
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"format": "papersift-store", "version": 1, "schema": 1, "tables": {"papers": 1}}\n{"t"')
    code, _, err = run("import", bad)
    assert code == 1 and "bad.jsonl, line 2: the file ends in the middle of this line" in err


def test_export_with_quiet_prints_only_the_file(tmp_path: Path) -> None:
    assert run("feed", "import", str(FEED_FILES[2]), "-q")[0] == 0
    code, out, err = run("export", "-", "-q")
    assert code == 0 and err == "" and json.loads(out.splitlines()[0])["tables"]["papers"] == 55


def test_export_where_it_cannot_write_names_the_users_path_not_a_temporary_file() -> None:
    code, _, err = run("export", "/proc/x.jsonl")
    assert code == 1 and err.strip().startswith("Error: /proc/x.jsonl: cannot be written"), err
    assert ".tmp" not in err


def test_out_paths_in_a_missing_folder_are_refused_and_no_folder_is_made(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir" / "x.jsonl"
    code, _, err = run("export", str(target))
    assert code == 1 and f"the folder {target.parent} does not exist" in err
    assert not (tmp_path / "no").exists()
    out = tmp_path / "typo" / "digest.md"
    args = ["rank", "--profile", str(PROFILE_FILES[0]), "--feed", str(FEED_FILES[0]), "--model", "fake"]
    code, _, err = run(*args, "--out", str(out))
    assert code == 1 and "does not exist" in err and not (tmp_path / "typo").exists()
