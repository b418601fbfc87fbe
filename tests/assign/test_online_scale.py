"""The online rule at venue size: 360 submissions x 300 reviewers with ids, over a synthetic service.

Every reviewer and every submission author has an OpenAlex and a DBLP id; each person has
``WORKS`` works in the window with four co-authors each. The services are httpx mock transports on
a fake clock, so the test counts the requests and the waits the politeness policy imposes (OpenAlex
0.1 s, DBLP 1 s between requests) without the internet; docs/assign.md gives the numbers.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import httpx

from papersift.assign.conflicts import find_conflicts
from papersift.assign.lookup import OPENALEX_BATCH
from papersift.assign.online import OnlineReport, add_online_coauthors, plan_lookups
from tests.fetch.helpers import FakeClock, Recorder, make_client, text

PAPERS, REVIEWERS, AUTHORS_PER_PAPER, WORKS = 360, 300, 4, 20
PEOPLE = [f"P{i:05d}" for i in range(1500)]  # the submission authors' pool


def works_of(person: str) -> list[tuple[str, int, list[str]]]:
    rng = random.Random(person)
    return [(f"{person}-w{n}", 2024 + n % 3, [person, *rng.sample(PEOPLE, 4)]) for n in range(WORKS)]


def openalex(request: httpx.Request) -> httpx.Response:
    asked = request.url.params["filter"].split(",")[0].removeprefix("author.id:").split("|")
    works = [w for person in asked for w in works_of(person)]
    start = int(request.url.params["cursor"]) if request.url.params["cursor"] != "*" else 0
    page = works[start : start + 200]
    results = [
        {
            "id": f"https://openalex.org/W{key}",
            "title": key,
            "publication_year": year,
            "authorships": [{"author": {"id": f"https://openalex.org/A{p[1:]}", "display_name": p}} for p in people],
        }
        for key, year, people in page
    ]
    following = str(start + 200) if start + 200 < len(works) else None
    return text(json.dumps({"meta": {"count": len(works), "next_cursor": following}, "results": results}))


def dblp(request: httpx.Request) -> httpx.Response:
    person = "P" + str(request.url).rsplit("/", 1)[-1].removesuffix(".xml")
    records = "".join(
        f'<r><article key="{key}"><title>{key}.</title>'
        + "".join(f'<author pid="x/{p[1:]}">{p}</author>' for p in people)
        + f"<year>{year}</year><journal>J</journal></article></r>"
        for key, year, people in works_of(person)
    )
    return text(f'<?xml version="1.0"?><dblpperson name="{person}" pid="x/{person[1:]}">{records}</dblpperson>')


def venue(tmp_path: Path) -> tuple[Path, dict[str, set[str]], set[str]]:
    archives = tmp_path / "archives"
    archives.mkdir()
    rng = random.Random(7)
    reviewers = PEOPLE[:REVIEWERS]  # reviewers are people of the pool too, so some pairs co-authored
    for person in reviewers:
        (archives / f"~{person}1.jsonl").write_text("", "utf-8")
    submissions = {}
    for i in range(PAPERS):
        authors = rng.sample(PEOPLE[REVIEWERS:], AUTHORS_PER_PAPER)
        submissions[f"s{i}"] = {"content": {"authors": authors, "authorids": [f"~{a}1" for a in authors]}}
    (tmp_path / "subs.json").write_text(json.dumps(submissions), "utf-8")
    people = {p for s in submissions.values() for p in s["content"]["authors"]} | set(reviewers)
    ids = {f"~{p}1".lower(): {f"openalex:A{p[1:]}", f"dblp:x/{p[1:]}"} for p in people}
    return archives, ids, people


def run(tmp_path: Path, ids: dict[str, set[str]]) -> tuple[OnlineReport, Recorder, float, float]:
    started = time.perf_counter()
    conflicts = find_conflicts(tmp_path / "archives", tmp_path / "subs.json", years=3, this_year=2026)
    clock = FakeClock()
    client, recorder = make_client(lambda r: openalex(r) if r.url.host == "api.openalex.org" else dblp(r), clock)
    plan = plan_lookups(conflicts, ids)
    report = add_online_coauthors(conflicts, plan, client, years=3, this_year=2026)
    elapsed = time.perf_counter() - started
    waited = clock.now - 1000.0
    print(f"\n{len(recorder.requests)} requests, {waited:.0f} s waited, {elapsed:.2f} s here, {report.pairs} pairs")
    return report, recorder, waited, elapsed


def test_venue_size_requests_and_politeness(tmp_path: Path) -> None:
    """Every reviewer has ids on both services: only the 300 reviewers are looked up, never an author."""
    _, ids, _ = venue(tmp_path)
    report, recorder, waited, elapsed = run(tmp_path, ids)
    assert report.looked_up == 2 * REVIEWERS and not report.failed
    batches = -(-REVIEWERS // OPENALEX_BATCH)
    pages = -(-OPENALEX_BATCH * WORKS // 200)
    openalex_requests = sum(1 for _, r in recorder.requests if r.url.host == "api.openalex.org")
    assert openalex_requests == batches * pages == 30
    assert len(recorder.requests) - openalex_requests == REVIEWERS
    assert 299 <= waited <= 300 + 30 * 0.1  # DBLP's one request a second is the floor: about 5 minutes
    assert report.pairs > 0
    assert elapsed < 30


def test_venue_size_when_reviewers_have_no_dblp_ids(tmp_path: Path) -> None:
    """Reviewers without DBLP ids can be found only by name in their authors' DBLP works: every author
    with a DBLP id is then looked up, once each, at DBLP's one request a second."""
    _, ids, people = venue(tmp_path)
    for person in PEOPLE[:REVIEWERS]:
        ids[f"~{person}1".lower()] = {f"openalex:A{person[1:]}"}
    report, recorder, waited, _ = run(tmp_path, ids)
    authors = len(people) - REVIEWERS
    dblp_requests = sum(1 for _, r in recorder.requests if r.url.host == "dblp.org")
    assert dblp_requests == authors and report.looked_up == REVIEWERS + authors
    assert authors - 1 <= waited <= authors + 30 * 0.1
