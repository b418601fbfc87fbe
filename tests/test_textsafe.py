"""printable(): nothing in untrusted text may drive the terminal."""

from __future__ import annotations

import time

import pytest

from papersift.textsafe import printable


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain title", "plain title"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b]0;window title\x07after", "after"),  # OSC ended by BEL
        ("\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"),  # OSC 8 hyperlink ended by ST
        ("a\x1bPdevice control\x1b\\b", "ab"),  # DCS
        ("a\x9b31mb", "ab"),  # 8-bit CSI
        ("bell\x07 back\x08space\x00nul\x7fdel", "bell backspacenuldel"),
        ("abc\u202edcba\u2066x\u2069", "abcdcbax"),  # bidi overrides and isolates
        ("unfinished \x1b[", "unfinished "),
        ("Über Größe — naïve 数学", "Über Größe — naïve 数学"),
    ],
)
def test_printable_strips_escape_sequences_and_controls(text: str, expected: str) -> None:
    assert printable(text) == expected


def test_lines_and_tabs_are_kept_unless_one_line_is_asked_for() -> None:
    assert printable("a\tb\r\nc\rd") == "a\tb\nc\nd"
    assert printable("a\tb\r\nc\u2028d", single_line=True) == "a b  c d"


def test_printable_is_linear_on_long_hostile_input() -> None:
    started = time.perf_counter()
    for text in ("\x1b]" * 200_000, "\x1b[" + "0;" * 200_000, "\x1b" * 400_000, "\x9d" * 400_000):
        assert "\x1b" not in printable(text)
    assert time.perf_counter() - started < 2.0


def test_clip_quoted_shortens_long_quoted_values_and_bare_runs_once() -> None:
    from papersift.errors import ConfigError
    from papersift.textsafe import QUOTE_LIMIT, clip_quoted

    long = "x" * 60_000
    clipped = clip_quoted(f"'{long}' is not an arXiv category")
    assert clipped.endswith("… (60,000 characters)' is not an arXiv category")
    assert len(clipped) <= QUOTE_LIMIT + 40 and clip_quoted(clipped) == clipped
    assert len(clip_quoted("see " + long)) < 250
    path = "/home/ada/" + "p" * 100 + "/refs.bib"  # a long path (under 200 characters) stays whole
    assert clip_quoted(f"{path}: not found") == f"{path}: not found"
    assert len(str(ConfigError(f"bad value {long!r}"))) < 150
