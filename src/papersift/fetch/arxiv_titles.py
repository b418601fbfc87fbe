"""Titles for arXiv-listing records that came without one, from one batched arXiv API request.

An author listing copied from arxiv.org often has no title lines (``data/sample/profile_arxiv.txt``):
each record is an abstract, ``arXiv:ID`` and ``Created:``. Such a paper is kept and shown by its
abstract's first sentence, but the title is what the user recognises and what the encoder reads
first. At profile import time, when online, the ids of every untitled record go to the arXiv API in
one request (``id_list=a,b,c&max_results=N``, :data:`BATCH` ids per request), and each entry found
is merged into its paper: the title, the authors and arXiv's provenance (the listing's abstract,
comments and date stay). Offline, or when arXiv fails, nothing is lost: the papers are kept
untitled and :meth:`TitleLookup.message` says how many and how to fill them in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import SourceError
from ..identity import merge
from ..models import Paper
from ..sources import arxiv_api
from .arxiv import API_URL, SERVICE
from .base import get_parsed
from .client import HttpClient

# arXiv answers up to 2,000 entries per request; 200 ids keep the URL short (about 2.5 KB).
BATCH = 200


@dataclass(frozen=True)
class TitleLookup:
    """What a title lookup did: ``untitled`` papers with an arXiv id asked for, ``filled`` of them
    titled from arXiv, ``error`` why it stopped (None: it ran or was not tried), ``online`` whether it was tried."""

    untitled: int = 0
    filled: int = 0
    online: bool = False
    error: str | None = None

    @property
    def missing(self) -> int:
        return self.untitled - self.filled

    def message(self, offline_hint: str = "import the same files again when online") -> str | None:
        """One sentence for the user: what was filled in, and how to fill in the rest (None: nothing to say)."""
        if not self.untitled:
            return None
        filled = f"{self.filled} title{'s' if self.filled != 1 else ''} looked up on arXiv; " if self.filled else ""
        if not self.missing:
            return (
                f"{self.filled} untitled arXiv-listing record{'s' if self.filled != 1 else ''} got a title from arXiv"
            )
        why = (
            f"looking them up on arXiv failed ({self.error})"
            if self.error
            else "arXiv did not know their ids"
            if self.online
            else "titles are looked up on arXiv only when online"
        )
        fix = "check the ids" if self.online and not self.error else offline_hint
        records = (
            "1 record has no title and is shown by its abstract's first sentence"
            if self.missing == 1
            else f"{self.missing} records have no title and are shown by their abstract's first sentence"
        )
        return f"{filled}{records}: {why}; {fix} to fetch the titles (the papers are kept either way)"


def untitled_with_arxiv_id(papers: Sequence[Paper]) -> list[Paper]:
    return [p for p in papers if p.untitled and p.ids.get("arxiv")]


def add_missing_titles(
    client: HttpClient | None, papers: Sequence[Paper], on_start: Callable[[int], None] | None = None
) -> TitleLookup:
    """Give untitled papers with an arXiv id their title (and authors) from the arXiv API; ``client`` None: offline.

    ``on_start`` is told how many ids are about to be asked for (a request that fails with no
    network takes the client's retries, some seconds). Never raises for a network or service
    failure: the papers stay untitled and the returned :class:`TitleLookup` says why.
    """
    wanting: dict[str, list[Paper]] = {}
    for paper in untitled_with_arxiv_id(papers):
        wanting.setdefault(paper.ids["arxiv"], []).append(paper)
    untitled = sum(len(group) for group in wanting.values())
    if not wanting or client is None:
        return TitleLookup(untitled=untitled)
    ids = list(wanting)
    if on_start is not None:
        on_start(len(ids))
    filled = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        params = {"id_list": ",".join(batch), "max_results": len(batch)}
        try:
            found, _, _ = get_parsed(client, SERVICE, API_URL, arxiv_api.parse, params)
        except SourceError as exc:
            return TitleLookup(untitled=untitled, filled=filled, online=True, error=str(exc).rstrip("."))
        for entry in found.papers:
            for paper in wanting.get(entry.ids.get("arxiv", ""), []):
                if paper.untitled and entry.title.strip():
                    merge(paper, entry)
                    filled += 1
    return TitleLookup(untitled=untitled, filled=filled, online=True)
