"""Text from papers and servers is untrusted: nothing of it may drive the terminal it is printed on.

A title can carry ANSI/OSC escape sequences (recolouring the screen, rewriting the window title,
forging hyperlinks with OSC 8, clearing what the user just read) or bidirectional overrides that
make text read differently from what it is. :func:`printable` removes whole escape sequences
(not only their ESC byte, which would leave ``]8;;http://...`` behind), then every remaining
control character. Every line papersift prints from data goes through it.
"""

from __future__ import annotations

import re

# ESC [ ... final byte (CSI); ESC ] ... BEL or ESC \ (OSC); ESC P/X/^/_ ... ESC \ (DCS, SOS, PM, APC);
# ESC and one more character (the other two-byte escapes). Each alternative is linear: no nested repeats.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[\s\S]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|\x9d[^\x07\x1b\x9c]*[\x07\x9c]?"
)
# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional embeddings/overrides/isolates.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_AND_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, single_line: bool = False) -> str:
    """``text`` without escape sequences and control characters (tab and newline are kept, unless
    ``single_line``, which turns every line break and tab into a space)."""
    if not text:
        return text
    cleaned = _ESCAPES.sub("", text)
    if single_line:
        return _CONTROLS_AND_BREAKS.sub(lambda m: " " if m.group() in "\t\n\r\u2028\u2029\x0b\x0c" else "", cleaned)
    return _CONTROLS.sub("", cleaned.replace("\r\n", "\n").replace("\r", "\n"))


# Errors quote what the user gave ('cs LG' is not an arXiv category); a quoted value, or any other run
# without spaces, can be a whole file's worth of one token. Messages show its start and its length.
QUOTE_LIMIT = 80
BARE_LIMIT = 200  # paths and URLs in messages are left whole unless they are longer than this
_QUOTED = re.compile(rf"'[^'\n]{{{QUOTE_LIMIT + 1},}}'|\"[^\"\n]{{{QUOTE_LIMIT + 1},}}\"")
_BARE = re.compile(rf"[^\s'\"]{{{BARE_LIMIT + 1},}}")


def clip(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` if at most ``limit`` characters, else its start, an ellipsis and how long it was."""
    if len(text) <= limit:
        return text
    told = f"… ({len(text):,} characters)"
    return text[: max(limit - len(told), 1)] + told  # at most ``limit`` long: clipping again changes nothing


def clip_quoted(message: str) -> str:
    """``message`` with every quoted segment longer than :data:`QUOTE_LIMIT` characters, and every run
    without spaces longer than :data:`BARE_LIMIT`, cut to its start (an error never prints a whole
    60,000-character token back)."""
    if len(message) <= QUOTE_LIMIT:
        return message
    message = _QUOTED.sub(lambda m: m.group()[0] + clip(m.group()[1:-1]) + m.group()[-1], message)
    return _BARE.sub(lambda m: clip(m.group(), BARE_LIMIT), message)
