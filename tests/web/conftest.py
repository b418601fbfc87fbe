"""A temporary store with hand-checkable papers, the fake keyword encoder, and apps built from them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from papersift import accounts
from papersift.models import Paper
from papersift.store import Store
from papersift.web import WebSettings, create_app
from tests.conftest import KeywordEncoder

OWN = [
    Paper(
        title="Sharpness-aware minimization revisited",
        abstract="We study sharpness and flat minima.",
        ids={"arxiv": "2001.00001"},
        date="2020-01-05",
        authors=["Ada Lovelace"],
    ),
    Paper(
        title="Sharpness and generalization",
        abstract="Sharpness measures predict generalization.",
        ids={"arxiv": "2001.00002"},
        date="2021-03-01",
        authors=["Ada Lovelace"],
    ),
    Paper(
        title="Machine unlearning at scale",
        abstract="Unlearning removes the influence of data.",
        ids={"arxiv": "2001.00003"},
        date="2022-06-01",
        authors=["Ada Lovelace", "Bo Chen"],
    ),
    Paper(
        title="Certified unlearning",
        abstract="Unlearning with guarantees.",
        ids={"doi": "10.1/unlearn"},
        date="2023-02-01",
        authors=["Ada Lovelace"],
    ),
]
CANDIDATES = [
    Paper(
        title="Flat minima and sharpness <b>bold</b>",
        abstract="Sharpness of minima, again sharpness.",
        ids={"arxiv": "2411.00001"},
        date="2026-11-20",
        authors=["Carl <script>alert(1)</script>"],
        links=["javascript:alert(1)", "https://github.com/x/flat"],
    ),
    Paper(
        title="Unlearning for language models",
        abstract="Unlearning facts from LLMs.",
        ids={"arxiv": "2411.00002"},
        date="2026-11-20",
        authors=["Dana Smith"],
    ),
    Paper(
        title="Pruning transformers",
        abstract="Pruning heads; some sharpness.",
        ids={"arxiv": "2411.00003"},
        date="2026-11-19",
        authors=["Eve Adams"],
    ),
    Paper(
        title="Robot grasping",
        abstract="A robot learns to grasp.",
        ids={"arxiv": "2411.00004"},
        date="2026-11-19",
        authors=["Finn Olsen"],
    ),
    Paper(
        title="Plasma confinement",
        abstract="Plasma in tokamaks.",
        ids={"arxiv": "2411.00005"},
        date="2026-11-18",
        authors=["Gus Ray"],
    ),
    Paper(
        title="Sharpness of unlearning",
        abstract="Unlearning meets sharpness.",
        ids={"arxiv": "2411.00006"},
        date="2026-11-18",
        authors=["Hana Ito"],
    ),
]
OTHER_OWN = [
    Paper(
        title="Robot learning from play",
        abstract="Robot policies from play data; robot arms.",
        ids={"arxiv": "2002.00001"},
        date="2021-01-01",
        authors=["Bob Builder"],
    ),
    Paper(
        title="Private robot draft",
        abstract="An unpublished robot manuscript.",
        date="2026-01-01",
        authors=["Bob Builder"],
    ),
]
PASSWORD = "correct horse battery"


def fill_store(path: str | Path) -> None:
    with Store(path) as store:
        store.import_papers(OWN, profile="ada")
        store.import_papers(CANDIDATES, as_candidates=True)
        store.import_papers(OTHER_OWN, profile="bob")


@pytest.fixture
def store_path(store_location: str | Path) -> str | Path:
    """The test's store (an SQLite file, or a PostgreSQL schema with --postgres), filled."""
    fill_store(store_location)
    return store_location


def make_client(path: str | Path, multi_user: bool = False, **extra: object) -> TestClient:
    settings = WebSettings(store=str(path), multi_user=multi_user, encoder=KeywordEncoder(), **extra)  # type: ignore[arg-type]
    return TestClient(create_app(settings), follow_redirects=False)


@pytest.fixture
def client(store_path: str | Path) -> Iterator[TestClient]:
    with make_client(store_path) as c:
        yield c


def csrf_of(client: TestClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def finish_jobs(client: TestClient) -> None:
    client.app.state.papersift.jobs.wait_all()  # type: ignore[attr-defined]


@pytest.fixture
def multi(store_path: str | Path) -> Iterator[tuple[TestClient, TestClient]]:
    """Two signed-in users on one multi-user app: ada owns 'ada', bob owns 'bob'."""
    with Store(store_path) as store:
        ada = accounts.add_user(store, "ada", PASSWORD)
        bob = accounts.add_user(store, "bob", PASSWORD)
        accounts.claim_profile(store, ada, "ada")
        accounts.claim_profile(store, bob, "bob")
    first = make_client(store_path, multi_user=True)
    second = TestClient(first.app, follow_redirects=False)
    with first, second:
        for c, name in ((first, "ada"), (second, "bob")):
            response = c.post("/login", data={"username": name, "password": PASSWORD, "next": "/"})
            assert response.status_code == 303, response.text
        yield first, second
