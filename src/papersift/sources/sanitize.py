"""What every reader's output passes through: bounded fields, valid text, and errors as sentences.

:func:`reader` wraps each format's ``parse(text, origin)``. A hostile or broken
file then ends in one of two ways: an :class:`~papersift.errors.InputError`
naming the file (and the line or record), or papers whose fields are bounded
and whose text can be stored and printed. The limits (documented in
docs/formats.md) are far above anything a real paper has:

- title, venue, comments, each author name: truncated at :data:`MAX_TITLE_CHARS` /
  :data:`MAX_FIELD_CHARS` characters; an abstract at :data:`MAX_ABSTRACT_CHARS`;
- at most :data:`MAX_AUTHORS` authors and :data:`MAX_LINKS` links;
- an identifier longer than :data:`~papersift.identity.MAX_ID_CHARS` is not an identifier: dropped;
- integers (author counts, up-votes) outside a plausible range are dropped (SQLite stores 64 bits);
- a lone UTF-16 surrogate (from a JSON ``\\ud800`` escape) becomes U+FFFD; control characters and
  terminal escape sequences are removed; UTF-8 read as Latin-1/cp1252 ("RamÃ­rez") is repaired,
  and so is cp1252 punctuation left as C1 control codes (U+0092 for ’);
  U+FFFD already in the text (bytes lost before the file was written) is reported.

Every change is reported as a warning naming the records (and their lines where the format has lines).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import InputError
from ..identity import MAX_ID_CHARS
from ..models import Paper
from .base import ParseResult

MAX_TITLE_CHARS = 2_000
MAX_ABSTRACT_CHARS = 100_000
MAX_FIELD_CHARS = 2_000
MAX_AUTHORS = 10_000
MAX_LINKS = 100
MAX_LINK_CHARS = 2_048
MAX_EXTRA_STRING_CHARS = 10_000
MAX_EXTRA_ITEMS = 1_000
MAX_COUNT = 2**53  # the largest integer every JSON reader (and SQLite's 64-bit integers) keeps exactly

_SURROGATE = re.compile("[\ud800-\udfff]")
# ANSI CSI and OSC sequences first (so no "[31m" is left behind), then single control characters;
# tab and newline are text.
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# UTF-8 bytes read as Latin-1 or cp1252: a lead byte (Â..ô) followed by a continuation byte shown as
# a Latin-1 character (0x80-0xBF) or the cp1252 character at that position.
_CP1252_CONTINUATION = "\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e"
_CP1252_CONTINUATION += "\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
_MOJIBAKE = re.compile(f"[\u00c2-\u00f4][\u0080-\u00bf{_CP1252_CONTINUATION}]")
_WORD = re.compile(r"\S+")
# Windows-1252 text read as Latin-1 leaves its punctuation (’ “ ” – …) as C1 control codes.
_C1 = re.compile(r"[\x80-\x9f]")


def _from_cp1252(match: re.Match[str]) -> str:
    return bytes([ord(match.group())]).decode("cp1252", errors="ignore")  # 5 codes are undefined: dropped


# Starts only where a run of digits starts, so finding it is linear.
_LONG_NUMBER = re.compile(r"(?<!\d)\d{4000,}")


class ReaderBug(InputError):  # noqa: N818 - an InputError for the user, a bug for the fuzz suite
    """A reader failed in a way it should have foreseen; the user still gets one sentence, never a traceback."""


def _fix_mojibake_run(text: str) -> str | None:
    for encoding in ("cp1252", "latin-1"):
        try:
            return text.encode(encoding).decode("utf-8")
        except UnicodeError:
            continue
    return None


def repair_mojibake(text: str) -> tuple[str, bool]:
    """(text, changed): UTF-8 that was decoded as Latin-1/cp1252 decoded again, word by word if need be."""
    if not _MOJIBAKE.search(text):
        return text, False
    whole = _fix_mojibake_run(text)
    if whole is not None:
        return whole, True
    changed = False

    def word(match: re.Match[str]) -> str:
        nonlocal changed
        if not _MOJIBAKE.search(match.group()):
            return match.group()
        fixed = _fix_mojibake_run(match.group())
        if fixed is None:
            return match.group()
        changed = True
        return fixed

    return _WORD.sub(word, text), changed


class _Report:
    """The changes made to one result, as one warning per kind naming the records."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.changes: dict[str, list[str]] = {}

    def add(self, what: str, paper: Paper, record: int) -> None:
        where = self.changes.setdefault(what, [])
        source = paper.sources[0] if paper.sources else None
        number = source.record if source and source.record is not None else record
        label = f"record {number}" + (f" (line {source.line})" if source and source.line is not None else "")
        if not where or where[-1] != label:
            where.append(label)

    def warnings(self) -> list[str]:
        found = []
        for what, places in self.changes.items():
            shown = ", ".join(places[:5]) + (f" and {len(places) - 5} more" if len(places) > 5 else "")
            found.append(f"{self.origin}: {what}: {shown}")
        return found


