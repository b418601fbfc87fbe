"""LaTeX in titles and abstracts, as readable Unicode text for every place a person reads them.

arXiv titles carry math and commands (``$\\boldsymbol{\\alpha}$-Flow``, ``$O(n^2)$``,
``\\textit{...}``). :func:`latex_to_text` turns them into text (``α-Flow``, ``O(n²)``) with
pylatexenc, for the terminal, Markdown, JSON display fields, HTML pages and both e-mail parts
(Unicode needs no script and no CDN, and it is the only choice an e-mail client leaves).

The stored text is never changed: identity keys are made from the raw title
(:func:`papersift.identity.normalize_text`), so matching is as before.

Hostile input stays cheap: text without a backslash or a dollar is returned as it is, longer
text than :data:`MAX_LATEX_CHARS` is not parsed, and a parser failure (deep nesting, a
construct pylatexenc rejects) returns the raw text. Results are cached, since a page asks for
the same title several times.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

# Longer text is shown raw: pylatexenc takes about 0.15 s on 5,000 backslashes, and no title
# or abstract a person writes has this much LaTeX.
MAX_LATEX_CHARS = 5000

# A lone percent sign (or ampersand) is a percentage in a title ("50% fewer"), not a LaTeX comment that would
# hide the rest of the line; an odd number of dollars is money, not math.
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)([%&])")
_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")
_SUPERSCRIPTS = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPTS = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
# x^2, x^{10}, x^(n+1) as pylatexenc writes them; only what Unicode has a small form for.
_SUPER = re.compile(r"\^(?:([0-9]{1,3}|n)|\(([0-9n+\-=]{1,4})\))")
_SUB = re.compile(r"_(?:([0-9]{1,3})|\(([0-9+\-=]{1,4})\))")
# Styles that pylatexenc maps to mathematical alphanumerics (𝐏) or does not know (\boldsymbol):
# the group they style is kept as plain letters, which read and search better.
_PLAIN_STYLE = re.compile(r"\\(?:mathbf|boldsymbol|bm|mathrm|mathit|mathsf|mathtt|pmb)\s*(?=\{)")


def latex_to_text(value: str) -> str:
    """``value`` with its LaTeX turned into readable Unicode text; ``value`` itself if it has none or is unreadable."""
    if not value or ("\\" not in value and "$" not in value):
        return value
    if len(value) > MAX_LATEX_CHARS:
        return value
    return _convert(value)


@lru_cache(maxsize=4096)
def _convert(value: str) -> str:
    source = _UNESCAPED_PERCENT.sub(r"\\\1", _PLAIN_STYLE.sub("", value))
    if len(_UNESCAPED_DOLLAR.findall(source)) % 2:
        source = _UNESCAPED_DOLLAR.sub(r"\\$", source)
    converter = _converter()
    try:
        # Strict parsing: pylatexenc's error recovery backtracks for minutes on unclosed groups
        # ("$\\frac{\\frac{..."); strict, anything malformed fails at once and the raw text is shown.
        text = converter.latex_to_text(source, tolerant_parsing=False)
    except (RecursionError, MemoryError):
        return value
    except Exception:  # pylatexenc raises several kinds on malformed input; the raw text is the fallback
        return value
    text = _SUPER.sub(lambda m: (m.group(1) or m.group(2)).translate(_SUPERSCRIPTS), text)
    text = _SUB.sub(lambda m: (m.group(1) or m.group(2)).translate(_SUBSCRIPTS), text)
    text = " ".join(text.replace("\u00a0", " ").split())
    return text or value


@lru_cache(maxsize=1)
def _converter() -> Any:
    from pylatexenc.latex2text import LatexNodes2Text

    # pylatexenc logs every macro it cannot fill in; a title's LaTeX is the author's, not the user's, concern.
    logging.getLogger("pylatexenc").setLevel(logging.ERROR)
    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)
