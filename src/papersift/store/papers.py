"""Papers in the store: de-duplicating import, merging, loading. Plain functions on a connection.

Callers hold the transaction (and, for writes, the write lock): the de-duplication lookup and the
write it decides happen in one transaction, so concurrent imports cannot store a paper twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..identity import (
    identity_keys,
    is_handle,
    key_handle,
    merge,
    normalize_arxiv_id,
    normalize_doi,
    normalize_text,
)
from ..models import Paper, Provenance
from . import schema as s
from .sql import insert_ignore, repoint, upsert_many

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
    conn: Connection, incoming: Sequence[Paper], profile_id: int | None, as_candidates: bool, now: str
) -> ImportSummary:
    """Add papers (already de-duplicated against each other by :func:`papersift.identity.deduplicate`,
    which callers run before taking the write lock) to the store; with ``profile_id`` they join the
    profile (as excluded if the user excluded them under any identity key), with ``as_candidates``
    they become digest candidates.

    Papers the store does not know are written in bulk, and so are papers sharing identity keys with
    exactly one stored paper (merged into it); a paper that links several stored papers merges them
    one by one. A few statements per ``CHUNK`` papers, all in the caller's transaction.
    """
    ids: list[int] = []
    new = 0
    for start in range(0, len(incoming), CHUNK):
        chunk = incoming[start : start + CHUNK]
        keys = [identity_keys(paper) for paper in chunk]
        owner = _key_owners(conn, [k for ks in keys for k in ks])
        fresh: list[Paper] = []
        into_one: dict[int, list[Paper]] = {}
        linking: list[Paper] = []
        for paper, paper_keys in zip(chunk, keys, strict=True):
            owners = {owner[k] for k in paper_keys if k in owner}
            if not owners:
                fresh.append(paper)
            elif len(owners) == 1:
                into_one.setdefault(owners.pop(), []).append(paper)
            else:
                linking.append(paper)
        ids += _insert_papers(conn, fresh, now)
        new += len(fresh)
        ids += _merge_into_known(conn, into_one, now)
        # One by one: each merge may change which paper a key names.
        ids += [upsert_paper(conn, paper, now)[0] for paper in linking]
    ids = list(dict.fromkeys(ids))
    if profile_id is not None:
        _join_profile(conn, profile_id, ids, now)
    if as_candidates:
        for start in range(0, len(ids), CHUNK):
            upsert_many(
                conn,
                s.candidates,
                [{"paper_id": i, "first_seen": now, "last_seen": now} for i in ids[start : start + CHUNK]],
                key=["paper_id"],
                update_only=["last_seen"],
            )
    return ImportSummary(read=len(incoming), new=new, merged=len(incoming) - new)


def _key_owners(conn: Connection, keys: Sequence[str]) -> dict[str, int]:
    """The stored paper each of ``keys`` names (unknown keys are left out)."""
    found: dict[str, int] = {}
    for start in range(0, len(keys), CHUNK):
        query = select(s.paper_keys).where(s.paper_keys.c.key.in_(list(keys[start : start + CHUNK])))
        found.update((row.key, int(row.paper_id)) for row in conn.execute(query))
    return found


def titled_arxiv_ids(conn: Connection, arxiv_ids: Sequence[str]) -> set[str]:
    """Those of ``arxiv_ids`` whose stored paper has a title."""
    owners = _key_owners(conn, ["arxiv:" + arxiv_id for arxiv_id in arxiv_ids])
    paper_ids = sorted(set(owners.values()))
    titled: set[int] = set()
    for start in range(0, len(paper_ids), CHUNK):
        query = select(s.papers.c.id).where(
            s.papers.c.id.in_(paper_ids[start : start + CHUNK]), func.trim(s.papers.c.title) != ""
        )
        titled.update(int(row.id) for row in conn.execute(query))
    return {key.removeprefix("arxiv:") for key, paper_id in owners.items() if paper_id in titled}


def _merge_into_known(conn: Connection, groups: dict[int, list[Paper]], now: str) -> list[int]:
    """Merge each group of incoming papers into the one stored paper they share keys with."""
    if not groups:
        return []
    combined = load_many(conn, list(groups))
    for paper in combined:
        for other in groups[paper.store_id or 0]:
            merge(paper, other)
    conn.execute(
        update(s.papers).where(s.papers.c.id == bindparam("paper_id")),
        [{**paper_row(paper), "updated_at": now, "paper_id": paper.store_id} for paper in combined],
    )
    write_keys(conn, [(paper.store_id or 0, paper) for paper in combined])
    # Only the incoming provenance: the stored one is there already.
    write_sources(conn, [(paper_id, paper) for paper_id, group in groups.items() for paper in group], now)
    return list(groups)


def _insert_papers(conn: Connection, fresh: Sequence[Paper], now: str) -> list[int]:
    """Write papers the store does not know, with their keys and provenance; their new ids, in order."""
    if not fresh:
        return []
    rows = [{**paper_row(paper), "created_at": now, "updated_at": now} for paper in fresh]
    result = conn.execute(insert(s.papers).returning(s.papers.c.id, sort_by_parameter_order=True), rows)
    new_ids = [int(i) for i in result.scalars()]
    write_keys_and_sources(conn, list(zip(new_ids, fresh, strict=True)), now)
    return new_ids


def _join_profile(conn: Connection, profile_id: int, paper_ids: Sequence[int], now: str) -> None:
    """Papers join a profile; those the user excluded (under any of their identity keys) join as excluded."""
    table = s.profile_papers
    for start in range(0, len(paper_ids), CHUNK):
        chunk = list(paper_ids[start : start + CHUNK])
        excluded = set(
            conn.execute(
                select(s.paper_keys.c.paper_id)
                .join(s.profile_exclusions, s.profile_exclusions.c.key == s.paper_keys.c.key)
                .where(s.profile_exclusions.c.profile_id == profile_id, s.paper_keys.c.paper_id.in_(chunk))
            ).scalars()
        )
        insert_ignore(
            conn,
            table,
            [{"profile_id": profile_id, "paper_id": i, "added_at": now, "excluded": int(i in excluded)} for i in chunk],
        )
        if excluded:
            conn.execute(
                update(table)
                .where(table.c.profile_id == profile_id, table.c.paper_id.in_(sorted(excluded)))
                .values(excluded=1)
            )


def upsert_paper(conn: Connection, paper: Paper, now: str) -> tuple[int, bool]:
    """Store ``paper``: merged into the known paper(s) sharing an identity key, else new. (id, was new)"""
    keys = identity_keys(paper)
    rows = conn.execute(select(s.paper_keys.c.paper_id).where(s.paper_keys.c.key.in_(keys))).all() if keys else []
    existing = sorted({row.paper_id for row in rows})
    if not existing:
        (new_id,) = _insert_papers(conn, [paper], now)
        return new_id, True
    survivor = existing[0]
    combined = load(conn, survivor)
    for other in existing[1:]:
        merge(combined, load(conn, other))
        absorb(conn, survivor, other)
    merge(combined, paper)
    conn.execute(update(s.papers).where(s.papers.c.id == survivor).values(**paper_row(combined), updated_at=now))
    write_keys_and_sources(conn, [(survivor, combined)], now)
    return survivor, False


def absorb(conn: Connection, survivor: int, other: int) -> None:
    """Re-point everything that referred to ``other`` at ``survivor``, then drop ``other``."""
    conn.execute(update(s.paper_keys).where(s.paper_keys.c.paper_id == other).values(paper_id=survivor))
    for table in PAPER_REFERENCES:
        repoint(conn, table, "paper_id", other, survivor)
    conn.execute(update(s.digest_picks).where(s.digest_picks.c.paper_id == other).values(paper_id=survivor))
    conn.execute(delete(s.papers).where(s.papers.c.id == other))


def write_keys_and_sources(conn: Connection, items: Sequence[tuple[int, Paper]], now: str) -> None:
    """Each paper's identity keys and provenance (already known ones are kept)."""
    write_keys(conn, items)
    write_sources(conn, items, now)


