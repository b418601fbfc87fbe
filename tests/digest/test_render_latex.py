"""Titles and abstracts with LaTeX read as Unicode text in every digest format; JSON keeps the raw title too."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from papersift.delivery.mail import compose, webhook_body
from papersift.delivery.tokens import Tokens
from papersift.digest import FORMATS, render
from papersift.models import Match, Paper, Recommendation

# A real title (data/sample/profile_publications.txt) and a sentence of its abstract.
RAW_TITLE = (
    r"$\boldsymbol{\mu}\mathbf{P^2}$: Effective Sharpness Aware Minimization Requires Layerwise Perturbation Scaling"
)
TITLE = "μP²: Effective Sharpness Aware Minimization Requires Layerwise Perturbation Scaling"
RAW_ABSTRACT = r"We call it $\textit{Maximal Update and Perturbation Parameterization}$ ($\mu$P$^2$)."
ABSTRACT = "We call it Maximal Update and Perturbation Parameterization (μP²)."


def _recs() -> list[Recommendation]:
    paper = Paper(title=RAW_TITLE, abstract=RAW_ABSTRACT, authors=["Ada Lovelace"], ids={"arxiv": "2411.00075"})
    paper.store_id = 7
    why = [Match(paper_title=Paper(title=r"Scaling $O(n^2)$ attention").display_title, similarity=0.8)]
    return [Recommendation(rank=1, score=0.7, paper=paper, why=why)]


@pytest.mark.parametrize("fmt", [f for f in FORMATS if not f.startswith("json")])
def test_every_reading_format_shows_unicode_not_latex(fmt: str) -> None:
    out = render(_recs(), fmt)
    assert "\\boldsymbol" not in out and "\\mathbf" not in out and "$O(n^2)$" not in out
    assert "Layerwise Perturbation Scaling" in out and "μP²" in out
    assert "Scaling O(n²) attention" in out


def test_json_title_is_the_display_title_and_raw_title_keeps_the_source() -> None:
    (obj,) = json.loads(render(_recs(), "json"))
    assert obj["title"] == TITLE
    assert obj["raw_title"] == RAW_TITLE
    assert obj["abstract"] == RAW_ABSTRACT  # as stored; renderers convert it
    assert obj["why"][0]["paper"] == "Scaling O(n²) attention"


def test_markdown_and_html_show_the_converted_abstract() -> None:
    assert ABSTRACT in render(_recs(), "markdown").replace("\\", "")
    assert ABSTRACT in render(_recs(), "html")


def test_mail_parts_show_unicode_not_latex() -> None:
    pick = _recs()[0]  # the stored record keeps the title as the source gave it
    message = compose(
        [pick],
        profile="me",
        to="you@uni.edu",
        sender="papersift <papersift@uni.edu>",
        day=dt.date(2026, 11, 24),
        date=dt.datetime(2026, 11, 24, 7, 30, tzinfo=dt.UTC),
        message_id="<x@uni.edu>",
        base_url="https://papersift.lab.example",
        tokens=Tokens(b"a-secret-for-tests-only-0123456789"),
    )
    for subtype in ("plain", "html"):
        part = message.get_body((subtype,))
        assert part is not None
        content = str(part.get_content())
        assert TITLE in content and (subtype == "plain" or ABSTRACT in content), subtype
        assert "\\boldsymbol" not in content and "\\textit" not in content, subtype
    assert TITLE in webhook_body([pick], "me", dt.date(2026, 11, 24))["text"]
