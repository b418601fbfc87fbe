"""Property-based fuzzing of every reader with mutations of the real fixtures (issue 11, item 7).

The invariant: a mutated file is either imported correctly (every stored text valid and free of
control characters) or refused with one clean PapersiftError, and a refused import leaves the
store exactly as it was. Never a traceback, and never a ReaderBug (the sentence the readers'
safety net gives for a failure they did not foresee). `make test` runs a small deterministic
budget; `make fuzz` a long random one.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papersift import api
from papersift.errors import PapersiftError
from papersift.sources import read_papers
from papersift.sources.sanitize import ReaderBug
from papersift.store import Store
from tests.fuzz.corpus import MUTATIONS, fixture_files, mutate, store_dump, stored_text_problems

FILES = fixture_files()
# `make test`: a small deterministic budget (the same cases every run); `make fuzz` (PAPERSIFT_FUZZ=long):
# many random cases, PAPERSIFT_FUZZ_EXAMPLES of them per property.
LONG = os.environ.get("PAPERSIFT_FUZZ") == "long"
FUZZ = settings(
    max_examples=int(os.environ.get("PAPERSIFT_FUZZ_EXAMPLES", "1500")) if LONG else 40,
    derandomize=not LONG,
    deadline=timedelta(seconds=60 if LONG else 30),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    print_blob=LONG,
)
# Each store case creates and imports into a fresh SQLite store: fewer of them in the quick budget.
FUZZ_STORE = settings(FUZZ, max_examples=FUZZ.max_examples if LONG else 20)
SEED_PAPERS = [
    {
        "title": "Sharpness-aware minimization for efficient generalization",
        "abstract": "Flat minima.",
        "ids": {"arxiv": "2010.01412"},
    },
    {"title": "A paper already in the store before the import", "abstract": "Kept as it was."},
]


def test_the_corpus_holds_every_kind_of_fixture() -> None:
    suffixes = {path.suffix for path in FILES}
    assert {".json", ".xml", ".txt", ".bib"} <= suffixes and len(FILES) >= 25


def _read(path: Path) -> None:
    try:
        read_papers(path)
    except ReaderBug:
        raise
    except PapersiftError:
        pass


@FUZZ
@given(
    fixture=st.sampled_from(FILES),
    mutation=st.sampled_from(sorted(MUTATIONS)),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_a_mutated_fixture_is_read_or_refused_cleanly(fixture: Path, mutation: str, seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / fixture.name
        path.write_bytes(mutate(fixture.read_bytes(), mutation, seed))
        _read(path)


@pytest.mark.parametrize("command", ["feed", "profile"])
@FUZZ_STORE
@given(
    fixture=st.sampled_from(FILES),
    mutation=st.sampled_from(sorted(MUTATIONS)),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_a_mutated_import_is_all_or_nothing(command: str, fixture: Path, mutation: str, seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        existing = root / "existing.jsonl"
        existing.write_text("\n".join(json.dumps(p) for p in SEED_PAPERS) + "\n", encoding="utf-8")
        path = root / fixture.name
        path.write_bytes(mutate(fixture.read_bytes(), mutation, seed))
        store_path = root / "store.db"
        with Store(store_path) as store:
            api.import_profile(store, "me", [existing])
        before = store_dump(store_path)
        with Store(store_path) as store:
            try:
                if command == "feed":
                    api.import_feed(store, [path])
                else:
                    api.import_profile(store, "me", [path])
            except ReaderBug:
                raise
            except PapersiftError:
                failed = True
            else:
                failed = False
        if failed:
            assert store_dump(store_path) == before, "a refused import changed the store"
        else:
            assert stored_text_problems(store_path) == []


@pytest.mark.parametrize("fixture", FILES, ids=[p.name for p in FILES])
def test_every_fixture_imports_unmutated(fixture: Path) -> None:
    _read(fixture)
