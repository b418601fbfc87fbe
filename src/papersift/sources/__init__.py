"""Readers for every input format; each is a pure function from text to papers.

:func:`read_papers` reads a file (checking it is non-empty, text, UTF-8 and
not absurdly large), detects its format unless told, and parses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError
from . import (
    arxiv_api,
    arxiv_listing,
    arxiv_oai,
    arxiv_rss,
    bibtex,
    crossref,
    csl_json,
    dblp,
    hf_api,
    hf_page,
    jsonfmt,
    openalex,
    openreview,
    orcid,
    publist,
    ris,
    semantic_scholar,
    zotero_api,
)
from .base import ParseResult

__all__ = ["FORMATS", "ParseResult", "detect_format", "decode", "parse_text", "read_papers"]

MAX_FILE_BYTES = 512 * 1024 * 1024

Parser = Callable[[str, str], ParseResult]

FORMATS: dict[str, Parser] = {
    jsonfmt.FORMAT_JSON: jsonfmt.parse_json,
    jsonfmt.FORMAT_JSONL: jsonfmt.parse_jsonl,
    bibtex.FORMAT: bibtex.parse,
    arxiv_listing.FORMAT: arxiv_listing.parse,
    hf_page.FORMAT: hf_page.parse,
    publist.FORMAT: publist.parse,
    arxiv_api.FORMAT: arxiv_api.parse,
    arxiv_rss.FORMAT: arxiv_rss.parse,
    arxiv_oai.FORMAT: arxiv_oai.parse,
    hf_api.FORMAT: hf_api.parse,
    openalex.FORMAT: openalex.parse,
    semantic_scholar.FORMAT: semantic_scholar.parse,
    orcid.FORMAT: orcid.parse,
    crossref.FORMAT: crossref.parse,
    dblp.FORMAT: dblp.parse,
    openreview.FORMAT: openreview.parse,
    ris.FORMAT: ris.parse,
    csl_json.FORMAT: csl_json.parse,
    zotero_api.FORMAT: zotero_api.parse,
}

# Most specific first: service responses (each recognised by its own keys or root element) before
# papersift's generic JSON, which would otherwise take any list of objects; a publication list is the loosest shape.
_DETECTORS: list[tuple[str, Callable[[str], bool]]] = [
    (arxiv_api.FORMAT, arxiv_api.looks_like),
    (arxiv_rss.FORMAT, arxiv_rss.looks_like),
    (arxiv_oai.FORMAT, arxiv_oai.looks_like),
    (dblp.FORMAT, dblp.looks_like),
    (semantic_scholar.FORMAT, semantic_scholar.looks_like),
    (hf_api.FORMAT, hf_api.looks_like),
    (openalex.FORMAT, openalex.looks_like),
    (crossref.FORMAT, crossref.looks_like),
    (orcid.FORMAT, orcid.looks_like),
    (openreview.FORMAT, openreview.looks_like),
    (zotero_api.FORMAT, zotero_api.looks_like),
    (csl_json.FORMAT, csl_json.looks_like),
    (ris.FORMAT, ris.looks_like),
    (jsonfmt.FORMAT_JSONL, jsonfmt.looks_like_jsonl),
    (jsonfmt.FORMAT_JSON, jsonfmt.looks_like_json),
    (arxiv_listing.FORMAT, arxiv_listing.looks_like),
    (hf_page.FORMAT, hf_page.looks_like),
    (bibtex.FORMAT, bibtex.looks_like),
    (publist.FORMAT, publist.looks_like),
]


def detect_format(text: str) -> str | None:
    """The name of the format ``text`` is in, or None."""
    for name, looks_like in _DETECTORS:
        if looks_like(text):
            return name
    return None


def decode(data: bytes, origin: str) -> str:
    """Bytes -> text, refusing what is not UTF-8 text with the line of the first bad byte."""
    if not data.strip():
        raise InputError("is empty", origin)
    if b"\x00" in data[:8192]:
        raise InputError("is a binary file, not text", origin)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"is not valid UTF-8 (byte {exc.start})", origin, line=line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_text(text: str, origin: str = "<text>", input_format: str | None = None) -> ParseResult:
    """Parse ``text`` in ``input_format`` (auto-detected when None)."""
    name = input_format or detect_format(text)
    if name is None:
        raise InputError(
            "is in no known format (expected one of: " + ", ".join(FORMATS) + "; use --input-format to force one)",
            origin,
        )
    if name not in FORMATS:
        raise InputError(f"unknown input format '{name}' (known: {', '.join(FORMATS)})", origin)
    return FORMATS[name](text, origin)


def read_papers(path: str | Path, input_format: str | None = None, today: dt.date | None = None) -> ParseResult:
    """Read and parse one file."""
    path = Path(path)
    origin = str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError("is a directory, not a file", origin)
        if size > MAX_FILE_BYTES:
            raise InputError(f"is too large ({size} bytes; the limit is {MAX_FILE_BYTES})", origin)
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("does not exist", origin) from None
    except PermissionError:
        raise InputError("cannot be read (permission denied)", origin) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", origin) from None
    text = decode(data, origin)
    name = input_format or detect_format(text)
    if name == hf_page.FORMAT and today is not None:
        return hf_page.parse(text, origin, today=today)
    return parse_text(text, origin, name)
