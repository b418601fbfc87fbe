"""Readers for every input format; each is a pure function from text to papers.

:func:`read_papers` reads a file (checking it is a regular file, non-empty,
text, UTF-8 and within the size limit), detects its format unless told, and
parses it. :data:`REGISTRY` is the one list of formats: name, parser, detector.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .. import fileio
from ..config import INPUT_MAX_BYTES_ENV, input_max_bytes
from ..errors import InputError
from . import (
    arxiv_api,
    arxiv_listing,
    arxiv_oai,
    arxiv_rss,
    bibtex,
    crossref,
    csl_json,
    csvfmt,
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
from .common import release_json_document

__all__ = [
    "FORMATS",
    "REGISTRY",
    "Format",
    "ParseResult",
    "UnknownFormatError",
    "decode",
    "detect_format",
    "parse_text",
    "read_bytes",
    "read_papers",
]

Parser = Callable[..., ParseResult]


@dataclass(frozen=True)
class Format:
    """One input format: its name (``--input-format``), its parser, its detector and when detection tries it.

    Detection tries the most specific shapes first (lower ``detect_rank``): service responses, each
    recognised by its own keys or root element, before papersift's generic JSON, which would otherwise
    take any list of objects; a publication list is the loosest shape and is tried last.
    """

    name: str
    parse: Parser
    looks_like: Callable[[str], bool]
    detect_rank: int


# The one registry of formats, in the order ``--input-format`` lists them.
REGISTRY: tuple[Format, ...] = (
    Format(jsonfmt.FORMAT_JSON, jsonfmt.parse_json, jsonfmt.looks_like_json, 16),
    Format(jsonfmt.FORMAT_JSONL, jsonfmt.parse_jsonl, jsonfmt.looks_like_jsonl, 15),
    Format(bibtex.FORMAT, bibtex.parse, bibtex.looks_like, 19),
    Format(arxiv_listing.FORMAT, arxiv_listing.parse, arxiv_listing.looks_like, 17),
    Format(hf_page.FORMAT, hf_page.parse, hf_page.looks_like, 18),
    Format(publist.FORMAT, publist.parse, publist.looks_like, 20),
    Format(arxiv_api.FORMAT, arxiv_api.parse, arxiv_api.looks_like, 1),
    Format(arxiv_rss.FORMAT, arxiv_rss.parse, arxiv_rss.looks_like, 2),
    Format(arxiv_oai.FORMAT, arxiv_oai.parse, arxiv_oai.looks_like, 3),
    Format(hf_api.FORMAT, hf_api.parse, hf_api.looks_like, 6),
    Format(openalex.FORMAT, openalex.parse, openalex.looks_like, 7),
    Format(semantic_scholar.FORMAT, semantic_scholar.parse, semantic_scholar.looks_like, 5),
    Format(orcid.FORMAT, orcid.parse, orcid.looks_like, 9),
    Format(crossref.FORMAT, crossref.parse, crossref.looks_like, 8),
    Format(dblp.FORMAT, dblp.parse, dblp.looks_like, 4),
    Format(openreview.FORMAT, openreview.parse, openreview.looks_like, 10),
    Format(ris.FORMAT, ris.parse, ris.looks_like, 13),
    Format(csl_json.FORMAT, csl_json.parse, csl_json.looks_like, 12),
    Format(zotero_api.FORMAT, zotero_api.parse, zotero_api.looks_like, 11),
    Format(csvfmt.FORMAT, csvfmt.parse, csvfmt.looks_like, 14),
)
_DETECTION_ORDER = sorted(REGISTRY, key=lambda fmt: fmt.detect_rank)

# Name -> parser, for ``--input-format`` choices and callers that know the format.
FORMATS: dict[str, Parser] = {fmt.name: fmt.parse for fmt in REGISTRY}


def detect_format(text: str) -> str | None:
    """The name of the format ``text`` is in, or None."""
    try:
        return _detect(text)
    finally:
        release_json_document()


def _detect(text: str) -> str | None:
    """As :func:`detect_format`, keeping the JSON document detection parsed for the parser to reuse."""
    for fmt in _DETECTION_ORDER:
        if fmt.looks_like(text):
            return fmt.name
    return None


def decode(data: bytes, origin: str) -> str:
    """Bytes -> text, refusing what is not UTF-8 text with the line of the first bad byte."""
    if not data.strip():
        raise InputError("is empty", origin)
    if data.lstrip()[:5] == b"%PDF-":
        raise InputError(
            "is a PDF; papersift reads lists of papers, not papers: give an export of your library (BibTeX, "
            "RIS or CSV from Zotero or Google Scholar), a publication list, or the paper's arXiv id or DOI",
            origin,
        )
    if b"\x00" in data[:8192]:
        raise InputError("is a binary file, not text", origin)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"is not valid UTF-8 (byte {exc.start})", origin, line=line) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


class UnknownFormatError(InputError):
    """A text in none of the known formats; the message names the CLI's option (the web names its menu)."""

    def __init__(self, origin: str) -> None:
        super().__init__(
            "is in no known format (expected one of: " + ", ".join(FORMATS) + "; use --input-format to force "
            "one, e.g. --input-format publist for a plain list of titles, one per line)",
            origin,
        )


