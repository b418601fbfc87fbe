"""What a digest ranks, read in one snapshot with the filtering done in SQL.

A digest's cost follows the new work, not the history: only candidates seen within the last
``candidate_window_days`` are considered (never-shown candidates age out), and the profile's own
papers, papers already shown to or rated by the profile, and papers older than ``max_age_days`` are
counted and left out by the database. Only the pool's papers are loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Integer, String, and_, case, cast, func, literal, literal_column, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ..config import DEFAULT_CANDIDATE_WINDOW_DAYS  # noqa: F401  (re-exported)
from ..models import Paper
from . import schema as s
from .learning import ratings
from .papers import PaperCache, load_many, papers_from_rows
from .profiles import profile_paper_ids


@dataclass
class DigestInputs:
    """A profile's papers, the candidates left to rank, its ratings, and how many candidates were left out why."""

    own: list[Paper]
    pool: list[Paper]
    ratings: list[tuple[Paper, str]]
    excluded_own: int
    excluded_seen: int
    excluded_old: int


def read_digest_inputs(
    conn: Connection,
    profile_id: int,
    *,
    today: dt.date,
    max_age_days: int | None,
    include_seen: bool,
    candidate_window_days: int,
    cache: PaperCache | None = None,
) -> DigestInputs:
    """The inputs of one digest (``conn`` is one snapshot); with ``cache``, papers it holds unchanged
    are not built again from their rows (a daily run's profiles share their candidates).

    Candidates considered: those seen (imported or fetched again) within ``candidate_window_days``
    of ``today``; with ``include_seen``, also those already shown to or rated by the profile. Of
    these, the profile's own papers count as ``excluded_own``; shown or rated ones (unless
    ``include_seen``) as ``excluded_seen``; those dated before ``today - max_age_days`` (a bare
    year counts as its last day, a year-month as its 15th; undated papers are never too old) as
    ``excluded_old``; the rest are the pool, in the order they were first seen.
    """
    c, pp, sh, r = s.candidates, s.profile_papers, s.shown, s.ratings
    cutoff = (today - dt.timedelta(days=candidate_window_days)).isoformat()
    own = pp.c.paper_id.is_not(None)
    seen = or_(sh.c.paper_id.is_not(None), r.c.paper_id.is_not(None))
    too_old: ColumnElement[bool] = literal(False)
    if max_age_days is not None:
        oldest = (today - dt.timedelta(days=max_age_days)).isoformat()
        too_old = and_(s.papers.c.date.is_not(None), _day_ends(conn, s.papers.c.date) < oldest)
    considered = c.c.last_seen >= cutoff
    if include_seen:
        considered = or_(considered, seen)
    joined = (
        c.outerjoin(pp, and_(pp.c.profile_id == profile_id, pp.c.paper_id == c.c.paper_id, pp.c.excluded == 0))
        .outerjoin(sh, and_(sh.c.profile_id == profile_id, sh.c.paper_id == c.c.paper_id))
        .outerjoin(r, and_(r.c.profile_id == profile_id, r.c.paper_id == c.c.paper_id))
    )
    # Counted without loading and without reading the papers table: the candidates left out (the
    # shown ones are most of a window) cost an index lookup each and never leave the database.
    category = case((own, "own"), (and_(seen, literal(not include_seen)), "seen"), else_="rest")
    counted = conn.execute(
        select(category.label("category"), func.count())
        .select_from(joined)
        .where(considered)
        .group_by(literal_column("category"))
    )
    counts = {str(name): int(n) for name, n in counted}
    # Only the rest is joined to its papers: those too old are dropped there, the others are the pool
    # (a date the SQL cannot read is NULL there, and such a paper stays in, as in the ranking).
    pool_query = (
        select(s.papers.c.id if cache is not None else s.papers)
        .select_from(joined.join(s.papers, s.papers.c.id == c.c.paper_id))
        .where(considered, category == "rest", case((too_old, literal(False)), else_=literal(True)))
        .order_by(c.c.first_seen, c.c.paper_id)
    )

    def load(ids: list[int]) -> list[Paper]:
        return cache.load(conn, ids) if cache is not None else load_many(conn, ids)

    if cache is not None:  # ids only: the cache builds what it does not hold
        pool = load([int(r.id) for r in conn.execute(pool_query)])
    else:  # the rows at once, no second query
        pool = papers_from_rows(conn, conn.execute(pool_query).all())
    rated = ratings(conn, profile_id)
    rated_papers = {p.store_id: p for p in load([x.paper_id for x in rated])}
    return DigestInputs(
        own=load(profile_paper_ids(conn, profile_id)),
        pool=pool,
        ratings=[(rated_papers[x.paper_id], x.rating) for x in rated if x.paper_id in rated_papers],
        excluded_own=int(counts.get("own", 0)),
        excluded_seen=int(counts.get("seen", 0)),
        excluded_old=int(counts.get("rest", 0)) - len(pool),
    )


def _day_ends(conn: Connection, date: ColumnElement[str]) -> ColumnElement[str]:
    """A paper's date as the ISO day it ends on, as the ranking reads it (``paper_day(p, "end")``):
    a full date is itself, ``YYYY-MM`` its 15th, a bare year its last day; NULL when undated."""
    year = func.substr(date, 1, 4)
    is_year = _matches(conn, year, "[0-9][0-9][0-9][0-9]", "^[0-9]{4}$")
    year_end = case((is_year, year + "-12-31"), else_=None)
    full = func.substr(date, 1, 10)
    month_part, day_part = func.substr(date, 6, 2), func.substr(date, 9, 2)
    number = cast(year, Integer)
    leap = and_(number % 4 == 0, or_(number % 100 != 0, number % 400 == 0))
    last_day = case(
        (month_part == "02", case((leap, "29"), else_="28")),
        (month_part.in_(["04", "06", "09", "11"]), "30"),
        else_="31",
    )
    # A CASE, not an AND: PostgreSQL may evaluate AND's terms in any order, and the cast needs digits.
    is_full = case(
        (
            _matches(conn, full, "[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]", "^[0-9]{4}-[01][0-9]-[0-3][0-9]$"),
            and_(month_part.between("01", "12"), day_part >= "01", day_part <= last_day),
        ),
        else_=literal(False),
    )
    month = func.substr(date, 1, 7)
    is_month = and_(
        _matches(conn, month, "[0-9][0-9][0-9][0-9]-[0-1][0-9]", "^[0-9]{4}-[01][0-9]$"),
        func.substr(date, 6, 2).between("01", "12"),
    )
    length = func.length(date)
    return case(
        (length >= 10, case((is_full, full), else_=year_end)),
        (and_(length >= 7, func.substr(date, 5, 1) == "-"), case((is_month, month + "-15"), else_=year_end)),
        else_=year_end,
    )


def _matches(conn: Connection, text: ColumnElement[str], glob: str, regex: str) -> ColumnElement[bool]:
    if conn.dialect.name == "postgresql":
        return cast(text, String).op("~")(regex)
    return text.op("GLOB")(glob)
