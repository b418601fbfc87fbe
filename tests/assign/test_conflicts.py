"""Each conflict rule on real archive and submission files, and conflicts at venue size in seconds."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from papersift.assign.conflicts import find_conflicts, parent_domains, read_profiles
from papersift.cli import cli


def _paper(title: str, authors: list[str], ids: list[str], year: int | None) -> dict[str, object]:
    content: dict[str, object] = {"title": title, "abstract": f"About {title}.", "authors": authors, "authorids": ids}
    if year is not None:
        content["year"] = year
    return {"id": title.replace(" ", "-"), "content": content}


def _venue(tmp_path: Path) -> tuple[Path, Path]:
    archives = tmp_path / "archives"
    archives.mkdir()
    reviewers = {
        "~Ada_Lovelace1": [
            _paper("engines", ["Ada Lovelace", "Charles Babbage"], ["~Ada_Lovelace1", "~Charles_Babbage1"], 2025),
            _paper("old notes", ["Ada Lovelace", "Mary Somerville"], ["~Ada_Lovelace1", ""], 2015),
        ],
        "~Alan_Turing1": [
            _paper("computable numbers", ["Alan Turing", "Alonzo Church"], ["alan@cs.man.ac.uk", ""], None),
        ],
        "~Grace_Hopper1": [_paper("compilers", ["Grace Hopper"], ["~Grace_Hopper1"], 2024)],
        "~Emmy_Noether1": [],
    }
    for reviewer, papers in reviewers.items():
        (archives / f"{reviewer}.jsonl").write_text("".join(json.dumps(p) + "\n" for p in papers), "utf-8")
    submissions = {
        "s-babbage": _paper("difference", ["Charles Babbage"], ["~Charles_Babbage1"], 2026),
        "s-somerville": _paper("mechanism", ["Mary Somerville"], [""], 2026),
        "s-church": _paper("lambda", ["Alonzo Church"], ["church@princeton.edu"], 2026),
        "s-hopper": _paper("cobol", ["Grace Hopper", "Someone Else"], ["~Grace_Hopper1", "x@gmail.com"], 2026),
        "s-manchester": _paper("machines", ["Tom Kilburn"], ["tom@ee.man.ac.uk"], 2026),
        "s-oxford": _paper("logic", ["Ox Ford"], ["ox@cs.ox.ac.uk"], 2026),
        "s-institution": _paper("algebra", ["Hermann Weyl"], ["~Hermann_Weyl1"], 2026),
    }
    path = tmp_path / "submissions.json"
    path.write_text(json.dumps(submissions), "utf-8")
    return archives, path


def test_each_rule(tmp_path: Path) -> None:
    archives, submissions = _venue(tmp_path)
    profiles = tmp_path / "profiles.csv"
    profiles.write_text(
        "~Emmy_Noether1,Institute for Advanced Study,emmy@gmail.com\n~Hermann_Weyl1,institute for advanced  study\n",
        "utf-8",
    )
    explicit = {("s-oxford", "~Grace_Hopper1"): "advisor"}
    found = find_conflicts(
        archives,
        submissions,
        years=3,
        domains=True,
        profiles=read_profiles(profiles),
        explicit=explicit,
        this_year=2026,
    ).pairs
    assert found[("s-babbage", "~Ada_Lovelace1")] == ["co-author within 3 years: Charles Babbage"]
    assert ("s-somerville", "~Ada_Lovelace1") not in found  # their paper together is from 2015
    assert found[("s-church", "~Alan_Turing1")] == ["co-author within 3 years: Alonzo Church"]  # undated counts
    assert found[("s-hopper", "~Grace_Hopper1")] == ["author"]
    assert found[("s-manchester", "~Alan_Turing1")] == ["same e-mail domain: man.ac.uk"]  # parent of ee. and cs.
    assert found[("s-oxford", "~Grace_Hopper1")] == ["explicit: advisor"]
    assert not any(s == "s-oxford" and r != "~Grace_Hopper1" for s, r in found)  # ac.uk is no institution
    assert found[("s-institution", "~Emmy_Noether1")] == ["same institution: institute for advanced study"]
    assert not any(s == "s-hopper" and r != "~Grace_Hopper1" for s, r in found)  # gmail.com is shared by all
    assert not any("Mary" in " ".join(v) for v in found.values())
    # Without --domains only authorship and co-authorship (and explicit lists) count.
    plain = find_conflicts(archives, submissions, years=20, this_year=2026).pairs
    assert ("s-manchester", "~Alan_Turing1") not in plain
    assert plain[("s-somerville", "~Ada_Lovelace1")] == ["co-author within 20 years: Mary Somerville"]


def test_parent_domains() -> None:
    assert parent_domains("cs.cmu.edu") == {"cs.cmu.edu", "cmu.edu"}
    assert parent_domains("cs.ox.ac.uk") == {"cs.ox.ac.uk", "ox.ac.uk"}
    assert parent_domains("gmail.com") == set()


def test_cli_writes_every_conflict_with_its_rule(tmp_path: Path) -> None:
    archives, submissions = _venue(tmp_path)
    out = tmp_path / "conflicts.csv"
    result = CliRunner().invoke(
        cli, ["conflicts", "--archives", str(archives), "--submissions", str(submissions), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text("utf-8").splitlines()
    assert "s-hopper,~Grace_Hopper1,author" in lines
    assert all(len(line.split(",")) >= 3 for line in lines)
    assert "conflicting pairs" in result.stderr and "warning" not in result.stderr


def test_cli_warns_when_no_paper_lists_its_authors(tmp_path: Path) -> None:
    archives = tmp_path / "archives"
    archives.mkdir()
    (archives / "~A_B1.jsonl").write_text(json.dumps({"id": "x", "content": {"title": "t", "abstract": "a"}}) + "\n")
    submissions = tmp_path / "submissions.json"
    submissions.write_text(json.dumps({"s1": {"id": "s1", "content": {"title": "u", "abstract": "b"}}}), "utf-8")
    out = tmp_path / "conflicts.csv"
    result = CliRunner().invoke(
        cli, ["conflicts", "--archives", str(archives), "--submissions", str(submissions), "--out", str(out)]
    )
    assert result.exit_code == 0 and out.read_text("utf-8") == ""
    assert "the archives list no authors, so authorship and co-authorship could not be checked" in result.stderr


@pytest.mark.slow
def test_360_papers_by_300_reviewers_take_seconds(tmp_path: Path) -> None:
    archives = tmp_path / "archives"
    archives.mkdir()
    people = [f"~Person_{i}1" for i in range(3000)]
    for r in range(300):
        lines = []
        for k in range(40):
            coauthors = [people[(r * 7 + k * 13 + j) % 3000] for j in range(4)]
            lines.append(json.dumps(_paper(f"r{r} paper {k}", [], [f"~Reviewer_{r}1", *coauthors], 2025)))
        (archives / f"~Reviewer_{r}1.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    submissions = {
        f"s{i}": _paper(
            f"sub {i}", [], [people[(i * 11 + j) % 3000] for j in range(5)] + [f"a{i}@uni{i % 50}.edu"], 2026
        )
        for i in range(360)
    }
    path = tmp_path / "submissions.json"
    path.write_text(json.dumps(submissions), "utf-8")
    start = time.perf_counter()
    found = find_conflicts(archives, path, years=3, domains=True, this_year=2026)
    elapsed = time.perf_counter() - start
    assert len(found.pairs) > 1000
    assert elapsed < 10, f"{elapsed:.1f} s"
