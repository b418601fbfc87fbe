"""Hostile files (issue 11, items 3-5): linear work, one sentence instead of a traceback, bounded reads.

No test here is timed (house rule): linearity is asserted by structure (the pattern cannot
restart inside a run, the field is refused or truncated, the merge compares nothing twice).
The timings of the same cases are in benchmarks/reliability_files.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from papersift import api, identity
from papersift.errors import InputError
from papersift.identity import deduplicate, normalize_arxiv_id, normalize_doi
from papersift.models import Paper, Provenance
from papersift.sources import common, read_papers
from papersift.sources.base import split_plain_authors
from papersift.sources.sanitize import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS, ReaderBug
from papersift.store import Store

# -- item 3: no super-linear pattern or merge --------------------------------------------------


def test_a_40000_letter_arxiv_id_is_no_id(tmp_path: Path) -> None:
    assert normalize_arxiv_id("a" * 40_000) is None and normalize_doi("10." + "1" * 40_000) is None
    # The old-style pattern may start only where a run of letters starts (no rescan from inside it).
    assert identity._ARXIV_OLD.pattern.startswith("(?<![a-z\\-])")
    assert normalize_arxiv_id("see hep-th/9901001v2 and more") == "hep-th/9901001"
    assert normalize_arxiv_id("https://arxiv.org/abs/math.AG/0101001") == "math.AG/0101001"
    path = tmp_path / "long-id.json"
    path.write_text(json.dumps([{"title": "A paper with a long id", "abstract": "x", "ids": {"arxiv": "a" * 40_000}}]))
    result = read_papers(path)
    assert result.papers[0].ids == {}
    assert any("identifier longer than 256 characters" in w and "record 1" in w for w in result.warnings)


def test_an_author_string_of_400k_spaces() -> None:
    # Whitespace is collapsed before the " and " split: no pattern backtracks over the run.
    assert split_plain_authors("Ada" + " " * 400_000 + "Lovelace and  Alan\tTuring") == ["Ada Lovelace", "Alan Turing"]


def test_unclosed_tags_are_scanned_once() -> None:
    # A tag stops at the next "<": a run of "<" never makes a tag scan the rest of the text.
    assert "<" in common._TAG.pattern.split("[^")[1].split("]")[0]
    assert common.strip_markup("<" * 200_000) == "<" * 200_000
    assert common.strip_markup("a <jats:p>b</jats:p> <script>x</script>c<sub>2</sub>") == "a b c2"
    assert common.strip_markup("kept <script>alert(1)") == "kept alert(1)"


def test_fields_are_cut_before_whitespace_is_collapsed() -> None:
    assert len(common.squash("word " * 1_000_000)) <= common.MAX_RAW_FIELD_CHARS


def test_twenty_thousand_copies_merge_with_no_rescans(monkeypatch: pytest.MonkeyPatch) -> None:
    compared = 0
    original = Provenance.__eq__

    def counting(self: Provenance, other: object) -> bool:
        nonlocal compared
        compared += 1
        return original(self, other)

    monkeypatch.setattr(Provenance, "__eq__", counting)
    copies = [
        Paper(title="One paper copied many times", ids={"arxiv": "2501.00001"}, sources=[Provenance("f", "json", i)])
        for i in range(20_000)
    ]
    merged = deduplicate(copies)
    assert len(merged) == 1 and len(merged[0].sources) == 20_000
    assert compared < 100  # a list-scanning merge compared 200 million pairs


def test_transitive_groups_fold_in_the_old_order() -> None:
    a = Paper(title="The first title of a paper", links=["a"], ids={"arxiv": "2501.00001"})
    b = Paper(title="A second and different title", links=["b"], ids={"doi": "10.1/b"}, venue="B venue")
    c = Paper(title="A third title bridging both", links=["c"], ids={"arxiv": "2501.00001", "doi": "10.1/b"})
    d = Paper(title="An unrelated paper title here", links=["d"])
    merged = deduplicate([a, b, d, c])
    assert [p.links for p in merged] == [["a", "c", "b"], ["d"]]
    assert merged[0].title == a.title and merged[0].venue == "B venue"


# -- item 4: one sentence, never a traceback -------------------------------------------------


def _refused(path: Path, text: str | bytes) -> InputError:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_papers(path)
    assert not isinstance(info.value, ReaderBug), info.value
    assert str(path) in str(info.value)
    return info.value


def test_100k_deep_json(tmp_path: Path) -> None:
    error = _refused(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000)
    assert "nested too deeply" in str(error) and error.line == 1
    error = _refused(tmp_path / "deep.jsonl", '{"title": "x"}\n' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "\n")
    assert "nested too deeply" in str(error) and error.line == 2


def test_deep_xml(tmp_path: Path) -> None:
    text = '<?xml version="1.0"?><feed xmlns:opensearch="x" arxiv="1">' + "<a>" * 100_000 + "</a>" * 100_000 + "</feed>"
    path = tmp_path / "deep.xml"
    path.write_text(text, encoding="utf-8")
    try:
        result = read_papers(path)
    except InputError as error:
        assert not isinstance(error, ReaderBug), error
    else:
        assert result.papers == []


def test_5000_digit_number(tmp_path: Path) -> None:
    error = _refused(tmp_path / "n.json", '[{"title": "A title",\n "upvotes": ' + "9" * 5000 + "}]")
    assert "number with thousands of digits" in str(error) and error.line == 2
    page = "Some title of a paper\n\nAn abstract that is long enough.\n\n• " + "9" * 5000 + " authors\n·\nOct 1\n"
    error = _refused(tmp_path / "hf.txt", page)
    assert "number with thousands of digits" in str(error) and error.line == 5


def _store_rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return list(conn.execute("select * from papers order by 1"))


def test_lone_surrogate_and_huge_integers_are_stored(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        '[{"title": "Bad \\ud800 title of a paper", "abstract": "x", "upvotes": 18446744073709551616,'
        ' "n_authors": 99999999999999999999, "ids": {"doi": "10.1/\\udfff"}}]',
        encoding="utf-8",
    )
    result = read_papers(path)
    paper = result.papers[0]
    assert paper.title == "Bad \ufffd title of a paper" and paper.upvotes is None and paper.n_authors is None
    assert paper.ids == {}
    assert any("surrogates" in w and "record 1" in w for w in result.warnings)
    assert any("upvotes out of range" in w for w in result.warnings)
    with Store(tmp_path / "s.db") as store:
        summary, _ = api.import_feed(store, [path])
        assert summary.new == 1
    json.dumps(_store_rows(tmp_path / "s.db"), default=str).encode("utf-8")  # storable and printable


def test_every_field_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    record = {"title": "T" * 10_000, "abstract": "a " * 200_000, "authors": ["x"] * 20_000, "links": ["l"] * 500}
    path.write_text(json.dumps(record) + "\n" + json.dumps({"title": "second"}) + "\n", encoding="utf-8")
    result = read_papers(path)
    paper = result.papers[0]
    assert len(paper.title) == MAX_TITLE_CHARS and len(paper.abstract) <= MAX_ABSTRACT_CHARS
    assert len(paper.authors) == 10_000 and paper.n_authors == 20_000 and len(paper.links) == 100
    assert any("title longer than 2,000 characters truncated: record 1 (line 1)" in w for w in result.warnings)


def test_controls_and_mojibake(tmp_path: Path) -> None:
    path = tmp_path / "dirty.jsonl"
    rows = [
        {"title": "Clean \x1b[31mred\x1b[0m title\x07 here", "abstract": "Turing\x92s machine"},
        {"title": "Caf\u00c3\u00a9 society and its papers", "abstract": "lost \ufffd byte"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = read_papers(path)
    assert [p.title for p in result.papers] == ["Clean red title here", "Café society and its papers"]
    assert result.papers[0].abstract == "Turing’s machine"
    text = "\n".join(result.warnings)
    assert "control characters removed from the title: record 1 (line 1)" in text
    assert "mojibake" in text and "record 2 (line 2)" in text
    assert "U+FFFD" in text


# -- item 5: bounded reads ---------------------------------------------------------------------


def test_devices_and_fifos_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a regular file"):
        read_papers("/dev/zero")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_papers(fifo)  # never blocks: opened without waiting for a writer
    link = tmp_path / "link.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="not a regular file"):
        read_papers(link)


def test_size_limit_from_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[input]\nmax_bytes = 100\n", encoding="utf-8")
    monkeypatch.setenv("PAPERSIFT_CONFIG", str(config))
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"title": "x" * 200}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"too large .*\[input\] max_bytes"):
        read_papers(path)
    monkeypatch.setenv("PAPERSIFT_INPUT_MAX_BYTES", "1000")
    assert read_papers(path).papers


# -- item 6: detection refuses what it does not understand ------------------------------------


def test_truncated_yaml_is_not_a_publication_list(tmp_path: Path) -> None:
    body = "x" * 40
    yaml = (
        "- request:\n    body: null\n    headers: {" + ", ".join(f"h{i}: {body}" for i in range(8)) + "}\n"
        "  response:\n    status: {code: 200, message: OK}\n    body: {string: '" + "word " * 60 + "'}\n"
    )
    from papersift.sources import detect_format, publist

    assert detect_format(yaml) is None and not publist.looks_like(yaml)
    with pytest.raises(InputError, match="no known format"):
        (tmp_path / "cut.yaml").write_text(yaml, encoding="utf-8")
        read_papers(tmp_path / "cut.yaml")


def test_publication_list_author_lines_must_be_names() -> None:
    from papersift.sources import publist

    record = "A Title of a Paper\n{}\n" + "An abstract sentence that goes on. " * 6 + "\n"
    assert publist.looks_like(record.format("Lovelace, Ada, Turing, Alan"))
    assert publist.looks_like(record.format("Ada Lovelace and Alan Turing"))
    for bad in ("url: https://example.org", "<b>Ada</b>", '"authors": ["Ada"]', "AU  - Lovelace, Ada", "x = 1; y = 2"):
        assert not publist.looks_like(record.format(bad)), bad


def test_reviewer_archives_refuse_a_fifo(tmp_path: Path) -> None:
    from papersift.expertise import read_archives

    (tmp_path / "~Ada_Lovelace1.jsonl").write_text('{"title": "A paper"}\n', encoding="utf-8")
    os.mkfifo(tmp_path / "~Alan_Turing1.jsonl")
    with pytest.raises(InputError, match="not a regular file"):
        read_archives(tmp_path)
