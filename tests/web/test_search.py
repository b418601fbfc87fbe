"""Word search gives the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from papersift.models import Paper
from papersift.store import Store

PLASMA = [
    Paper(title="Plasma without a date", abstract="Undated plasma.", ids={"arxiv": "2412.00001"}),
    Paper(title="Plasma of November", abstract="Plasma again.", ids={"arxiv": "2412.00002"}, date="2026-11-25"),
    Paper(
        title="Über Plasmawellen",
        abstract="Eine Studie.",
        ids={"arxiv": "2412.00003"},
        date="2026-11-01",
        authors=["Jörg Müller"],
    ),
]


def test_newest_first_and_undated_last(client: TestClient, store_path: str | Path) -> None:
    with Store(store_path) as store:
        store.import_papers(PLASMA, as_candidates=True)
    page = client.get("/p/ada/search", params={"q": "plasma"}).text
    # PostgreSQL sorts NULL dates first when descending; the search says "newest first" on both.
    assert page.index("Plasma of November") < page.index("Über Plasmawellen") < page.index("Plasma without a date")
    assert page.index("Plasma confinement") < page.index("Plasma without a date")


def test_accented_authors_and_titles_are_found(client: TestClient, store_path: str | Path) -> None:
    with Store(store_path) as store:
        store.import_papers(PLASMA, as_candidates=True)
    for query in ("Müller", "müller", "Über", "über", "Jörg", "MÜLLER"):
        page = client.get("/p/ada/search", params={"q": query}).text
        assert "Über Plasmawellen" in page, query
