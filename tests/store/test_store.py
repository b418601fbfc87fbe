"""The SQLite store: migrations, de-duplication across imports, transactions under failure, embeddings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import inspect, text

from papersift import api
from papersift.errors import InputError, StoreError
from papersift.models import Paper
from papersift.ranking.personal import DigestOptions
from papersift.store import Store, migrations
from papersift.store import papers as store_papers
from tests.conftest import FEED_FILES, PROFILE_FILES, SAMPLE


def _dump(location: str | Path) -> list[tuple[object, ...]]:
    """Every row of every table, to compare a store before and after a failed write (either backend)."""
    with Store(location) as store, store.snapshot() as conn:
        tables = sorted(inspect(conn).get_table_names())
        return [(t, *row) for t in tables for row in conn.execute(text(f"select * from {t} order by 1, 2"))]


def test_new_store_is_migrated(tmp_path: Path, store_location: str | Path) -> None:
    with Store(store_location) as store:
        assert store.schema_version == migrations.SCHEMA_VERSION
        assert store.paper_count() == 0


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable papersift store"):
        Store(path)


def test_profile_import_deduplicates_across_files_and_runs(tmp_path: Path, store_location: str | Path) -> None:
    with Store(store_location) as store:
        summary, _ = api.import_profile(store, "me", PROFILE_FILES[:1])
        assert (summary.read, summary.new, summary.merged) == (10, 10, 0)
        summary, _ = api.import_profile(store, "me", PROFILE_FILES[1:])
        assert (summary.read, summary.new, summary.merged) == (10, 2, 8)
        papers = store.profile_papers("me")
        assert len(papers) == 12
        sampa = next(p for p in papers if p.title.startswith("SAMPa"))
        assert sampa.ids == {"arxiv": "2410.10683"}
        assert {s.format for s in sampa.sources} == {"publist", "arxiv-listing"}
        # The same files again change nothing.
        summary, _ = api.import_profile(store, "me", PROFILE_FILES)
        assert summary.new == 0 and store.paper_count() == 12
        assert [p.name for p in store.profiles()] == ["me"]


def test_feed_import_counts(tmp_path: Path, store_location: str | Path) -> None:
    with Store(store_location) as store:
        summary, warnings = api.import_feed(store, FEED_FILES)
        assert summary.new == 183
        assert len(store.candidate_papers()) == 183
        assert warnings == []  # the sample pages parse without warnings (issue 14 item 20)


def test_failed_import_leaves_store_exactly_as_it_was(tmp_path: Path, store_location: str | Path) -> None:
    path = store_location
    with Store(path) as store:
        api.import_profile(store, "me", PROFILE_FILES[:1])
    before = _dump(path)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe garbage")
    with Store(path) as store, pytest.raises(InputError):
        api.import_profile(store, "me", [PROFILE_FILES[1], bad])
    assert _dump(path) == before


def test_write_failing_mid_transaction_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_location: str | Path
) -> None:
    path = store_location
    with Store(path) as store:
        api.import_profile(store, "me", PROFILE_FILES[:1])
    before = _dump(path)
    calls = {"n": 0}
    original = store_papers.write_keys_and_sources

    def failing(*args: Any) -> None:
        calls["n"] += 1
        original(*args)
        raise StoreError("simulated disk failure")  # papers, keys and sources already written in this transaction

    monkeypatch.setattr(store_papers, "write_keys_and_sources", failing)
    with Store(path) as store, pytest.raises(StoreError, match="simulated"):
        api.import_feed(store, FEED_FILES)
    assert _dump(path) == before
    monkeypatch.undo()
    # A rerun completes the import.
    with Store(path) as store:
        summary, _ = api.import_feed(store, FEED_FILES)
        assert summary.new == 183


def test_a_sqlalchemy_error_without_a_driver_error_is_a_store_error(tmp_path: Path, store_location: str | Path) -> None:
    # Not every SQLAlchemyError wraps a driver exception (.orig); each must still become one sentence.
    from sqlalchemy.exc import InvalidRequestError

    path = store_location
    with Store(path) as store:
        api.import_profile(store, "me", PROFILE_FILES[:1])
        before = _dump(path)
        with pytest.raises(StoreError, match="refused the write: bad request"), store.transaction() as conn:
            conn.exec_driver_sql("DELETE FROM papers")
            raise InvalidRequestError("bad request")
    assert _dump(path) == before


def test_import_merges_two_known_papers_linked_by_a_new_record(tmp_path: Path, store_location: str | Path) -> None:
    with Store(store_location) as store:
        store.import_papers([Paper(title="A paper about sharp minima", ids={"arxiv": "2401.00001"})], profile="me")
        store.import_papers([Paper(title="Completely other wording", ids={"doi": "10.1/x"})], as_candidates=True)
        assert store.paper_count() == 2
        # This record has the arXiv id of the first and the DOI of the second: they were one paper.
        store.import_papers([Paper(title="Bridge", ids={"arxiv": "2401.00001", "doi": "10.1/x"})])
        assert store.paper_count() == 1
        (paper,) = store.profile_papers("me")
        assert paper.ids == {"arxiv": "2401.00001", "doi": "10.1/x"}
        assert len(store.candidate_papers()) == 1


def test_unknown_profile_names_the_known_ones(tmp_path: Path, store_location: str | Path) -> None:
    with Store(store_location) as store:
        store.import_papers([Paper(title="Some paper title here")], profile="alice")
        with pytest.raises(StoreError, match="no profile named 'bob'.*alice"):
            store.profile_papers("bob")


def test_embeddings_round_trip_as_float32(tmp_path: Path, store_location: str | Path) -> None:
    with Store(store_location) as store:
        vector = np.array([0.25, -1.5, 3.0], dtype=np.float32)
        store.put_embeddings("m", {"h1": vector})
        store.put_embeddings("m", {"h1": vector * 2})  # a text is embedded once per model: first write stays
        got = store.get_embeddings("m", ["h1", "h2"])
        assert list(got) == ["h1"]
        assert got["h1"].dtype == np.float32 and np.array_equal(got["h1"], vector)
        assert store.get_embeddings("other-model", ["h1"]) == {}


def test_digest_embeds_each_text_once_per_model(tmp_path: Path, store_location: str | Path) -> None:
    from tests.conftest import KeywordEncoder

    encoder = KeywordEncoder()
    with Store(store_location) as store:
        api.import_profile(store, "me", PROFILE_FILES)
        api.import_feed(store, [SAMPLE / "feed_hf_oct17.txt"])
        first = api.digest_from_store(store, "me", encoder=encoder)
        assert sum(encoder.calls) == 12 + 55
        # The second digest asks for the papers already shown, so it repeats the first.
        second = api.digest_from_store(store, "me", encoder=encoder, settings=DigestOptions(include_seen=True))
        assert sum(encoder.calls) == 12 + 55  # all cached
        assert [r.paper.title for r in first.recommendations] == [r.paper.title for r in second.recommendations]
        assert store.digest_count() == 2