def write_keys(conn: Connection, items: Sequence[tuple[int, Paper]]) -> None:
    rows = [{"key": key, "paper_id": paper_id} for paper_id, paper in items for key in identity_keys(paper)]
    insert_ignore(conn, s.paper_keys, rows)


def write_sources(conn: Connection, items: Sequence[tuple[int, Paper]], now: str) -> None:
    rows = [
        {
            "paper_id": paper_id,
            "origin": source.origin,
            "format": source.format,
            "record": source.record,
            "line": source.line,
            "imported_at": now,
        }
        for paper_id, paper in items
        for source in paper.sources
    ]
    insert_ignore(conn, s.provenance, rows)


def load(conn: Connection, paper_id: int) -> Paper:
    row = conn.execute(select(s.papers).where(s.papers.c.id == paper_id)).one()
    sources = conn.execute(
        select(s.provenance).where(s.provenance.c.paper_id == paper_id).order_by(s.provenance.c.id)
    ).all()
    return paper_from_row(row, sources)


def load_many(conn: Connection, paper_ids: Sequence[int]) -> list[Paper]:
    """The papers with these ids, in this order (unknown ids are skipped)."""
    rows: dict[int, Any] = {}
    for start in range(0, len(paper_ids), CHUNK):
        chunk = list(paper_ids[start : start + CHUNK])
        rows.update((r.id, r) for r in conn.execute(select(s.papers).where(s.papers.c.id.in_(chunk))))
    return papers_from_rows(conn, [rows[i] for i in paper_ids if i in rows])


