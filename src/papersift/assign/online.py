"""Co-authorship within N years from OpenAlex and DBLP, for the people whose ids are known.

Ids come from a file ``person_id,openalex:A...[,dblp:PID...]`` (a person is a reviewer id, an author's
OpenReview id, e-mail or name) and from a submission's ``authorids`` entries that are themselves an
OpenAlex or DBLP id or URL. Each reviewer with an id is looked up once (see :mod:`.lookup`) and every
person on their works of the window is indexed, by the service's id and by normalised name; a
submission author with an id on that service is matched by id, one without by name. Submission
authors are looked up only for the reviewers who have no id on a service, whom only their names can
find in a submission author's works. A pair gets one reason per service: ``co-author (OpenAlex,
2024): Jane Doe``, the year of the latest shared work.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import InputError
from ..fetch.client import HttpClient
from .conflicts import Author, Conflicts, name_key
from .csvio import iter_rows, original_id
from .lookup import DBLP, OPENALEX, SERVICE_NAMES, Lookups, Work, WorkLookup

_OPENALEX = re.compile(r"^(?:openalex:|https?://(?:api\.)?openalex\.org/(?:authors/)?)(A\d+)$", re.IGNORECASE)
_DBLP = re.compile(r"^(?:dblp:|https?://dblp\.org/pid/)([\w\-]+/[\w\-]+?)(?:\.html|\.xml)?$", re.IGNORECASE)


def person_id(value: str) -> str | None:
    """``openalex:A123`` or its URL -> ``openalex:A123``; ``dblp:12/3456`` or its URL -> ``dblp:12/3456``."""
    value = value.strip()
    found = _OPENALEX.match(value)
    if found:
        return f"{OPENALEX}:{found.group(1).upper()}"
    found = _DBLP.match(value)
    return f"{DBLP}:{found.group(1)}" if found else None


def read_author_ids(path: str | Path) -> dict[str, set[str]]:
    """``person_id,openalex:A...[,dblp:PID...]`` -> person key -> ids (a plain name is matched by name)."""
    found: dict[str, set[str]] = defaultdict(set)
    for line, row in iter_rows(Path(path), (2, 16)):
        person = original_id(row[0]).strip()
        idents = set()
        for value in (v for v in row[1:] if v.strip()):
            ident = person_id(value)
            if ident is None:
                raise InputError(
                    f"'{value.strip()[:80]}' is not an OpenAlex or DBLP id "
                    "(write openalex:A5023888391 or dblp:73/6258)",
                    path,
                    line=line,
                )
            idents.add(ident)
        found[person.lower()] |= idents
        if not person.startswith("~") and "@" not in person:
            found[name_key(person)] |= idents
    return dict(found)


@dataclass
class OnlineReport:
    """What the online rule did: people looked up, requests made, pairs found, and who failed (id -> why)."""

    looked_up: int = 0
    requests: int = 0
    pairs: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    people: dict[str, list[str]] = field(default_factory=dict)  # id -> who has it, for messages

    def failures(self) -> list[str]:
        return [f"{', '.join(self.people.get(i, [])[:3]) or i} ({i}): {why}" for i, why in self.failed.items()]


def _ids_of(keys: set[str], author_ids: Mapping[str, set[str]]) -> set[str]:
    return set().union(*(author_ids.get(k, set()) for k in keys)) if keys else set()


def _author_ids(author: Author, author_ids: Mapping[str, set[str]]) -> set[str]:
    own = person_id(author.ident) if author.ident else None
    return _ids_of(author.keys(), author_ids) | ({own} if own else set())


def _service(ids: set[str], service: str) -> set[str]:
    return {i for i in ids if i.startswith(f"{service}:")}


Found = dict[tuple[str, str], tuple[int, str]]  # (submission, reviewer) -> (latest year, shown name)


def _note(found: Found, pair: tuple[str, str], work: Work, shown: str) -> None:
    year = work.year if work.year is not None else 0
    if pair not in found or year > found[pair][0]:
        found[pair] = (year, shown)


@dataclass
class OnlinePlan:
    """Who has which ids, and the ids to look up (each once), before anything is asked."""

    reviewer_ids: dict[str, set[str]]
    authors: list[tuple[str, Author, set[str]]]  # (submission, author, the author's ids)
    wanted: list[str]
    people: dict[str, list[str]]  # id -> who has it, for messages


def plan_lookups(conflicts: Conflicts, author_ids: Mapping[str, set[str]]) -> OnlinePlan:
    """Every reviewer with an id; a submission author with an id on a service some reviewer has no id on."""
    reviewer_ids = {r: _ids_of(keys | {r.lower()}, author_ids) for r, keys in conflicts.reviewers.items()}
    authors = [(sub, a, _author_ids(a, author_ids)) for sub, listed in conflicts.submissions.items() for a in listed]
    people: dict[str, list[str]] = {}
    for reviewer, ids in reviewer_ids.items():
        for ident in sorted(ids):
            people.setdefault(ident, []).append(reviewer)
    for service in (OPENALEX, DBLP):
        if any(not _service(ids, service) for ids in reviewer_ids.values()):
            for sub, author, ids in authors:
                for ident in sorted(_service(ids, service)):
                    people.setdefault(ident, []).append(f"{author.name or author.ident} of {sub}")
    return OnlinePlan(reviewer_ids, authors, list(people), people)


def add_online_coauthors(
    conflicts: Conflicts,
    plan: OnlinePlan,
    client: HttpClient,
    years: int = 3,
    this_year: int | None = None,
    on_done: Callable[[int], None] | None = None,
) -> OnlineReport:
    """Add ``co-author (Service, year)`` conflicts to ``conflicts`` (as :func:`find_conflicts` filled it).

    ``on_done(n)`` is called as ``n`` more of ``plan.wanted`` are looked up. A service's failure is
    reported per person in the returned report; everything else goes on.
    """
    first_year = (this_year or date.today().year) - years
    lookups = WorkLookup(client, first_year).look_up(plan.wanted, on_done)
    report = OnlineReport(len(plan.wanted), lookups.requests, people=plan.people)
    report.failed = {i: lookups.failed[i] for i in plan.wanted if i in lookups.failed}
    pairs: set[tuple[str, str]] = set()
    for service in (OPENALEX, DBLP):
        found: Found = {}
        _from_reviewers(found, service, conflicts, plan.reviewer_ids, plan.authors, lookups)
        _from_authors(found, service, conflicts, plan.reviewer_ids, plan.authors, lookups)
        for (sub, reviewer), (year, shown) in found.items():
            when = str(year) if year else "undated"
            conflicts.add(sub, reviewer, f"co-author ({SERVICE_NAMES[service]}, {when}): {shown}")
        pairs |= found.keys()
    report.pairs = len(pairs)
    return report


def _from_reviewers(
    found: Found,
    service: str,
    conflicts: Conflicts,
    reviewer_ids: Mapping[str, set[str]],
    authors: list[tuple[str, Author, set[str]]],
    lookups: Lookups,
) -> None:
    """Every person on a reviewer's works, indexed by id and name, then each submission author looked for."""
    index: dict[str, dict[str, tuple[Work, str]]] = defaultdict(dict)
    for reviewer, ids in reviewer_ids.items():
        mine = _service(ids, service)
        own = conflicts.reviewers.get(reviewer, set())
        for ident in mine:
            for work in lookups.works.get(ident, []):
                for person in work.authors:
                    if (person.ident and person.ident in mine) or name_key(person.name) in own:
                        continue  # the reviewer (or another profile of the same name)
                    for key in person.keys:
                        seen = index[key].get(reviewer)
                        if seen is None or (work.year or 0) > (seen[0].year or 0):
                            index[key][reviewer] = (work, person.name)
    for sub, author, ids in authors:
        keys = _service(ids, service) or {k for k in author.keys() if k.startswith("name:")}
        for key in keys:
            for reviewer, (work, shown) in index.get(key, {}).items():
                _note(found, (sub, reviewer), work, author.name or shown)


def _from_authors(
    found: Found,
    service: str,
    conflicts: Conflicts,
    reviewer_ids: Mapping[str, set[str]],
    authors: list[tuple[str, Author, set[str]]],
    lookups: Lookups,
) -> None:
    """Reviewers with no id on ``service``, found by name on the works of submission authors who have one."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for reviewer, ids in reviewer_ids.items():
        if not _service(ids, service):
            for key in conflicts.reviewers.get(reviewer, set()):
                if key.startswith("name:"):
                    by_name[key].append(reviewer)
    if not by_name:
        return
    for sub, author, ids in authors:
        mine = _service(ids, service)
        own = author.keys()
        for ident in mine:
            for work in lookups.works.get(ident, []):
                for person in work.authors:
                    if (person.ident and person.ident in mine) or name_key(person.name) in own:
                        continue
                    for reviewer in by_name.get(name_key(person.name), []):
                        _note(found, (sub, reviewer), work, author.name or author.ident or ident)
