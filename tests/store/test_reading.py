"""``Store.reading()``: one connection and read transaction for a block of store calls (a web page)."""

from __future__ import annotations

import threading
from pathlib import Path

from papersift.models import Paper
from papersift.store import Store


def _paper(n: int) -> Paper:
    return Paper(title=f"Paper {n} on sharpness", abstract="An abstract.", ids={"arxiv": f"2411.{n:05d}"})


def test_reads_in_a_block_share_one_connection_and_see_a_write_made_inside_it(store_location: str | Path) -> None:
    with Store(store_location) as store:
        store.import_papers([_paper(1)], profile="ada")
        store.import_papers([_paper(2)], as_candidates=True)
        candidate = store.resolve_paper("2411.00002")
        with store.reading():
            with store.snapshot() as first, store.snapshot() as second:
                assert first is second
            assert store.ratings("ada") == []
            store.rate("ada", candidate, "up")
            # The write ended the block's read transaction, so the next read sees it.
            assert [r.rating for r in store.ratings("ada")] == ["up"]
            with store.reading():  # nested: the same connection
                assert [r.rating for r in store.ratings("ada")] == ["up"]
        with store.snapshot() as outside:
            with store.snapshot() as other:
                assert outside is not other


def test_a_block_reads_one_consistent_view_while_another_thread_writes(store_location: str | Path) -> None:
    with Store(store_location) as store:
        store.import_papers([_paper(1)], profile="ada")
        with store.reading():
            before = len(store.profile_papers("ada"))
            writer = threading.Thread(target=lambda: store.import_papers([_paper(3)], profile="ada"))
            writer.start()
            writer.join()
            # The other thread's calls are not part of this block: its write committed on its own.
            seen_inside = len(store.profile_papers("ada"))
        assert len(store.profile_papers("ada")) == before + 1
        # SQLite keeps the block's snapshot; PostgreSQL (read committed) may show the new row.
        assert seen_inside in (before, before + 1)


def test_a_database_error_inside_a_block_is_a_store_error_and_the_block_ends_cleanly(tmp_path: Path) -> None:
    import pytest
    from sqlalchemy import text

    from papersift.errors import StoreError

    with Store(tmp_path / "s.db") as store:
        with pytest.raises(StoreError, match="could not be read"):
            with store.reading():
                with store.snapshot() as conn:
                    conn.execute(text("SELECT * FROM no_such_table"))
        assert store.profiles() == []  # the store still works after the failed block
