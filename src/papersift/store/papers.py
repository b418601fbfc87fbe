"""Papers in the store: de-duplicating import, merging, loading. Plain functions on a connection.

Callers hold the transaction (and, for writes, the write lock): the de-duplication lookup and the
write it decides happen in one transaction, so concurrent imports cannot store a paper twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..identity import deduplicate, identity_keys, merge, normalize_arxiv_id, normalize_doi, normalize_text
from ..models import Paper, Provenance
from . import schema as s
from .sql import insert_ignore, repoint, upsert

# Rows that refer to a paper; a merge re-points them at the surviving paper.
PAPER_REFERENCES = (s.profile_papers, s.candidates, s.ratings, s.interest_papers, s.shown)
# How many ids go into one IN (...) list.
CHUNK = 500


@dataclass(frozen=True)
class ImportSummary:
    """What an import did: papers read, new papers, papers merged into known ones."""

    read: int
    new: int
    merged: int


def import_into(
    conn: Connection, papers: Iterable[Paper], profile_id: int | None, as_candidates: bool, now: str
) -> ImportSummary:
    """Add papers (de-duplicated against each other and the store); with ``profile_id`` they join the
    profile (as excluded if the user excluded them under any identity key), with ``as_candidates``
    they become digest candidates."""
    from .profiles import is_excluded  # profiles imports this module

    incoming = deduplicate(papers)
    new = merged = 0
    for paper in incoming:
        paper_id, was_new = upsert_paper(conn, paper, now)
        new += was_new
        merged += not was_new
        if profile_id is not None:
            excluded = int(is_excluded(conn, profile_id, paper_id))
            table = s.profile_papers
            if (
                not insert_ignore(
                    conn, table, {"profile_id": profile_id, "paper_id": paper_id, "added_at": now, "excluded": excluded}
                )
                and excluded
            ):
                conn.execute(
                    update(table)
                    .where(table.c.profile_id == profile_id, table.c.paper_id == paper_id)
                    .values(excluded=1)
                )
        if as_candidates:
            upsert(
                conn,
                s.candidates,
                {"paper_id": paper_id, "first_seen": now, "last_seen": now},
                key=["paper_id"],
                update_only=["last_seen"],
            )
    return ImportSummary(read=len(incoming), new=new, merged=merged)


def upsert_paper(conn: Connection, paper: Paper, now: str) -> tuple[int, bool]:
    """Store ``paper``: merged into the known paper(s) sharing an identity key, else new. (id, was new)"""
    keys = identity_keys(paper)
    rows = conn.execute(select(s.paper_keys.c.paper_id).where(s.paper_keys.c.key.in_(keys))).all() if keys else []
    existing = sorted({row.paper_id for row in rows})
    if not existing:
        new_id = s.new_row_id(conn.execute(insert(s.papers).values(**paper_row(paper), created_at=now, updated_at=now)))
        write_keys_and_sources(conn, new_id, paper, now)
        return new_id, True
    survivor = existing[0]
    combined = load(conn, survivor)
    for other in existing[1:]:
        merge(combined, load(conn, other))
        absorb(conn, survivor, other)
    merge(combined, paper)
    conn.execute(update(s.papers).where(s.papers.c.id == survivor).values(**paper_row(combined), updated_at=now))
    write_keys_and_sources(conn, survivor, combined, now)
    return survivor, False


def absorb(conn: Connection, survivor: int, other: int) -> None:
    """Re-point everything that referred to ``other`` at ``survivor``, then drop ``other``."""
    conn.execute(update(s.paper_keys).where(s.paper_keys.c.paper_id == other).values(paper_id=survivor))
    for table in PAPER_REFERENCES:
        repoint(conn, table, "paper_id", other, survivor)
    conn.execute(update(s.run_items).where(s.run_items.c.paper_id == other).values(paper_id=survivor))
    conn.execute(delete(s.papers).where(s.papers.c.id == other))


def write_keys_and_sources(conn: Connection, paper_id: int, paper: Paper, now: str) -> None:
    insert_ignore(conn, s.paper_keys, [{"key": key, "paper_id": paper_id} for key in identity_keys(paper)])
    insert_ignore(
        conn,
        s.provenance,
        [
            {
                "paper_id": paper_id,
                "origin": source.origin,
                "format": source.format,
                "record": source.record,
                "line": source.line,
                "imported_at": now,
            }
            for source in paper.sources
        ],
    )


def load(conn: Connection, paper_id: int) -> Paper:
    row = conn.execute(select(s.papers).where(s.papers.c.id == paper_id)).one()
    sources = conn.execute(
        select(s.provenance).where(s.provenance.c.paper_id == paper_id).order_by(s.provenance.c.id)
    ).all()
    return paper_from_row(row, sources)


def load_many(conn: Connection, paper_ids: Sequence[int]) -> list[Paper]:
    """The papers with these ids, in this order (unknown ids are skipped)."""
    rows: dict[int, Any] = {}
    by_paper: dict[int, list[Any]] = {}
    for start in range(0, len(paper_ids), CHUNK):
        chunk = list(paper_ids[start : start + CHUNK])
        rows.update((r.id, r) for r in conn.execute(select(s.papers).where(s.papers.c.id.in_(chunk))))
        for src in conn.execute(
            select(s.provenance).where(s.provenance.c.paper_id.in_(chunk)).order_by(s.provenance.c.id)
        ):
            by_paper.setdefault(src.paper_id, []).append(src)
    return [paper_from_row(rows[i], by_paper.get(i, [])) for i in paper_ids if i in rows]


def paper_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(s.papers)).scalar_one())


def resolve(conn: Connection, ref: str) -> set[int]:
    """The ids of the papers ``ref`` names: a store id, an arXiv id (any version), a DOI or an exact title."""
    keys = []
    arxiv = normalize_arxiv_id(ref)
    if arxiv:
        keys.append("arxiv:" + arxiv)
    doi = normalize_doi(ref)
    if doi:
        keys.append("doi:" + doi)
    title = normalize_text(ref)
    if title:
        keys.append("title:" + title)
    found: set[int] = set()
    if ref.isdigit() and len(ref) < 19:
        row = conn.execute(select(s.papers.c.id).where(s.papers.c.id == int(ref))).first()
        if row:
            found.add(int(row.id))
    if keys:
        rows = conn.execute(select(s.paper_keys.c.paper_id).where(s.paper_keys.c.key.in_(keys))).all()
        found.update(int(r.paper_id) for r in rows)
    if not found and title:
        # Titles too short to be identity keys are matched by scanning.
        for row in conn.execute(select(s.papers.c.id, s.papers.c.title)):
            if row.title and normalize_text(row.title) == title:
                found.add(int(row.id))
    return found


def background_ids(conn: Connection, exclude: Sequence[int], limit: int) -> list[int]:
    """A stable sample of the store's papers: ordered by a hash of the id, so a paper in the sample
    stays in it until enough papers with smaller hashes arrive (neither database has a seeded random)."""
    spread = (s.papers.c.id * 2654435761) % 4294967296
    query = select(s.papers.c.id).order_by(spread, s.papers.c.id)
    excluded = set(exclude)
    found: list[int] = []
    # Excluded ids are few (a profile, its ratings): skip them while reading instead of a long NOT IN.
    for row in conn.execute(query.limit(limit + len(excluded))):
        if row.id not in excluded:
            found.append(int(row.id))
            if len(found) == limit:
                break
    return found


def paper_row(paper: Paper) -> dict[str, Any]:
    return {
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": json.dumps(paper.authors),
        "n_authors": paper.n_authors,
        "ids": json.dumps(paper.ids, sort_keys=True),
        "date": paper.date,
        "venue": paper.venue,
        "comments": paper.comments,
        "upvotes": paper.upvotes,
        "links": json.dumps(paper.links),
        "extra": json.dumps(paper.extra, sort_keys=True),
    }


def paper_from_row(row: Any, sources: Sequence[Any]) -> Paper:
    paper = Paper(
        title=row.title,
        abstract=row.abstract,
        authors=json.loads(row.authors),
        n_authors=row.n_authors,
        ids=json.loads(row.ids),
        date=row.date,
        venue=row.venue,
        comments=row.comments,
        upvotes=row.upvotes,
        links=json.loads(row.links),
        extra=json.loads(row.extra),
        sources=[Provenance(src.origin, src.format, src.record, src.line) for src in sources],
    )
    paper.store_id = row.id
    return paper
