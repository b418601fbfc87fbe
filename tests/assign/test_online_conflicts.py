"""The online co-authorship rule (OpenAlex, DBLP) over httpx mock transports serving the recorded responses.

The OpenAlex answers are the recorded work of tests/fixtures/services/openalex_works_list_built.json
(authors Heather Piwowar A5048491430, Jason Priem A5023888391, Vincent Larivière A5068542997...,
published 2018) with its year set per test; the DBLP answer is dblp_person_built.xml (Alexander S.
Szalay 00/0001 with María Müller 99/9999-2 in 2023 and 2024).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from papersift.assign.conflicts import find_conflicts
from papersift.assign.online import add_online_coauthors, person_id, plan_lookups, read_author_ids
from papersift.cli import cli
from papersift.cli.common import Resources
from tests.fetch.helpers import FakeClock, Recorder, cli_client_factory, make_client, text
from tests.sources.services_helpers import fixture_text

PRIEM, PIWOWAR, LARIVIERE = "A5023888391", "A5048491430", "A5068542997"


def openalex_answer(request: httpx.Request, year: int) -> httpx.Response:
    """The recorded work (published in ``year``) when one of the asked authors is on it, else no works."""
    data = json.loads(fixture_text("openalex_works_list_built.json"))
    work = copy.deepcopy(data["results"][0])
    work["publication_year"], work["publication_date"] = year, f"{year}-02-13"
    asked = request.url.params["filter"].split(",")[0].removeprefix("author.id:").split("|")
    on_work = {str(a["author"]["id"]).rsplit("/", 1)[-1] for a in work["authorships"]}
    data["results"] = [work] if on_work & set(asked) else []
    data["meta"].update(count=len(data["results"]), next_cursor=None)
    return text(json.dumps(data))


def handler(openalex_year: int = 2024, failing: str | None = None):  # type: ignore[no-untyped-def]
    def answer(request: httpx.Request) -> httpx.Response:
        if failing and failing in str(request.url):
            return text('{"message": "service unavailable"}', status=503)
        if request.url.host == "api.openalex.org":
            return openalex_answer(request, openalex_year)
        return text(fixture_text("dblp_person_built.xml"))

    return answer


def _paper(key: str, authors: list[str], ids: list[str], year: int = 2026) -> dict[str, object]:
    return {"id": key, "content": {"title": key, "authors": authors, "authorids": ids, "year": year}}


def venue(
    tmp_path: Path,
    submissions: dict[str, dict[str, object]],
    reviewers: list[str],
    ids: str,
    names: dict[str, str] | None = None,
) -> list[Path]:
    archives = tmp_path / "archives"
    archives.mkdir(parents=True)
    for reviewer in reviewers:  # archives with no co-author in common: only the online rule can find one
        name = (names or {}).get(reviewer, reviewer[1:-1].replace("_", " "))
        paper = _paper(f"own-{reviewer}", [name], [reviewer], 2025)
        (archives / f"{reviewer}.jsonl").write_text(json.dumps(paper) + "\n", "utf-8")
    subs = tmp_path / "submissions.json"
    subs.write_text(json.dumps(submissions), "utf-8")
    id_file = tmp_path / "ids.csv"
    id_file.write_text(ids, "utf-8")
    return [archives, subs, id_file]


def run_online(paths: list[Path], answer, this_year: int = 2026, years: int = 3):  # type: ignore[no-untyped-def]
    archives, subs, id_file = paths
    conflicts = find_conflicts(archives, subs, years=years, this_year=this_year)
    client, recorder = make_client(answer, max_attempts=2)
    plan = plan_lookups(conflicts, read_author_ids(id_file))
    report = add_online_coauthors(conflicts, plan, client, years=years, this_year=this_year)
    return conflicts, report, recorder


OPENALEX_IDS = (
    f"~Jason_Priem1,openalex:{PRIEM}\n~Heather_Piwowar1,https://openalex.org/{PIWOWAR}\n~Ada_Byron1,openalex:A1\n"
)


def test_person_ids_in_every_spelling() -> None:
    assert person_id("openalex:a5023888391") == f"openalex:{PRIEM}"
    assert person_id(f"https://openalex.org/authors/{PRIEM}") == f"openalex:{PRIEM}"
    assert person_id("dblp:73/6258") == person_id("https://dblp.org/pid/73/6258.html") == "dblp:73/6258"
    assert person_id("~Jane_Doe1") is None and person_id("A5023888391") is None


def test_openalex_shared_work_in_the_window_is_a_conflict(tmp_path: Path) -> None:
    paths = venue(
        tmp_path,
        {
            "s1": _paper("s1", ["Heather Piwowar"], ["~Heather_Piwowar1"]),  # matched by OpenAlex id
            "s2": _paper("s2", ["Vincent Larivière"], [""]),  # no id: matched by name on the work
            "s3": _paper("s3", ["Nobody Known"], [""]),
        },
        ["~Jason_Priem1", "~Ada_Byron1"],
        OPENALEX_IDS,
    )
    conflicts, report, recorder = run_online(paths, handler(openalex_year=2024))
    assert conflicts.pairs == {
        ("s1", "~Jason_Priem1"): ["co-author (OpenAlex, 2024): Heather Piwowar"],
        ("s2", "~Jason_Priem1"): ["co-author (OpenAlex, 2024): Vincent Larivière"],
    }
    assert conflicts.by_rule() == {"co-author (OpenAlex)": 2}
    assert report.pairs == 2 and not report.failed
    # Both reviewers in one batched query over the window, asking only for the fields needed.
    assert len(recorder.requests) == 1
    params = recorder.params(0)
    assert params["filter"] == f"author.id:A1|{PRIEM},from_publication_date:2023-01-01"
    assert params["select"] == "id,title,publication_year,authorships"


def test_openalex_shared_work_outside_the_window_is_none(tmp_path: Path) -> None:
    subs = {"s1": _paper("s1", ["Heather Piwowar"], ["~Heather_Piwowar1"])}
    paths = venue(tmp_path, subs, ["~Jason_Priem1"], OPENALEX_IDS)
    conflicts, report, _ = run_online(paths, handler(openalex_year=2022))  # window: 2023 onwards
    assert not conflicts.pairs and report.looked_up == 1 and not report.failed
    paths = venue(tmp_path / "wider", subs, ["~Jason_Priem1"], OPENALEX_IDS)
    conflicts, _, _ = run_online(paths, handler(openalex_year=2022), years=4)
    assert conflicts.pairs == {("s1", "~Jason_Priem1"): ["co-author (OpenAlex, 2022): Heather Piwowar"]}


DBLP_IDS = "~Alexander_Szalay1,dblp:00/0001\n~Maria_Muller1,dblp:99/9999-2\n"


def test_dblp_shared_work_within_and_outside_the_window(tmp_path: Path) -> None:
    subs = {"s1": _paper("s1", ["María Müller"], ["~Maria_Muller1"]), "s2": _paper("s2", ["Jim Gray"], [""])}
    paths = venue(tmp_path, subs, ["~Alexander_Szalay1"], DBLP_IDS)
    conflicts, report, recorder = run_online(paths, handler())
    # The latest shared work names the year (2023 and 2024 are both in the window).
    assert conflicts.pairs == {("s1", "~Alexander_Szalay1"): ["co-author (DBLP, 2024): María Müller"]}
    assert recorder.urls == ["https://dblp.org/pid/00/0001.xml"] and report.requests == 1
    paths = venue(tmp_path / "later", subs, ["~Alexander_Szalay1"], DBLP_IDS)
    conflicts, _, _ = run_online(paths, handler(), this_year=2030)  # window: 2027 onwards
    assert not conflicts.pairs


def test_reviewer_without_an_id_found_by_name_in_an_authors_works(tmp_path: Path) -> None:
    subs = {"s1": _paper("s1", ["María Müller"], ["~Maria_Muller1"])}
    names = {"~Alexander_Szalay1": "Alexander S. Szalay"}
    paths = venue(tmp_path, subs, ["~Alexander_Szalay1"], "~Maria_Muller1,dblp:99/9999-2\n", names)
    conflicts, _, recorder = run_online(paths, handler())
    assert recorder.urls == ["https://dblp.org/pid/99/9999-2.xml"]
    # Szalay's name (as his archive writes it beside his id) is on María Müller's 2024 work.
    assert conflicts.pairs == {("s1", "~Alexander_Szalay1"): ["co-author (DBLP, 2024): María Müller"]}


def test_each_person_is_looked_up_once_however_many_pairs(tmp_path: Path) -> None:
    submissions = {
        f"s{i}": _paper(f"s{i}", ["María Müller", "Heather Piwowar"], ["~Maria_Muller1", "~Heather_Piwowar1"])
        for i in range(40)
    }
    reviewers = ["~Alexander_Szalay1", "~Jason_Priem1", "~Ada_Byron1", "~No_Ids1"]
    paths = venue(tmp_path, submissions, reviewers, DBLP_IDS + OPENALEX_IDS)
    conflicts, report, recorder = run_online(paths, handler())
    # ~No_Ids1 has no id anywhere, so the authors with ids are looked up too: still each once.
    dblp = sorted(u for u in recorder.urls if "dblp.org" in u)
    assert dblp == ["https://dblp.org/pid/00/0001.xml", "https://dblp.org/pid/99/9999-2.xml"]
    asked = [
        ident
        for _, request in recorder.requests
        if request.url.host == "api.openalex.org"
        for ident in request.url.params["filter"].split(",")[0].removeprefix("author.id:").split("|")
    ]
    assert sorted(asked) == sorted(["A1", PIWOWAR, PRIEM]) and len(recorder.requests) == 3
    assert report.looked_up == 5 and report.requests == 3
    assert all(
        conflicts.pairs[(f"s{i}", "~Alexander_Szalay1")] == ["co-author (DBLP, 2024): María Müller"] for i in range(40)
    )
    priem = ["co-author (OpenAlex, 2024): Heather Piwowar"]
    assert all(conflicts.pairs[(f"s{i}", "~Jason_Priem1")] == priem for i in range(40))


def _cli_venue(tmp_path: Path) -> list[Path]:
    subs = {
        "s1": _paper("s1", ["María Müller"], ["~Maria_Muller1"]),
        "s2": _paper("s2", ["Heather Piwowar"], ["~Heather_Piwowar1"]),
        "s3": _paper("s3", ["Alexander Szalay"], ["~Alexander_Szalay1"]),  # the reviewer's own: "author"
    }
    return venue(tmp_path, subs, ["~Alexander_Szalay1", "~Jason_Priem1"], DBLP_IDS + OPENALEX_IDS)


def _invoke(paths: list[Path], recorder: Recorder, *extra: str) -> tuple[int, str]:
    archives, subs, id_file = paths
    out = archives.parent / "conflicts.csv"
    args = ["conflicts", "--archives", str(archives), "--submissions", str(subs), "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, *extra], obj=Resources(client_factory=cli_client_factory(recorder)))
    return result.exit_code, result.output


def test_cli_a_failing_service_is_reported_and_the_rest_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAPERSIFT_OFFLINE", raising=False)
    paths = _cli_venue(tmp_path)
    recorder = Recorder(handler(failing="dblp.org/pid/00/0001"), FakeClock())
    code, output = _invoke(paths, recorder, "--online", "--author-ids", str(paths[2]), "--years", "30")
    assert code == 0, output
    lines = (tmp_path / "conflicts.csv").read_text("utf-8").splitlines()
    assert "s3,~Alexander_Szalay1,author" in lines
    assert 's2,~Jason_Priem1,"co-author (OpenAlex, 2024): Heather Piwowar"' in lines
    assert not any(line.startswith("s1,") for line in lines)  # Szalay's DBLP works could not be read
    # Named once, as everyone who has the id (the reviewer, and an author of s3), with the service's sentence.
    assert (
        "warning: could not look up ~Alexander_Szalay1, Alexander Szalay of s3 (dblp:00/0001): "
        "DBLP: GET https://dblp.org/pid/00/0001.xml: HTTP 503; gave up after 2 attempts"
    ) in output
    assert "online: 4 author ids looked up in 3 requests, 1 pairs share a work in the window; 1 of them" in output
    assert len([u for u in recorder.urls if "00/0001" in u]) == 2  # retried once (max_attempts=2), not per pair


def test_cli_offline_refuses_online_and_interrupt_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _cli_venue(tmp_path)
    recorder = Recorder(handler(), FakeClock())
    monkeypatch.setenv("PAPERSIFT_OFFLINE", "1")
    code, output = _invoke(paths, recorder, "--online", "--author-ids", str(paths[2]))
    assert code == 2 and "--offline ($PAPERSIFT_OFFLINE) forbids" in output and not recorder.requests
    monkeypatch.delenv("PAPERSIFT_OFFLINE")
    code, output = _invoke(paths, recorder, "--author-ids", str(paths[2]))
    assert code == 2 and "--author-ids is read by --online only" in output

    def interrupted(request: httpx.Request) -> httpx.Response:
        raise KeyboardInterrupt

    code, output = _invoke(paths, Recorder(interrupted, FakeClock()), "--online", "--author-ids", str(paths[2]))
    assert code == 130 and not (tmp_path / "conflicts.csv").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("~Jason_Priem1,orcid:0000-0001-6187-6610\n", "utf-8")
    code, output = _invoke(paths, recorder, "--online", "--author-ids", str(bad))
    assert code == 1 and "line 1" in output and "is not an OpenAlex or DBLP id" in output


def test_an_authorids_entry_that_is_an_id_needs_no_file(tmp_path: Path) -> None:
    # Only the id can match: the name is written unlike OpenAlex's "Vincent Larivière".
    subs = {"s1": _paper("s1", ["V. L."], [f"https://openalex.org/{LARIVIERE}"])}
    paths = venue(tmp_path, subs, ["~Jason_Priem1"], f"~Jason_Priem1,openalex:{PRIEM}\n")
    conflicts, report, _ = run_online(paths, handler(openalex_year=2025))
    assert conflicts.pairs == {("s1", "~Jason_Priem1"): ["co-author (OpenAlex, 2025): V. L."]}
    assert report.looked_up == 1  # the reviewer only: every reviewer has an OpenAlex id
