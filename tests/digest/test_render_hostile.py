"""Hostile text in every output: links that try to break out of Markdown, escape sequences for the terminal."""

from __future__ import annotations

import re

import pytest

from papersift.digest import render
from papersift.models import Match, Paper, RatingMatch, Recommendation

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x07click\x1b]8;;\x07\u202e"


def rec_with(link: str, title: str = "Plain title") -> Recommendation:
    paper = Paper(title=title, abstract="An abstract.\n\n# Not a heading\n[x]: javascript:alert(1)", links=[link])
    return Recommendation(rank=1, score=0.5, paper=paper, why=[Match(f"Mine {ESCAPES}", 0.9, ("te`rm", "<b>"))])


@pytest.mark.parametrize(
    "link",
    [
        "https://example.org/a) <img src=x onerror=alert(1)>",
        'https://example.org/"><script>alert(1)</script>',
        "https://example.org/a b](javascript:alert(1))",
        "http://example.org/\x1b[2J\nnext",
    ],
)
def test_markdown_links_are_percent_encoded_and_cannot_break_out(link: str) -> None:
    md = render([rec_with(link)], "markdown")
    heading = next(line for line in md.splitlines() if line.startswith("## 1."))
    match = re.fullmatch(r"## 1\. \[Plain title\]\((\S+)\)", heading)
    assert match, heading
    url = match.group(1)
    assert url.startswith(("https://example.org/", "http://example.org/"))
    assert not set(url) & set("<>()\"' []`\\\x1b\n")
    assert "<img" not in md and "<script" not in md


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,<script>", "https:///nohost", "ftp://x.org/"])
def test_markdown_makes_only_web_links_with_a_host_clickable(link: str) -> None:
    md = render([rec_with(link)], "markdown")
    assert "](" not in md.split("\n## 1.", 1)[1].splitlines()[0]


def test_markdown_text_never_starts_a_block_of_its_own() -> None:
    md = render([rec_with("https://example.org/")], "markdown")
    assert "\n# Not a heading" not in md and "\n[x]:" not in md
    assert "`term`, `<b>`" in md  # in a code span, markup is inert


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_no_escape_sequence_reaches_the_terminal_or_the_file(fmt: str) -> None:
    recommendation = rec_with("https://example.org/", title=f"Title {ESCAPES}")
    recommendation.ratings = [RatingMatch(f"Rated {ESCAPES}", "up", 0.7)]
    recommendation.interest = f"interest {ESCAPES}"
    out = render([recommendation], fmt, width=200)
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "]8;;" not in out and "pwned" not in out
    assert "Title" in out and "red" in out and "click" in out


def test_html_still_escapes_and_keeps_links_to_the_web() -> None:
    html = render([rec_with('https://example.org/"><script>')], "html")
    assert "<script>" not in html