class PaperCache:
    """Papers already read, by id and ``updated_at``, for one job that reads the same papers again and
    again: a daily run reads the same candidates and background for every profile, and building them
    from their rows was a third of its work besides embedding. A paper changed since (a merge with a
    richer record updates ``updated_at``) is read again. The papers are shared between the readers:
    nothing that reads them may change them. Keep one for a job, not for a process's life."""

    def __init__(self) -> None:
        self._papers: dict[int, tuple[str, Paper]] = {}

    def __len__(self) -> int:
        return len(self._papers)

    def load(self, conn: Connection, paper_ids: Sequence[int]) -> list[Paper]:
        """The papers with these ids, in this order (unknown ids are skipped), read only when new or changed."""
        stamps: dict[int, str] = {}
        for start in range(0, len(paper_ids), CHUNK):
            chunk = list(paper_ids[start : start + CHUNK])
            query = select(s.papers.c.id, s.papers.c.updated_at).where(s.papers.c.id.in_(chunk))
            stamps.update((int(r.id), str(r.updated_at)) for r in conn.execute(query))
        stale = [i for i, at in stamps.items() if self._papers.get(i, ("", None))[0] != at]
        for paper in load_many(conn, stale):
            if paper.store_id is not None:
                self._papers[paper.store_id] = (stamps[paper.store_id], paper)
        return [self._papers[i][1] for i in paper_ids if i in stamps and i in self._papers]


def papers_from_rows(conn: Connection, rows: Sequence[Any]) -> list[Paper]:
    """Papers from rows of the papers table (any query that selected all its columns), with their provenance."""
    by_paper: dict[int, list[Any]] = {}
    ids = [row.id for row in rows]
    for start in range(0, len(ids), CHUNK):
        query = select(s.provenance).where(s.provenance.c.paper_id.in_(ids[start : start + CHUNK]))
        for src in conn.execute(query.order_by(s.provenance.c.id)):
            by_paper.setdefault(src.paper_id, []).append(src)
    return [paper_from_row(row, by_paper.get(row.id, [])) for row in rows]


def paper_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(s.papers)).scalar_one())


def resolve(conn: Connection, ref: str) -> set[int]:
    """The ids of the papers ``ref`` names: a store id, an arXiv id (any version), a DOI, a short
    handle (``h-1a2b3c4d``, :func:`papersift.identity.short_handle`) or an exact title."""
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
    if not found and is_handle(ref):
        # A short handle is a hash of a title or abstract key: hash the keys (a scan, as below).
        query = select(s.paper_keys.c.paper_id, s.paper_keys.c.key).where(
            s.paper_keys.c.key.like("title:%") | s.paper_keys.c.key.like("abstract:%")
        )
        found.update(int(r.paper_id) for r in conn.execute(query) if key_handle(r.key) == ref)
    if not found and title and not is_handle(ref):
        # Titles too short to be identity keys are matched by scanning.
        for row in conn.execute(select(s.papers.c.id, s.papers.c.title)):
            if row.title and normalize_text(row.title) == title:
                found.add(int(row.id))
    return found


def background_ids(conn: Connection, exclude: Sequence[int], limit: int) -> list[int]:
    """A stable sample of the store's papers: ordered by a hash of the id, so a paper in the sample
    stays in it until enough papers with smaller hashes arrive (neither database has a seeded random).
    The order is an index (migration 7): the cost is the sample's, not the store's."""
    query = select(s.papers.c.id).order_by(s.BACKGROUND_ORDER, s.papers.c.id)
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
