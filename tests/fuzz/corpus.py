"""The fuzz corpus: every real fixture, and the mutations hostile or broken files are made of.

Shared by the property-based suite (tests/fuzz/test_fuzz.py) and the reliability benchmark
(benchmarks/reliability_files.py). Every mutation is a pure function of (bytes, random.Random),
so a seed reproduces a case exactly.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Inputs only: provenance notes and READMEs are not fixtures.
_SKIP_NAMES = {"SOURCES.md", "README.md"}


def fixture_files() -> list[Path]:
    """Every real input file of the project (tests/fixtures/**, data/sample/**), sorted."""
    roots = [REPO / "tests" / "fixtures", REPO / "data" / "sample"]
    found = [p for root in roots if root.is_dir() for p in root.rglob("*") if p.is_file()]
    return sorted(p for p in found if p.name not in _SKIP_NAMES)


Mutation = Callable[[bytes, random.Random], bytes]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, max(2, len(data)))]


def bit_flips(data: bytes, rng: random.Random) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        position = rng.randrange(len(buffer))
        buffer[position] ^= 1 << rng.randrange(8)
    return bytes(buffer)


def utf16(data: bytes, rng: random.Random) -> bytes:
    return data.decode("utf-8", errors="replace").encode(rng.choice(["utf-16", "utf-16-le", "utf-16-be"]))


def latin1(data: bytes, rng: random.Random) -> bytes:
    return data.decode("utf-8", errors="replace").encode(rng.choice(["latin-1", "cp1252"]), errors="replace")


def mojibake(data: bytes, rng: random.Random) -> bytes:
    """UTF-8 read as Latin-1 and written back as UTF-8 (the classic double encoding)."""
    return data.decode("latin-1").encode("utf-8")


def huge_line(data: bytes, rng: random.Random) -> bytes:
    unit = rng.choice([b"a", b" ", b"<", b"{", b"[", b"9", b"\\", b"\t", b"and ", b"arXiv:", b"@a{", b"-"])
    filler = unit * (rng.randint(50_000, 200_000) // len(unit))
    position = rng.randrange(len(data) + 1)
    return data[:position] + filler + data[position:]


def nul_bytes(data: bytes, rng: random.Random) -> bytes:
    position = rng.randrange(len(data) + 1)
    return data[:position] + b"\x00" * rng.randint(1, 16) + data[position:]


def deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([2_000, 50_000, 100_000])
    start = data.lstrip()[:1]
    if start in (b"[", b"{"):
        return b"[" * depth + data + b"]" * depth
    if start == b"<":
        head, _, tail = data.partition(b">")
        return head + b">" + b"<a>" * depth + tail
    return b"{" * depth + data + b"}" * depth


def hostile_text(data: bytes, rng: random.Random) -> bytes:
    """Escapes and characters that must never reach the store or a terminal as they are."""
    payload = rng.choice(
        [
            b"\\ud800",
            b"\\udfff\\ud800",
            b"\x1b[31m\x1b]0;title\x07",
            b"\xc3\x83\xc2\xa9",
            b"\xef\xbf\xbd",
            b"\xe2\x80\xae",
            b"18446744073709551616",
            b"9" * 5000,
            b"1e999",
            b"NaN",
        ]
    )
    positions = [i for i in range(len(data)) if data[i : i + 1] in (b'"', b">", b"\n", b" ")]
    position = rng.choice(positions) + 1 if positions else 0
    return data[:position] + payload + data[position:]


def repeat_records(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    start = rng.randrange(len(lines))
    block = lines[start : start + rng.randint(1, 12)]
    return b"\n".join(lines[:start] + block * rng.randint(2, 50) + lines[start:])


def drop_lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    start = rng.randrange(len(lines))
    return b"\n".join(lines[:start] + lines[start + rng.randint(1, 5) :])


def line_endings(data: bytes, rng: random.Random) -> bytes:
    return data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\n"]))


MUTATIONS: dict[str, Mutation] = {
    "truncate": truncate,
    "bit_flips": bit_flips,
    "utf16": utf16,
    "latin1": latin1,
    "mojibake": mojibake,
    "huge_line": huge_line,
    "nul_bytes": nul_bytes,
    "deep_nesting": deep_nesting,
    "hostile_text": hostile_text,
    "repeat_records": repeat_records,
    "drop_lines": drop_lines,
    "line_endings": line_endings,
}


def mutate(data: bytes, name: str, seed: int) -> bytes:
    return MUTATIONS[name](data, random.Random(seed)) if data else data


def store_dump(path: Path) -> list[tuple[object, ...]]:
    """Every row of every table, to check that a failed import wrote nothing."""
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table' order by name")]
        return [(t, *row) for t in tables for row in conn.execute(f"select * from {t} order by 1")]  # noqa: S608


def stored_text_problems(path: Path) -> list[str]:
    """What a successful import must never leave in the store: unencodable or control characters."""
    problems = []
    with sqlite3.connect(path) as conn:
        conn.text_factory = lambda raw: raw.decode("utf-8", errors="surrogateescape")
        for title, abstract in conn.execute("select title, abstract from papers"):
            for name, value in (("title", title), ("abstract", abstract)):
                if not isinstance(value, str):
                    continue
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    problems.append(f"{name} is not valid UTF-8: {value[:60]!r}")
                if any(ord(c) < 32 and c not in "\t\n" or 0x7F <= ord(c) <= 0x9F for c in value):
                    problems.append(f"{name} holds control characters: {value[:60]!r}")
    return problems


def describe(path: Path, name: str, seed: int) -> str:
    return json.dumps({"fixture": str(path.relative_to(REPO)), "mutation": name, "seed": seed})
