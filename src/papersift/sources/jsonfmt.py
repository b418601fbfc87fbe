"""papersift's own JSON / JSONL paper format (also OpenReview-style notes).

A paper object has ``title`` and/or ``abstract`` and optionally ``authors``
(list of names), ``ids`` (``{"arxiv": ..., "doi": ...}``), ``date``, ``venue``,
``comments``, ``n_authors``, ``upvotes``, ``links``. A JSON file holds a list of
them or ``{"papers": [...]}``; a JSONL file one per line. Objects in the
OpenReview expertise layout (``{"id": ..., "content": {"title": ..., "abstract": ...}}``,
values possibly wrapped as ``{"value": ...}``) are read too. A JSON object of paper objects
(``{"id1": {...}, "id2": {...}}``, as OpenReview's ``submissions.json``) keeps each key in
``extra["key"]``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import InputError
from ..identity import normalize_arxiv_id, normalize_doi
from ..models import Paper, Provenance
from ..textsafe import clip
from .base import ParseResult, iter_lines, split_plain_authors
from .common import as_dict, as_list, json_document
from .sanitize import reader

FORMAT_JSON = "json"
FORMAT_JSONL = "jsonl"
_NON_SPACE = re.compile(r"\S")


def _unwrap(value: Any) -> Any:
    return value.get("value") if isinstance(value, dict) and "value" in value else value


def _shown(value: Any) -> str:
    """A JSON value as the file has it (``-Infinity``, ``{"y": 2020}``), at most ~80 characters."""
    try:
        return clip(json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError):
        return clip(repr(value))


class _Record:
    """One paper object's fields read with their types checked: a wrong type is an InputError naming
    the field, the file and the line (or record), never a value stored as garbage."""

    def __init__(self, origin: str, line: int | None, record: int) -> None:
        self.origin, self.line, self.record = origin, line, record

    def refuse(self, key: str, expected: str, value: Any) -> InputError:
        return InputError(f"{key}: expected {expected}, not {_shown(value)}", self.origin, self.line, self.record)

    def text(self, content: dict[str, Any], key: str) -> str:
        value = _unwrap(content.get(key))
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.refuse(key, "text", value)
        return value.strip()

    def authors(self, content: dict[str, Any]) -> list[str]:
        value = _unwrap(content.get("authors"))
        if value is None:
            return []
        if isinstance(value, str):
            return split_plain_authors(value)
        if not isinstance(value, list):
            raise self.refuse("authors", 'a list of names (strings or {"name": ...})', value)
        names = []
        for author in value:
            name = author.get("name") if isinstance(author, dict) else author
            if not isinstance(name, str):
                raise self.refuse("authors", 'names (strings or {"name": ...})', author)
            names.append(name.strip())
        return [name for name in names if name]

    def date(self, content: dict[str, Any], key: str) -> str | None:
        value = _unwrap(content.get(key))
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value.strip() or None
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10_000:
            return str(value)  # a year
        raise self.refuse(key, "a date (text such as 2020-05-01, or a year)", value)


def paper_from_object(obj: Any, origin: str, fmt: str, record: int, line: int | None) -> Paper:
    if not isinstance(obj, dict):
        raise InputError("expected a JSON object for a paper", origin, line=line, record=record)
    content = as_dict(obj.get("content")) or obj
    fields = _Record(origin, line, record)
    title, abstract = fields.text(content, "title"), fields.text(content, "abstract")
    if not title and not abstract:
        raise InputError("paper has neither a title nor an abstract", origin, line=line, record=record)
    authors = fields.authors(content)
    ids: dict[str, str] = {}
    raw_ids = as_dict(obj.get("ids")) or {}
    for scheme, value in raw_ids.items():
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            ids[scheme] = str(value)
    if "arxiv" in ids:
        ids["arxiv"] = normalize_arxiv_id(ids["arxiv"]) or ids["arxiv"]
    if "doi" in ids:
        ids["doi"] = normalize_doi(ids["doi"]) or ids["doi"]
    if content is not obj and obj.get("id"):
        ids.setdefault("openreview", str(obj["id"]))
    elif obj.get("id") and not ids:
        ids["id"] = str(obj["id"])
    date = fields.date(content, "date") or fields.date(content, "year")
    n_authors = obj.get("n_authors")
    upvotes = obj.get("upvotes")
    links = as_list(obj.get("links")) or []
    return Paper(
        title=title,
        abstract=abstract,
        authors=authors,
        n_authors=n_authors if isinstance(n_authors, int) else (len(authors) or None),
        ids=ids,
        date=date,
        venue=fields.text(content, "venue") or None,
        comments=fields.text(content, "comments") or None,
        upvotes=upvotes if isinstance(upvotes, int) else None,
        links=[str(link) for link in links],
        sources=[Provenance(origin, fmt, record=record, line=line)],
    )


def looks_like_json(text: str) -> bool:
    return (text[:64].lstrip()[:1] or text.lstrip()[:1]) in ("[", "{") and not looks_like_jsonl(text)


def looks_like_jsonl(text: str) -> bool:
    lines: list[str] = []
    for _, line in iter_lines(text):  # the first three non-blank lines, not a copy of the whole text
        if line.strip():
            lines.append(line)
            if len(lines) == 3:
                break
    if len(lines) < 2 or not all(line.lstrip().startswith("{") for line in lines):
        return False
    try:
        json.loads(lines[0])
    except (ValueError, RecursionError):
        return False
    return True


@reader(FORMAT_JSON)
def parse_json(text: str, origin: str = "<text>") -> ParseResult:
    data = json_document(text)  # the document detection parsed, if it did
    if data is None:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON ({exc.msg})", origin, line=exc.lineno) from None
    keys: list[str] | None = None
    if isinstance(data, dict) and isinstance(data.get("papers"), list):
        items = data["papers"]
    elif isinstance(data, dict) and data and all(isinstance(v, dict) for v in data.values()):
        keys = list(data)  # {id: paper}, as OpenReview's submissions.json: the keys are the ids
        items = list(data.values())
    elif isinstance(data, list):
        items = data
    elif isinstance(data, dict):
        items = [data]
    else:
        raise InputError("expected a JSON list of papers", origin)
    result = ParseResult()
    for record, obj in enumerate(items, start=1):
        paper = paper_from_object(obj, origin, FORMAT_JSON, record, None)
        if keys is not None:
            paper.extra["key"] = keys[record - 1]
        result.papers.append(paper)
    return result


@reader(FORMAT_JSONL)
def parse_jsonl(text: str, origin: str = "<text>") -> ParseResult:
    result = ParseResult()
    record = 0
    decoder = json.JSONDecoder()
    start, line_no, size = 0, 1, len(text)
    while start <= size:
        end = text.find("\n", start)
        end = size if end < 0 else end
        first = _NON_SPACE.search(text, start, end)
        if first:
            record += 1
            # Decoded in place (no copy of the line: a 50 MiB one-paper line costs one copy less).
            try:
                obj, stop = decoder.raw_decode(text, first.start())
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON ({exc.msg})", origin, line=line_no, record=record) from None
            if stop > end or _NON_SPACE.search(text, stop, end):
                what = "a record runs on past its line" if stop > end else "extra data after the record"
                raise InputError(f"invalid JSON ({what})", origin, line=line_no, record=record)
            result.papers.append(paper_from_object(obj, origin, FORMAT_JSONL, record, line_no))
        start, line_no = end + 1, line_no + 1
    return result
