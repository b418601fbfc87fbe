"""Helpers shared by the parsers of web-service responses (JSON and XML from scholarly APIs).

Every service parser refuses an HTML error page with one sentence, reports
truncated JSON or XML with the line, parses XML only through defusedxml (no
entity expansion, no external resources), and skips a record with neither a
title nor an abstract with a warning naming its number.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from ..errors import InputError
from ..identity import normalize_arxiv_id, normalize_doi
from ..models import Paper
from .base import ParseResult

_HTML_START = re.compile(r"^\s*(<!doctype\s+html|<html|<head|<body)", re.IGNORECASE)
# Every pattern run on a whole field must be linear in its length: a tag stops at the next "<" as well
# as at ">", so a run of unclosed "<" is scanned once, not once per "<" (200,000 of them took 23 s).
_TAG = re.compile(r"<[^<>]*>")
# Inline markup sits inside words ("Al<sub>2</sub>O<sub>3</sub>"): dropped without a space.
_INLINE_TAG = re.compile(
    r"</?(?:[a-z]+:)?(?:sub|sup|i|b|em|strong|italic|bold|sc|u|span|a|monospace|underline)\b[^<>]*>", re.IGNORECASE
)
_SCRIPT_OPEN = re.compile(r"<(script|style)\b", re.IGNORECASE)
_JATS_HEADING = re.compile(r"<(jats:)?title>\s*abstract\s*</(jats:)?title>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?$", re.IGNORECASE)
# A URL longer than this is not looked into for an arXiv id (the lazy pattern above rescans the rest per match).
_MAX_URL_CHARS = 2048


def reject_html(text: str, origin: str, what: str) -> None:
    if _HTML_START.match(text[:2048]):
        raise InputError(
            f"looks like an HTML page, not a {what} response (the service may have answered with an error page)",
            origin,
        )


def load_json(text: str, origin: str, what: str) -> Any:
    """The JSON document in ``text``; an HTML page or broken JSON is an InputError naming the line."""
    if _LAST_DOCUMENT is not None and _LAST_DOCUMENT[0] is text and _LAST_DOCUMENT[1] is not None:
        return _LAST_DOCUMENT[1]  # detection parsed this very text already
    reject_html(text, origin, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid or truncated {what} JSON ({exc.msg})", origin, line=exc.lineno) from None


# The text detection last parsed and its document: every detector asks, the text is parsed once.
# A single entry compared by identity (no hashing of a 50 MiB text, and nothing kept after detection).
_LAST_DOCUMENT: tuple[str, Any] | None = None


def json_document(text: str) -> Any:
    """The parsed document for format detection, or None; every detector of one text shares one parse."""
    global _LAST_DOCUMENT
    if _LAST_DOCUMENT is not None and _LAST_DOCUMENT[0] is text:
        return _LAST_DOCUMENT[1]
    document = None
    head = text[:64].lstrip()[:1] or text.lstrip()[:1]
    if head in ("[", "{"):
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):  # ValueError: broken JSON, or a number past Python's digit limit
            document = None
    _LAST_DOCUMENT = (text, document)
    return document


def release_json_document() -> None:
    """Forget the document detection parsed (a parser that asks again after this parses afresh)."""
    global _LAST_DOCUMENT
    _LAST_DOCUMENT = None


def first_dict(items: list[Any]) -> dict[str, Any] | None:
    return next((item for item in items if isinstance(item, dict)), None)


def xml_head(text: str, size: int = 4096) -> str:
    """The start of an XML document, for cheap format detection."""
    head = text.lstrip()[:size]
    return head if head.startswith("<") else ""


def parse_xml(text: str, origin: str, what: str) -> Element:
    """Parse XML with defusedxml: entity declarations and external references are refused, never expanded."""
    import defusedxml.ElementTree as safe_tree  # imported when needed: most runs read no XML
    from defusedxml import DefusedXmlException

    reject_html(text, origin, what)
    try:
        # A str goes to expat as it is (read as UTF-8 whatever the declaration says, as it was decoded):
        # no second copy of a large document.
        return safe_tree.fromstring(text)
    except DefusedXmlException as exc:
        raise InputError(
            f"refused: the {what} XML declares entities or external references ({type(exc).__name__}); "
            "real responses never do",
            origin,
        ) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputError(f"invalid or truncated {what} XML ({exc.msg})", origin, line=line) from None


def local_name(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element: Element, name: str) -> list[Element]:
    """Direct children with this local name, whatever their namespace."""
    return [child for child in element if local_name(child.tag) == name]


def child_text(element: Element, name: str) -> str:
    found = children(element, name)
    return squash("".join(found[0].itertext())) if found else ""


# A field is read up to this many characters: every stored field is bounded far below it (see
# sanitize.py), and collapsing the whitespace of a 50 MiB field took 7 s and 800 MB.
MAX_RAW_FIELD_CHARS = 1_000_000


def squash(value: Any) -> str:
    """Text with runs of whitespace (wrapped lines, indentation) collapsed to one space."""
    return _SPACE.sub(" ", value[:MAX_RAW_FIELD_CHARS]).strip() if isinstance(value, str) else ""


def _drop_scripts(value: str) -> str:
    """``<script>``/``<style>`` elements removed with their content, in one pass (an unclosed one runs to the end)."""
    if "<" not in value:
        return value
    lowered = value.lower()
    kept: list[str] = []
    position = 0
    while True:
        found = _SCRIPT_OPEN.search(value, position)
        if not found:
            kept.append(value[position:])
            break
        kept.append(value[position : found.start()])
        close = lowered.find("</" + found.group(1).lower(), found.end())
        if close < 0:  # never closed: kept, its tags are dropped like any other
            kept.append(value[found.start() :])
            break
        end = lowered.find(">", close)
        position = len(value) if end < 0 else end + 1
        kept.append(" ")
    return "".join(kept)


def strip_markup(value: Any) -> str:
    """JATS/HTML fragment -> plain text: tags dropped (never interpreted), entities decoded."""
    if not isinstance(value, str):
        return ""
    value = value[:MAX_RAW_FIELD_CHARS]
    value = _INLINE_TAG.sub("", _JATS_HEADING.sub(" ", _drop_scripts(value)))
    return squash(html.unescape(_TAG.sub(" ", value)))


def iso_date(value: Any) -> str | None:
    """``2026-05-30T00:00:00.000Z``, ``Thu, 28 Nov 2024 ...``, ``1992-00-00`` or ``2018`` -> ISO date."""
    if isinstance(value, int) and 1000 <= value <= 9999:
        return str(value)
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    match = _ISO_DATE.match(value)
    if match:
        year, month, day = match.groups()
        if not month or int(month) == 0:
            return year
        if not day or int(day) == 0:
            return f"{year}-{int(month):02d}"
        return f"{year}-{int(month):02d}-{int(day):02d}"
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def date_from_parts(value: Any) -> str | None:
    """CSL / Crossref ``{"date-parts": [[2012, 3, 21]]}`` -> ``2012-03-21`` (``[[2024]]`` -> ``2024``)."""
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            numbers = [int(p) for p in parts[0][:3] if p is not None and str(p).strip()]
        except (TypeError, ValueError, OverflowError):  # -Infinity, NaN, {"y": 2020}: no date
            numbers = []
        if numbers:
            return iso_date("-".join(str(n) for n in numbers))
    return iso_date(value.get("raw") or value.get("literal"))


def add_doi(ids: dict[str, str], value: Any) -> None:
    """Record a DOI (lower-cased); an arXiv DataCite DOI also gives the arXiv id."""
    doi = normalize_doi(value) if isinstance(value, str) else None
    if not doi:
        return
    ids.setdefault("doi", doi)
    arxiv = _ARXIV_DOI.match(doi)
    if arxiv:
        add_arxiv(ids, arxiv.group(1))


def add_arxiv(ids: dict[str, str], value: Any) -> None:
    found = normalize_arxiv_id(str(value)) if isinstance(value, str | int) and str(value) else None
    if found:
        ids.setdefault("arxiv", found)


def add_arxiv_from_url(ids: dict[str, str], url: Any) -> None:
    if isinstance(url, str) and len(url) <= _MAX_URL_CHARS:
        match = _ARXIV_URL.search(url.strip())
        if match:
            add_arxiv(ids, match.group(1))


def as_dict(value: Any) -> dict[str, Any] | None:
    """``value`` if it is a JSON object, else None (so ``as_dict(x.get("k")) or {}`` reads a field safely)."""
    return value if isinstance(value, dict) else None


def as_list(value: Any) -> list[Any] | None:
    """``value`` if it is a JSON array, else None."""
    return value if isinstance(value, list) else None


_EMPTY: tuple[Any, ...] = (None, "", [])


def drop_empty(fields: dict[str, Any], empty: tuple[Any, ...] = _EMPTY) -> dict[str, Any]:
    """``fields`` without the entries whose value is one of ``empty`` (a paper's ``extra`` keeps what was found)."""
    return {k: v for k, v in fields.items() if v not in empty}


def unique(values: list[Any]) -> list[str]:
    """The distinct non-blank strings of ``values``, stripped, in order (a set keeps it linear)."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        if isinstance(value, str) and value.strip() and value.strip() not in seen:
            seen.add(value.strip())
            kept.append(value.strip())
    return kept


def skip_without_text(result: ParseResult, origin: str, record: int, title: str, abstract: str) -> bool:
    """True (with a warning) when a record has nothing to rank on."""
    if title or abstract:
        return False
    result.warnings.append(f"{origin}, record {record}: neither a title nor an abstract; skipped")
    return True


def collect_objects(
    result: ParseResult,
    items: Iterable[Any],
    origin: str,
    kind: str,
    build: Callable[[dict[str, Any], str, int], tuple[str, str, Paper]],
    null_reason: str | None = None,
) -> ParseResult:
    """Papers from a JSON list of ``kind`` objects: ``build(obj, origin, record)`` -> (title, abstract, paper).

    Anything but an object is skipped with a warning naming the record (``null_reason`` explains
    a ``null``, where a service uses one for an id it does not know); so is a record with neither
    title nor abstract. Title-only records get one warning for the lot.
    """
    for record, item in enumerate(items, start=1):
        if item is None and null_reason:
            result.warnings.append(f"{origin}, record {record}: null ({null_reason}); skipped")
            continue
        if not isinstance(item, dict):
            result.warnings.append(f"{origin}, record {record}: not a {kind} object; skipped")
            continue
        title, abstract, paper = build(item, origin, record)
        if not skip_without_text(result, origin, record, title, abstract):
            result.papers.append(paper)
    note_missing_abstracts(result, origin)
    return result


def note_missing_abstracts(result: ParseResult, origin: str) -> None:
    """One warning for all title-only records: a search page of a hundred titles needs no hundred warnings."""
    missing = sum(1 for paper in result.papers if not paper.abstract)
    if missing:
        result.warnings.append(
            f"{origin}: {missing} of {len(result.papers)} records have no abstract; ranked on their titles alone"
        )
