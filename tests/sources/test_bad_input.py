"""Bad input gets one clear sentence naming the file (and line or record), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from papersift.errors import InputError
from papersift.sources import read_papers
from tests.conftest import SAMPLE


def _error(path: Path, **kwargs: object) -> InputError:
    with pytest.raises(InputError) as info:
        read_papers(path, **kwargs)  # type: ignore[arg-type]
    assert str(path) in str(info.value)
    return info.value


def test_missing_path(tmp_path: Path) -> None:
    error = _error(tmp_path / "nope.txt")
    assert "does not exist" in str(error)


def test_directory(tmp_path: Path) -> None:
    assert "directory" in str(_error(tmp_path))


@pytest.mark.parametrize("content", [b"", b"\n\n   \n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert "is empty" in str(_error(path))


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x01\x02binary stream")
    assert "binary" in str(_error(path))


def test_a_pdf_says_what_to_give_instead(tmp_path: Path) -> None:
    """Issue 14 item 11."""
    path = tmp_path / "paper.pdf"
    path.write_bytes(b"%PDF-1.7\n\x00\x01\x02binary stream")
    message = str(_error(path))
    assert "is a PDF" in message and "BibTeX" in message and "arXiv id" in message


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Title one\nAuthors\nAbstract\nCaf\xe9 title\n".encode("latin-1"))
    error = _error(path)
    assert "not valid UTF-8" in str(error)
    assert error.line == 4


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\nnothing like a paper list\n", encoding="utf-8")
    assert "no known format" in str(_error(path))


def test_huge_file_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERSIFT_INPUT_MAX_BYTES", "1000")
    path = tmp_path / "huge.txt"
    path.write_bytes(b"x" * 2000)
    assert "too large" in str(_error(path))
    assert "too large" in str(_error(path, max_bytes=1999))
    path.write_bytes(b"x" * 1000)
    assert "too large" not in str(_error(path))


def test_truncated_publication_list_names_record_and_line(tmp_path: Path) -> None:
    lines = (SAMPLE / "profile_publications.txt").read_text(encoding="utf-8").split("\n")
    path = tmp_path / "cut.txt"
    path.write_text("\n".join(lines[:9]) + "\n", encoding="utf-8")  # header + 2 records + 2 lines of the 3rd
    error = _error(path, input_format="publist")
    assert "truncated record" in str(error)
    assert (error.record, error.line) == (3, 8)


def test_truncated_arxiv_listing(tmp_path: Path) -> None:
    text = (SAMPLE / "profile_arxiv.txt").read_text(encoding="utf-8")
    cut = text[: text.index("arXiv:2411.18728")]  # second record loses its id and date
    path = tmp_path / "cut.txt"
    path.write_text(cut, encoding="utf-8")
    error = _error(path)
    assert "truncated record" in str(error)
    assert error.record == 2 and error.line == 8


def test_truncated_hugging_face_page_keeps_last_record_with_warning(tmp_path: Path) -> None:
    text = (SAMPLE / "feed_hf_oct17.txt").read_text(encoding="utf-8")
    cut = text[: text.rindex("  • ")]  # the last record loses its author count and date
    path = tmp_path / "cut.txt"
    path.write_text(cut, encoding="utf-8")
    result = read_papers(path)
    assert len(result.papers) == 55
    assert [w for w in result.warnings if "no author count or date" in w] == [
        f"{path}, line 445: the last record has no author count or date (was the page cut off?)"
    ]


def test_hugging_face_record_without_author_block_mid_page_is_kept_silently(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    abstract = "We study pruning of large networks in depth. " * 8
    path.write_text(
        f"First Paper About Pruning\n\n{abstract}\n\nSecond Paper About Pruning\n\n{abstract}\n\n"
        "  • 3 authors\n·\nOct 3, 2023\n",
        encoding="utf-8",
    )
    result = read_papers(path, input_format="hf-page")
    assert [p.n_authors for p in result.papers] == [None, 3]
    assert result.warnings == []


def test_record_missing_optional_fields_is_kept_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    abstract = "We prune networks. " * 20
    path.write_text(
        f"Doe, Jane\nA Title About Pruning\nJane Doe\n\nSecond Title\nDoe, Jane\n{abstract}\n", encoding="utf-8"
    )
    result = read_papers(path, input_format="publist")
    assert [p.title for p in result.papers] == ["A Title About Pruning", "Second Title"]
    assert result.warnings == [f"{path}, record 1: no abstract; ranked on its title alone"]


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    path.write_text('{"title": "A"}\n{"title": "B"\n', encoding="utf-8")
    error = _error(path)
    assert error.line == 2 and error.record == 2


def test_json_paper_without_text(tmp_path: Path) -> None:
    path = tmp_path / "papers.json"
    path.write_text('[{"title": "Fine"}, {"authors": ["x"]}]', encoding="utf-8")
    error = _error(path)
    assert error.record == 2 and "neither a title nor an abstract" in str(error)


def test_forced_format_that_does_not_fit(tmp_path: Path) -> None:
    error = _error(SAMPLE / "feed_hf_oct17.txt", input_format="arxiv-listing")
    assert "no arXiv listing records" in str(error) or "truncated" in str(error)


def test_hugging_face_page_with_paper_links_records_the_arxiv_id(tmp_path: Path) -> None:
    """A copy that kept the links (a Markdown title, or the URL under the record) gives the arXiv id."""
    path = tmp_path / "page.txt"
    abstract = "We study pruning of large networks in depth. " * 8
    path.write_text(
        f"[First Paper About Pruning](https://huggingface.co/papers/2411.12345)\n\n{abstract}\n\n"
        "  • 3 authors\n·\nOct 3, 2023\n\n"
        f"Second Paper About Pruning\n\n{abstract}\n\n"
        "  • 2 authors\n·\nOct 4, 2023\nhttps://arxiv.org/abs/2410.00001v2\n",
        encoding="utf-8",
    )
    result = read_papers(path, input_format="hf-page")
    first, second = result.papers
    assert first.title == "First Paper About Pruning" and first.ids == {"arxiv": "2411.12345"}
    assert first.links == ["https://huggingface.co/papers/2411.12345"]
    assert second.ids == {"arxiv": "2410.00001"} and "organization" not in second.extra
    assert result.warnings == []


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ('"title": 42', "title: expected text, not 42"),
        (
            '"title": "ok", "authors": [{"x": 1}, null, 3]',
            'authors: expected names (strings or {"name": ...}), not {"x": 1}',
        ),
        ('"title": "ok", "authors": ["Ada", null]', "authors: expected names"),
        (
            '"title": "ok", "date": {"y": 2020}',
            'date: expected a date (text such as 2020-05-01, or a year), not {"y": 2020}',
        ),
        (
            '"title": "ok", "date": -Infinity',
            "date: expected a date (text such as 2020-05-01, or a year), not -Infinity",
        ),
        ('"title": "ok", "venue": ["ICML"]', 'venue: expected text, not ["ICML"]'),
    ],
)
def test_json_fields_of_the_wrong_type_are_refused_naming_the_line(tmp_path: Path, field: str, message: str) -> None:
    """Wrong types were once stored as garbage: a title 42 as an empty title, authors [{"x": 1}, null, 3]
    as ["None", "3"], a date {"y": 2020} as "{'y': 2020}", -Infinity as "-inf"."""
    path = tmp_path / "papers.jsonl"
    path.write_text('{"title": "fine"}\n{' + field + "}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_papers(path)
    assert caught.value.path == str(path) and caught.value.line == 2
    assert message in str(caught.value)


def test_json_years_and_plain_values_still_read(tmp_path: Path) -> None:
    path = tmp_path / "papers.json"
    path.write_text(
        '[{"title": "A", "date": 2020, "authors": ["Ada", {"name": "Bo"}]}, {"title": "B", "year": "2021"}]',
        encoding="utf-8",
    )
    first, second = read_papers(path).papers
    assert first.date == "2020" and first.authors == ["Ada", "Bo"] and second.date == "2021"


def test_an_error_quoting_a_huge_token_quotes_its_start_and_length(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("@article{" + "k" * 60_000 + ",\n author={A}\n}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_papers(path)
    message = str(caught.value)
    assert len(message) < 250 and "(60,000 characters)" in message and message.endswith("has no title")


def test_a_csl_date_of_minus_infinity_is_no_date_not_a_reader_bug(tmp_path: Path) -> None:
    path = tmp_path / "items.json"
    path.write_text(
        '[{"id": "a", "type": "article", "title": "Flat minima", "issued": {"date-parts": [[-Infinity]]}}]',
        encoding="utf-8",
    )
    (paper,) = read_papers(path).papers
    assert paper.title == "Flat minima" and paper.date is None
