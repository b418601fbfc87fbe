"""A throw-away PostgreSQL cluster on loopback for the tests, made with Debian's initdb and pg_ctl.

Used by the ``--postgres`` option of the test suite (tests/conftest.py) and by ``.ci/run``:

    python tests/pg_cluster.py start DIR   # prints the server's URL
    python tests/pg_cluster.py stop DIR

PostgreSQL refuses to run as root, so as root the cluster belongs to the unprivileged user
``nobody`` (commands run through ``runuser``). The server listens on 127.0.0.1 only, on a free
port, with trust authentication and without fsync: it holds nothing worth keeping.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

USER = "papersift"
DATABASE = "papersift_test"
RUN_AS = "nobody"


def server_bin() -> Path | None:
    """The directory of initdb/pg_ctl: Debian's newest /usr/lib/postgresql/N/bin, else the PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", RUN_AS, "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(directory: str | Path) -> str:
    """Create and start a cluster in ``directory`` (made if needed); returns its URL."""
    bin_dir = server_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL's initdb was not found (apt-get install postgresql)")
    base = Path(directory).resolve()
    data, log = base / "data", base / "server.log"
    base.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(base, RUN_AS)
        base.chmod(0o700)
    subprocess.run(
        _as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync"]),
        check=True,
        stdout=subprocess.DEVNULL,
        cwd="/",
    )
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='' -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
    )
    subprocess.run(
        _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
        cwd="/",
    )
    url = f"postgresql://{USER}@127.0.0.1:{port}/{DATABASE}"
    _create_database(f"postgresql://{USER}@127.0.0.1:{port}/postgres")
    (base / "url").write_text(url, encoding="utf-8")
    return url


def _create_database(admin_url: str) -> None:
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {DATABASE}")
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def stop(directory: str | Path) -> None:
    bin_dir = server_bin()
    data = Path(directory).resolve() / "data"
    if bin_dir is not None and (data / "postmaster.pid").exists():
        subprocess.run(
            _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            cwd="/",
        )


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit("usage: pg_cluster.py start|stop DIR")
    if sys.argv[1] == "start":
        print(start(sys.argv[2]))
    else:
        stop(sys.argv[2])
