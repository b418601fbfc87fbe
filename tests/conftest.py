"""Shared fixtures: the sample data, an isolated data directory, a fake encoder with known vectors."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from papersift.encoders import register_encoder

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
PROFILE_FILES = [SAMPLE / "profile_publications.txt", SAMPLE / "profile_arxiv.txt"]
FEED_FILES = [SAMPLE / "feed_hf_nov20.txt", SAMPLE / "feed_hf_nov14.txt", SAMPLE / "feed_hf_oct17.txt"]
# The pages were saved in November 2026; dates shown without a year are read relative to this day.
PAGE_DAY = dt.date(2026, 11, 22)
SHARED = REPO.parent / "shared"
# Tests never reach the network: `profile import` would look up the titles of the sample's
# untitled arXiv-listing records online (tests that test the lookup pass a mock transport).
os.environ.setdefault("PAPERSIFT_OFFLINE", "1")


class KeywordEncoder:
    """A fake encoder whose vectors can be checked by hand.

    Each dimension counts one keyword in the text, so "sharpness" papers point
    along axis 0, "unlearning" papers along axis 1, and so on.
    """

    KEYWORDS = ("sharpness", "unlearning", "pruning", "robot", "plasma")
    model_id = "fake:keywords"
    cacheable = True

    def __init__(self) -> None:
        self.calls: list[int] = []

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        self.calls.append(len(texts))
        rows = [[text.lower().count(k) for k in self.KEYWORDS] + [0.01] for text in texts]
        matrix = np.asarray(rows, dtype=np.float32)
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


register_encoder("fake", KeywordEncoder)


# -- the store's backend: SQLite files, or a real PostgreSQL server --------------------
#
# By default every store is an SQLite file in the test's temporary directory. With
# PAPERSIFT_TEST_DATABASE_URL=postgresql://... (a server you run; each test gets its own schema in
# that database) or with --postgres (a throw-away cluster started for the session with Debian's
# initdb/pg_ctl, see tests/pg_cluster.py), every test that opens a store through
# ``store_location`` or through the CLI (PAPERSIFT_DATABASE_URL) uses PostgreSQL instead.

TEST_DATABASE_ENV = "PAPERSIFT_TEST_DATABASE_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--postgres",
        action="store_true",
        help="run the store and CLI tests against a throw-away PostgreSQL cluster (needs Debian's postgresql)",
    )


@pytest.fixture(scope="session")
def postgres_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """The PostgreSQL database the tests use, or None when they run on SQLite."""
    url = os.environ.get(TEST_DATABASE_ENV)
    if url or not request.config.getoption("--postgres"):
        yield url
        return
    from tests import pg_cluster

    directory = tmp_path_factory.mktemp("postgres")
    try:
        yield pg_cluster.start(directory)
    finally:
        pg_cluster.stop(directory)


def new_postgres_schema(url: str) -> str:
    """A new, empty schema in the test database; the URL that makes it the default for a store."""
    from sqlalchemy import text

    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = engine_for(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {name}"))
    engine.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{name}"


@pytest.fixture
def new_store_location(tmp_path: Path, postgres_url: str | None) -> Callable[[str], str | Path]:
    """Makes places for new, empty stores: an SQLite file named ``name``, or a fresh PostgreSQL schema."""

    def make(name: str) -> str | Path:
        return new_postgres_schema(postgres_url) if postgres_url else tmp_path / name

    return make


@pytest.fixture
def store_location(new_store_location: Callable[[str], str | Path]) -> str | Path:
    """Where a test's store lives: an SQLite file, or a fresh PostgreSQL schema."""
    return new_store_location("s.db")


def engine_for(location: str | Path) -> Engine:
    """A plain SQLAlchemy engine on a store's database (for tests that look underneath the store)."""
    if isinstance(location, str) and "://" in location:
        return create_engine(location.replace("postgresql://", "postgresql+psycopg://", 1))
    return create_engine(f"sqlite:///{location}")


@pytest.fixture
def on_postgres(postgres_url: str | None) -> bool:
    return postgres_url is not None


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str | None) -> Path:
    """No test reads or writes the user's real data directory (or, on PostgreSQL, another test's schema)."""
    home = tmp_path / "home"
    monkeypatch.setenv("PAPERSIFT_HOME", str(home))
    if postgres_url:
        monkeypatch.setenv("PAPERSIFT_DATABASE_URL", new_postgres_schema(postgres_url))
    else:
        monkeypatch.delenv("PAPERSIFT_DATABASE_URL", raising=False)
    return home


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the project's shared data ({SHARED}) is not beside this clone")
    return SHARED
