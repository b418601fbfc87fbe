"""write_output: atomic, regular files only, the usual permissions, says when it overwrote."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from papersift.errors import ConfigError
from papersift.fileio import open_output, write_output


def test_a_new_file_is_written_with_the_umask_mode(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()  # an --out path's folder must exist (a typo makes no new folders)
    old = os.umask(0o022)
    try:
        assert write_output(tmp_path / "sub" / "digest.md", "hello\n") is False
    finally:
        os.umask(old)
    target = tmp_path / "sub" / "digest.md"
    assert target.read_text() == "hello\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # not the 0600 of a temporary file
    assert [p.name for p in target.parent.iterdir()] == ["digest.md"]  # no temporary left behind


def test_overwriting_says_so_and_keeps_the_files_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.html"
    target.write_text("old")
    target.chmod(0o640)
    assert write_output(target, b"new bytes") is True
    assert target.read_bytes() == b"new bytes" and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_symlink_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "out.md"
    link.symlink_to(victim)
    with pytest.raises(ConfigError, match="symbolic link"):
        write_output(link, "overwritten?")
    assert victim.read_text() == "precious" and link.is_symlink()


@pytest.mark.parametrize("kind", ["fifo", "socket", "directory", "device"])
def test_non_regular_targets_are_refused(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "target"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
        server.close()
    elif kind == "directory":
        target.mkdir()
    else:
        target = Path("/dev/null")
    with pytest.raises(ConfigError, match="not a regular file|is a directory"):
        write_output(target, "x")
    assert target.exists() and not target.is_file()


def test_a_failure_half_way_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "scores.csv"
    target.write_text("old,1\n")
    with pytest.raises(RuntimeError), open_output(target) as stream:
        stream.write("new,")
        raise RuntimeError("crash mid-way")
    assert target.read_text() == "old,1\n" and [p.name for p in tmp_path.iterdir()] == ["scores.csv"]
