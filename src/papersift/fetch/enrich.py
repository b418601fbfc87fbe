"""Abstracts for profile papers whose service gives none (ORCID, DBLP), looked up by DOI in OpenAlex.

A profile of bare titles ranks poorly: a title alone says little to the encoder. After an
ORCID or DBLP document is read, the DOIs of its papers that came without an abstract are
looked up in OpenAlex, 50 per request (``filter=doi:a|b|...``), and each work found is merged
into its paper (the abstract, missing ids and links; OpenAlex joins the paper's provenance).
The lookup is best effort: if OpenAlex fails, the papers are kept as they are and the report
says how many abstracts are missing and why.
"""

from __future__ import annotations

import re

from ..errors import SourceError
from ..identity import merge
from ..models import Paper
from ..sources import ParseResult, openalex
from .base import get_parsed
from .client import HttpClient
from .openalex import SERVICE as OPENALEX
from .openalex import URL as OPENALEX_URL

BATCH = 50
TITLE_ONLY = "have no abstract; ranked on their titles alone"
# A DOI with a filter separator in it cannot be asked for in a batch; such DOIs are rare.
_UNSAFE = re.compile(r"[|,\s]")


def add_missing_abstracts(client: HttpClient, result: ParseResult, origin: str) -> int:
    """Fill in abstracts of ``result`` (read from ``origin``) from OpenAlex by DOI; returns how many were filled.

    Failures become a warning on ``result``, never an error; the parser's count of title-only
    records is restated after the lookup.
    """
    wanting: dict[str, list] = {}
    for paper in result.papers:
        doi = paper.ids.get("doi")
        if doi and not paper.abstract.strip() and not _UNSAFE.search(doi):
            wanting.setdefault(doi.lower(), []).append(paper)
    if not wanting:
        return 0
    dois = sorted(wanting)
    filled = 0
    for start in range(0, len(dois), BATCH):
        try:
            works = works_by_doi(client, dois[start : start + BATCH])
        except SourceError as exc:
            left = sum(len(wanting[d]) for d in dois[start:])
            result.warnings.append(f"{left} papers keep no abstract: looking them up in OpenAlex failed ({exc})")
            break
        for doi, work in works.items():
            for paper in wanting.get(doi, []):
                if not paper.abstract.strip() and work.abstract.strip():
                    filled += 1
                    merge(paper, work)
    if filled:
        result.warnings[:] = [w for w in result.warnings if not w.endswith(TITLE_ONLY)]
        missing = sum(1 for paper in result.papers if not paper.abstract.strip())
        note = f"{origin}: {filled} abstracts added from OpenAlex by DOI"
        result.warnings.append(
            f"{note}; {missing} of {len(result.papers)} records still have none" if missing else note
        )
    return filled


def works_by_doi(client: HttpClient, dois: list[str]) -> dict[str, Paper]:
    """OpenAlex's works for ``dois`` (lower-case, at most :data:`BATCH`), in one request, by DOI."""
    found, _, _ = get_parsed(
        client, OPENALEX, OPENALEX_URL, openalex.parse, {"filter": "doi:" + "|".join(dois), "per-page": BATCH}
    )
    return {(work.ids.get("doi") or "").lower(): work for work in found.papers if work.ids.get("doi")}


def fill_bare_dois(client: HttpClient | None, papers: list[Paper]) -> str | None:
    """Records that are a DOI alone (no title, no abstract) take their work from OpenAlex.

    Returns why some could not be looked up (offline, or OpenAlex failed), else None.
    """
    wanting: dict[str, list[Paper]] = {}
    for paper in papers:
        doi = (paper.ids.get("doi") or "").lower()
        if doi and paper.untitled and not paper.abstract.strip() and not _UNSAFE.search(doi):
            wanting.setdefault(doi, []).append(paper)
    if not wanting:
        return None
    if client is None:
        return "papersift is offline"
    dois = sorted(wanting)
    for start in range(0, len(dois), BATCH):
        try:
            works = works_by_doi(client, dois[start : start + BATCH])
        except SourceError as exc:
            return f"looking them up in OpenAlex failed ({str(exc).rstrip('.')})"
        for doi, work in works.items():
            for paper in wanting.get(doi, []):
                merge(paper, work)
    return None