def parse_text(text: str, origin: str = "<text>", input_format: str | None = None) -> ParseResult:
    """Parse ``text`` in ``input_format`` (auto-detected when None)."""
    try:
        name = input_format or _detect(text)
        if name is None:
            raise UnknownFormatError(origin)
        if name not in FORMATS:
            raise InputError(f"unknown input format '{name}' (known: {', '.join(FORMATS)})", origin)
        return FORMATS[name](text, origin)
    finally:
        release_json_document()


def read_bytes(path: str | Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` (default: :func:`~papersift.config.input_max_bytes`);
    ``-`` is standard input, read up to the same limit.

    Devices (``/dev/zero``), FIFOs, sockets and directories are refused with a sentence rather than
    read until memory runs out or forever; the file is opened without blocking, so a FIFO is never waited on.
    """
    limit = max_bytes if max_bytes is not None else input_max_bytes()
    stdin = fileio.stdin_or_none(path)
    if stdin is not None:
        return _read_stream(stdin, limit, fileio.STDIN_ORIGIN)
    origin = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError("does not exist", origin) from None
    except PermissionError:
        raise InputError("cannot be read (permission denied)", origin) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", origin) from None
    except OSError as exc:
        raise InputError(f"cannot be opened ({exc.strerror or exc})", origin) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a directory, not a file", origin)
        raise InputError(
            "is not a regular file (a device, FIFO or socket); save what it holds to a file and give that", origin
        )
    with os.fdopen(fd, "rb") as file:
        too_large = _too_large(limit)
        if info.st_size > limit:
            raise InputError(too_large, origin)
        try:
            # st_size + 1, not limit + 1: read() allocates what it is asked for up front.
            data = file.read(info.st_size + 1)
            if len(data) > info.st_size:  # it grew since fstat: read on, up to the limit
                data += file.read(limit + 1 - len(data))
        except OSError as exc:
            raise InputError(f"cannot be read ({exc.strerror or exc})", origin) from None
        if len(data) > limit:  # it grew since fstat
            raise InputError(too_large, origin)
        return data


def read_papers(
    path: str | Path, input_format: str | None = None, today: dt.date | None = None, max_bytes: int | None = None
) -> ParseResult:
    """Read and parse one file (a regular file of at most ``max_bytes``, or ``-`` for standard input;
    see :func:`read_bytes`)."""
    origin = fileio.STDIN_ORIGIN if fileio.is_stdin(path) else str(path)
    text = decode(read_bytes(path, max_bytes), origin)
    try:
        name = input_format or _detect(text)
        if name == hf_page.FORMAT and today is not None:
            return hf_page.parse(text, origin, today=today)
        return parse_text(text, origin, name)
    finally:
        release_json_document()


def _too_large(limit: int) -> str:
    return (
        f"is too large (over {limit:,} bytes; raise [input] max_bytes in the config file "
        f"or ${INPUT_MAX_BYTES_ENV} to read it)"
    )


_CHUNK = 1 << 20


def _read_stream(stream: IO[bytes], limit: int, origin: str) -> bytes:
    """At most ``limit`` bytes of a stream of unknown size (a pipe), read in chunks so that memory
    grows with what arrives, not with the limit; one byte more is a refusal."""
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= limit:
            chunk = stream.read(min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", origin) from None
    if size > limit:
        raise InputError(_too_large(limit), origin)
    return b"".join(chunks)