def _clean_text(value: str, limit: int, paper: Paper, record: int, report: _Report, field: str) -> str:
    if len(value) > limit:  # first, so that the clean-up below never scans more than the limit
        value = value[:limit]
        report.add(f"{field} longer than {limit:,} characters truncated", paper, record)
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
        report.add(f"invalid characters (lone UTF-16 surrogates) in the {field} replaced with U+FFFD", paper, record)
    elif "\ufffd" in value:
        report.add(f"the {field} holds U+FFFD (text lost to a bad encoding before the file was written)", paper, record)
    value, repaired = repair_mojibake(value)  # before control characters: Latin-1 mojibake holds C1 characters
    if repaired:
        report.add(f"mis-decoded UTF-8 (mojibake such as 'Ã©') repaired in the {field}", paper, record)
    if _C1.search(value):
        value = _C1.sub(_from_cp1252, value)
        report.add(f"cp1252 punctuation stored as control codes (U+0092 for ’) restored in the {field}", paper, record)
    if "\x1b" in value or _CONTROL.search(value):
        value = _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", value))
        report.add(f"control characters removed from the {field}", paper, record)
    return value


def _clean_extra(value: Any, depth: int = 0) -> Any:
    """``extra`` made storable: strings valid and bounded, containers bounded, out-of-range integers dropped."""
    if isinstance(value, str):
        value = _CONTROL.sub("", _SURROGATE.sub("\ufffd", value))
        return value[:MAX_EXTRA_STRING_CHARS]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value if -MAX_COUNT <= value <= MAX_COUNT else None
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if depth > 20:
        return None
    if isinstance(value, list | tuple):
        return [_clean_extra(v, depth + 1) for v in list(value)[:MAX_EXTRA_ITEMS]]
    if isinstance(value, dict):
        items = list(value.items())[:MAX_EXTRA_ITEMS]
        return {_clean_extra(str(k)): _clean_extra(v, depth + 1) for k, v in items}
    return _clean_extra(str(value), depth)


def _count(value: Any, limit: int) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit else None


def bound_paper(paper: Paper, record: int, report: _Report) -> None:
    """Make one paper's fields bounded and storable, in place; what changed goes to ``report``."""
    paper.title = _clean_text(paper.title, MAX_TITLE_CHARS, paper, record, report, "title")
    paper.abstract = _clean_text(paper.abstract, MAX_ABSTRACT_CHARS, paper, record, report, "abstract")
    for name in ("venue", "comments", "date"):
        value = getattr(paper, name)
        if isinstance(value, str):
            setattr(paper, name, _clean_text(value, MAX_FIELD_CHARS, paper, record, report, name) or None)
        elif value is not None:
            setattr(paper, name, None)
    if len(paper.authors) > MAX_AUTHORS:
        paper.n_authors = max(paper.n_authors or 0, len(paper.authors))
        paper.authors = paper.authors[:MAX_AUTHORS]
        report.add(f"more than {MAX_AUTHORS:,} authors: the first {MAX_AUTHORS:,} kept", paper, record)
    paper.authors = [
        name
        for name in (_clean_text(str(a), MAX_FIELD_CHARS, paper, record, report, "author names") for a in paper.authors)
        if name.strip()
    ]
    for name, limit in (("n_authors", 10**7), ("upvotes", MAX_COUNT)):
        value = getattr(paper, name)
        if value is not None and _count(value, limit) is None:
            setattr(paper, name, None)
            report.add(f"{name.replace('_', ' ')} out of range ({str(value)[:20]}) dropped", paper, record)
    for scheme, value in list(paper.ids.items()):
        text = str(value)
        if len(scheme) > 64 or len(text) > MAX_ID_CHARS or not text.strip():
            del paper.ids[scheme]
            report.add(f"identifier longer than {MAX_ID_CHARS} characters (not a real id) dropped", paper, record)
        elif _SURROGATE.search(text) or _CONTROL.search(text) or _SURROGATE.search(scheme):
            del paper.ids[scheme]
            report.add("identifier with invalid or control characters dropped", paper, record)
    links = [str(link) for link in paper.links]
    kept = [link for link in links if len(link) <= MAX_LINK_CHARS][:MAX_LINKS]
    if len(kept) != len(links):
        report.add(
            f"links longer than {MAX_LINK_CHARS} characters or beyond the first {MAX_LINKS} dropped", paper, record
        )
    paper.links = [_CONTROL.sub("", _SURROGATE.sub("\ufffd", link)) for link in kept]
    paper.extra = _clean_extra(paper.extra) if isinstance(paper.extra, dict) else {}


