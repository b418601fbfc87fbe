"""How papers look on a page: safe links, bylines, percentages (presentation only, no ranking).

The byline, the link to the paper itself and the reasons of a pick are the digest presenter's
(:mod:`papersift.digest.present`), as in every other channel.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from ..digest import present as digest_present
from ..models import Paper

_CODE_HOSTS = ("github.com/", "gitlab.com/", "huggingface.co/spaces/", "bitbucket.org/", "codeberg.org/")


def safe_url(url: str | None) -> str | None:
    """Only http(s) URLs reach an href: a javascript: link in a record stays text."""
    if url and re.match(r"^https?://[^\s\"'<>]+$", url.strip(), re.IGNORECASE):
        return url.strip()
    return None


def paper_links(paper: Paper) -> list[tuple[str, str]]:
    """(label, URL) for the abstract page, the PDF and the code, where known."""
    links = [u for u in (safe_url(x) for x in paper.links) if u]
    arxiv = paper.ids.get("arxiv")
    abstract = digest_present.paper_link(paper)
    pdf = (
        f"https://arxiv.org/pdf/{quote(arxiv)}"
        if arxiv
        else next((u for u in links if u.lower().endswith(".pdf")), None)
    )
    code = next((u for u in links if _is_code(u)), None)
    extra_code = paper.extra.get("code") or paper.extra.get("github")
    if code is None and isinstance(extra_code, str):
        code = safe_url(extra_code)
    found = [("Abstract page", abstract), ("PDF", pdf), ("Code", code)]
    return [(label, url) for label, url in found if url]


def _is_code(url: str) -> bool:
    return any(host in url.lower() for host in _CODE_HOSTS)


byline = digest_present.byline
reasons = digest_present.reasons
interest_name = digest_present.interest_name


def percent(value: Any) -> str:
    return "" if value is None else f"{round(float(value) * 100)}%"


def origin_label(origin: str) -> str:
    if origin.startswith("upload:"):
        return "uploaded " + origin[len("upload:") :]
    if "://" in origin:
        return origin.split("://", 1)[1].split("/", 1)[0]
    return origin.rsplit("/", 1)[-1]


INTEREST_COLOURS = [
    "#1b6ca8",
    "#c2410c",
    "#15803d",
    "#7e22ce",
    "#b91c1c",
    "#0f766e",
    "#a16207",
    "#be185d",
    "#4d7c0f",
    "#475569",
]


def colour(index: int) -> str:
    return INTEREST_COLOURS[index % len(INTEREST_COLOURS)]
