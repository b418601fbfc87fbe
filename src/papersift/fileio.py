"""The one way papersift writes a file the user named (``--out``, affinity CSVs, exported models),
and the one way a command reads standard input where it takes a file (``-``, see :func:`stdin_or_none`).

* **Atomic**: the data goes to a temporary file next to the target, is flushed to disk, and
  replaces the target in one rename; a crash leaves the old file or the new one, never half.
* **Only regular files**: a target that is a symbolic link, a device, a FIFO, a socket or a
  directory is refused (renaming over ``/dev/sda`` as root, or through a planted link, is not
  "writing a file").
* **Usual permissions**: a new file gets the mode the umask gives (``0644`` under the common
  ``022``), an overwritten file keeps its mode; not the ``0600`` of a bare temporary file.
* **Says what it did**: :func:`write_output` returns whether an existing file was replaced.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import ConfigError

STDIN = "-"
"""The file name that means standard input (``papersift import -``, ``papersift feed import -``)."""
STDIN_ORIGIN = "<stdin>"
"""How errors and provenance name standard input."""


def is_stdin(source: str | Path) -> bool:
    """Whether ``source`` names standard input (``-``)."""
    return str(source) == STDIN


def stdin_or_none(source: str | Path) -> IO[bytes] | None:
    """Standard input as bytes when ``source`` is ``-``, else None (read it under :data:`STDIN_ORIGIN`)."""
    return sys.stdin.buffer if is_stdin(source) else None


def _umask() -> int:
    """The process umask, read without changing it where the system allows (Linux: /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_target(path: Path) -> bool:
    """Refuse a target that is not a regular file (or absent); True if a regular file is there already."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    if stat.S_ISLNK(info.st_mode):
        raise ConfigError(f"{path}: is a symbolic link; refusing to write through it (name the file itself)")
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(f"{path}: is a directory; name a file to write")
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{path}: is not a regular file (a device, FIFO or socket); refusing to replace it")
    return True


@contextmanager
def staged_path(target: str | Path) -> Iterator[Path]:
    """A temporary path next to ``target`` to write by any means; it replaces ``target`` when the block ends.

    On an exception the temporary file is removed and ``target`` is untouched.
    """
    target = Path(target)
    existed = check_target(target)
    if not target.parent.is_dir():
        # A typo in a folder name should not leave a new tree of folders behind.
        raise ConfigError(f"{target}: the folder {target.parent} does not exist; create it first or name another")
    mode = stat.S_IMODE(target.stat().st_mode) if existed else 0o666 & ~_umask()
    try:
        handle, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, mode)
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())
        check_target(target)  # still no link or device planted meanwhile
        os.replace(tmp, target)
    except OSError as exc:
        if exc.filename not in (str(tmp), tmp) and exc.filename2 not in (str(tmp), tmp):
            raise
        raise _cannot_write(target, exc) from None  # the user named the target, not our temporary file
    finally:
        tmp.unlink(missing_ok=True)


def _cannot_write(target: Path, exc: OSError) -> ConfigError:
    return ConfigError(f"{target}: cannot be written ({exc.strerror or exc})")


@contextmanager
def open_output(path: str | Path, binary: bool = False) -> Iterator[IO[Any]]:
    """A stream to write ``path`` through, atomically (for output too large to hold in memory)."""
    with staged_path(path) as tmp:
        if binary:
            with open(tmp, "wb") as stream:
                yield stream
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as stream:
                yield stream


def write_output(path: str | Path, data: str | bytes) -> bool:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; True if it replaced an existing file.

    A symbolic link, device, FIFO, socket or directory at ``path`` is a :class:`ConfigError`.
    """
    existed = check_target(Path(path))
    with open_output(path, binary=isinstance(data, bytes)) as stream:
        stream.write(data)
    return existed