def bound_result(result: ParseResult, origin: str) -> ParseResult:
    """Every paper of ``result`` bounded and storable, with one warning per kind of change."""
    report = _Report(origin)
    for record, paper in enumerate(result.papers, start=1):
        bound_paper(paper, record, report)
    result.warnings.extend(report.warnings())
    result.warnings = [_CONTROL.sub("", _SURROGATE.sub("\ufffd", w))[:2_000] for w in result.warnings]
    return result


def json_depth_line(text: str, limit: int = 500) -> int | None:
    """The line where JSON nesting first goes deeper than ``limit`` (strings skipped), for the error message."""
    depth = 0
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return text.count("\n", 0, match.start()) + 1
        elif token in "]}":
            depth -= 1
    return None


ParseFunction = TypeVar("ParseFunction", bound=Callable[..., ParseResult])


def reader(format_name: str) -> Callable[[ParseFunction], ParseFunction]:
    """Decorate a format's ``parse(text, origin, ...)``: bounded output, and every failure an InputError.

    RecursionError (nesting deeper than the parser's stack), a number too long for Python's
    integer limit and any other unforeseen exception become one sentence naming the file; the
    last kind is a :class:`ReaderBug` so the fuzz suite can tell it from a refusal the reader meant.
    """

    def decorate(parse: ParseFunction) -> ParseFunction:
        @functools.wraps(parse)
        def wrapped(text: str, origin: str = "<text>", *args: Any, **kwargs: Any) -> ParseResult:
            try:
                result = parse(text, origin, *args, **kwargs)
            except InputError:
                raise
            except RecursionError:
                line = json_depth_line(text) if text.lstrip()[:1] in ("[", "{") else None
                raise InputError(
                    "is nested too deeply to read (thousands of levels; no paper record is nested like that)",
                    origin,
                    line=line,
                ) from None
            except ValueError as exc:
                if "integer string conversion" in str(exc):
                    digits = _LONG_NUMBER.search(text)
                    line = text.count("\n", 0, digits.start()) + 1 if digits else None
                    raise InputError(
                        "holds a number with thousands of digits; no paper field has one", origin, line=line
                    ) from None
                raise ReaderBug(_bug_message(format_name, exc), origin) from exc
            except (MemoryError, KeyboardInterrupt):
                raise
            except Exception as exc:  # noqa: BLE001 - the user gets a sentence, the fuzz suite a ReaderBug
                raise ReaderBug(_bug_message(format_name, exc), origin) from exc
            return bound_result(result, origin)

        return wrapped  # type: ignore[return-value]

    return decorate


def _bug_message(format_name: str, exc: BaseException) -> str:
    detail = _CONTROL.sub("", _SURROGATE.sub("\ufffd", str(exc)))[:200]
    return (
        f"could not be read as {format_name}: the reader failed ({type(exc).__name__}: {detail}); "
        "this is a bug in papersift, please report it with the file"
    )
