"""Web pages show titles and abstracts with LaTeX as Unicode text (no script, no CDN), raw LaTeX nowhere."""

from __future__ import annotations

from pathlib import Path

from papersift.models import Paper
from papersift.store import Store
from tests.web.conftest import make_client

RAW = r"$\boldsymbol{\mu}\mathbf{P^2}$: Effective Sharpness Aware Minimization Requires Layerwise Perturbation Scaling"
SHOWN = "μP²: Effective Sharpness Aware Minimization Requires Layerwise Perturbation Scaling"


def test_profile_and_paper_pages_show_unicode_titles(store_location: str | Path) -> None:
    own = Paper(
        title=RAW,
        abstract=r"We identify $\textit{Maximal Update and Perturbation Parameterization}$ ($\mu$P$^2$) for sharpness.",
        ids={"arxiv": "2411.00075"},
    )
    candidate = Paper(title=r"Scaling $O(n^2)$ sharpness", abstract="Sharpness at scale.", ids={"arxiv": "2501.00001"})
    with Store(store_location) as store:
        store.import_papers([own], profile="me")
        store.import_papers([candidate], as_candidates=True)
        paper_id = store.resolve_paper("2411.00075")
    with make_client(store_location) as client:
        profile = client.get("/p/me/profile")
        page = client.get(f"/p/me/papers/{paper_id}")
    assert profile.status_code == 200 and page.status_code == 200
    for html in (profile.text, page.text):
        assert SHOWN in html
        assert "\\boldsymbol" not in html and "\\mathbf" not in html
    assert "Maximal Update and Perturbation Parameterization (μP²) for sharpness." in page.text
    assert "<title>μP²: Effective" in page.text
    assert "katex" not in page.text.lower() and "mathjax" not in page.text.lower()


def test_the_profile_page_marks_an_untitled_record(store_location: str | Path) -> None:
    untitled = Paper(abstract="Sparse mixtures of experts scale well. More follows.", ids={"arxiv": "2409.01483"})
    with Store(store_location) as store:
        store.import_papers([untitled, Paper(title="A titled paper", abstract="Text.")], profile="me")
    with make_client(store_location) as client:
        page = client.get("/p/me/profile")
    assert page.status_code == 200
    assert 'Sparse mixtures of experts scale well</a> <span class="muted">(untitled' in page.text
    assert page.text.count("(untitled: the abstract") == 1
