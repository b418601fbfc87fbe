"""When two records are the same paper.

Two records are one paper when they share an arXiv id (version stripped), a
DOI, a normalized title, or a normalized abstract (arXiv author listings carry
no title, so the abstract is what ties them to a publication list).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from .models import Paper

_ARXIV_NEW = re.compile(r"(\d{4}\.\d{4,5})(v\d+)?", re.IGNORECASE)
# The look-behind makes a search start only where a run of letters starts: without it, a long run of
# letters with no "/" after it is rescanned from every position (quadratic: 30 s for 40,000 letters).
_ARXIV_OLD = re.compile(r"(?<![a-z\-])([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?", re.IGNORECASE)
# No real identifier (an arXiv id, a DOI, or a URL holding one) is longer; a longer value is not read as one.
MAX_ID_CHARS = 256
_LATEX_CMD = re.compile(r"\\[a-zA-Z]+")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# A title shorter than this is too generic ("Introduction") to identify a paper alone.
_MIN_TITLE_KEY = 12
_MIN_ABSTRACT_KEY = 200


def normalize_arxiv_id(value: str) -> str | None:
    """``arXiv:2501.13676v2`` or an abs/pdf URL -> ``2501.13676``; None if not an arXiv id."""
    value = value.strip()
    if len(value) > MAX_ID_CHARS:
        return None
    for pattern in (_ARXIV_NEW, _ARXIV_OLD):
        match = pattern.search(value)
        if match:
            return match.group(1)
    return None


def normalize_doi(value: str) -> str | None:
    value = value.strip()
    if len(value) > MAX_ID_CHARS:
        return None
    value = re.sub(r"^(https?://)?(dx\.)?doi\.org/", "", value, flags=re.IGNORECASE)
    value = re.sub(r"^doi:\s*", "", value, flags=re.IGNORECASE)
    return value.lower() if value.startswith("10.") else None


# LaTeX accents (BibTeX, arXiv titles): a symbol accent (\\'e, \\"{o}) or a letter accent before a
# space or brace (\\c{c}, \\v s), on a letter or dotless i/j, with or without braces.
_LATEX_ACCENT = re.compile(
    r"\\(?:([`'^\"~=.])|([uvHtcdbkr])(?=[\s{]))\s*(?:\{\s*(\\[ij]|[A-Za-z])\s*\}|(\\[ij]|[A-Za-z]))"
)
_COMBINING = {
    "`": "\u0300", "'": "\u0301", "^": "\u0302", "~": "\u0303", "=": "\u0304", "u": "\u0306", ".": "\u0307",
    '"': "\u0308", "r": "\u030a", "H": "\u030b", "v": "\u030c", "d": "\u0323", "c": "\u0327", "k": "\u0328",
    "b": "\u0331", "t": "\u0361",
}  # fmt: skip
# As in TeX, the space (or "{}") that ends a control word is part of it.
_LATEX_LETTER = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])(?:\{\}| )?")
_LETTERS = {
    "ss": "ß", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
    "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ",
}  # fmt: skip


def _accented(match: re.Match[str]) -> str:
    mark = _COMBINING[match.group(1) or match.group(2)]
    letter = match.group(3) or match.group(4)
    base = letter[1] if letter.startswith("\\") else letter  # an accent on a dotless i is on i
    return unicodedata.normalize("NFC", base + mark)


def decode_latex_accents(value: str) -> str:
    """``Schr\\"{o}dinger``, ``{\\'E}cole``, ``\\c{c}a``, ``Stra\\ss e`` -> Unicode letters, linearly."""
    if "\\" not in value:
        return value
    return _LATEX_LETTER.sub(lambda m: _LETTERS[m.group(1)], _LATEX_ACCENT.sub(_accented, value))


def normalize_text(value: str) -> str:
    """Case, accents (Unicode or LaTeX), LaTeX commands, braces, punctuation and spacing removed."""
    value = decode_latex_accents(value)
    if not value.isascii():
        value = unicodedata.normalize("NFKD", value)
        value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = _LATEX_CMD.sub(" ", value)
    return _NON_ALNUM.sub(" ", value.lower()).strip()


def identity_keys(paper: Paper) -> list[str]:
    """Every key under which this paper may be recognised elsewhere."""
    keys: list[str] = []
    if paper.ids.get("arxiv"):
        keys.append("arxiv:" + paper.ids["arxiv"])
    if paper.ids.get("doi"):
        keys.append("doi:" + paper.ids["doi"])
    title = normalize_text(paper.title)
    if len(title) >= _MIN_TITLE_KEY:
        keys.append("title:" + title)
    abstract = normalize_text(paper.abstract)
    if len(abstract) >= _MIN_ABSTRACT_KEY:
        keys.append("abstract:" + hashlib.sha1(abstract.encode()).hexdigest())
    return keys


_HANDLE = re.compile(r"^h-[0-9a-f]{8}$")


def key_handle(key: str) -> str:
    """``h-`` and 8 hex digits of a title or abstract identity key: short enough to type."""
    return "h-" + hashlib.sha1(key.encode()).hexdigest()[:8]


def short_handle(paper: Paper) -> str | None:
    """A paper's short handle when it has no store id, arXiv id or DOI (a Hugging Face page copied
    from the browser carries none): derived from its title (else its abstract), so the same paper
    read from the same file has the same handle in ``rank`` and, once imported, in the store."""
    for key in identity_keys(paper):
        if key.startswith(("title:", "abstract:")):
            return key_handle(key)
    return None


def is_handle(ref: str) -> bool:
    return bool(_HANDLE.match(ref))


def merge(into: Paper, other: Paper) -> Paper:
    """Fold ``other`` into ``into``: fields ``into`` lacks are taken, provenances joined."""
    return _Fold(into).add(other).paper


class _Fold:
    """Folds papers into one in order, as repeated :func:`merge` would, in time linear in what is folded.

    The sets mirror ``links`` and ``sources`` so that joining them never rescans the lists
    (20,000 copies of one paper took over a minute when every merge did).
    """

    def __init__(self, into: Paper) -> None:
        self.paper = into
        self._links = set(into.links)
        self._sources = set(into.sources)

    def add(self, other: Paper) -> _Fold:
        into = self.paper
        if not into.title:
            into.title = other.title
        if len(other.abstract) > len(into.abstract):
            into.abstract = other.abstract
        if len(other.authors) > len(into.authors):
            into.authors = list(other.authors)
        for name in ("n_authors", "date", "venue", "comments", "upvotes"):
            if getattr(into, name) in (None, "") and getattr(other, name) not in (None, ""):
                setattr(into, name, getattr(other, name))
        if other.upvotes is not None and into.upvotes is not None:
            into.upvotes = max(into.upvotes, other.upvotes)
        for scheme, value in other.ids.items():
            into.ids.setdefault(scheme, value)
        for link in other.links:
            if link not in self._links:
                self._links.add(link)
                into.links.append(link)
        for source in other.sources:
            if source not in self._sources:
                self._sources.add(source)
                into.sources.append(source)
        for key, value in other.extra.items():
            into.extra.setdefault(key, value)
        return self


class _Chain:
    """The papers of one group in the order :func:`deduplicate` folds them; joining two chains is O(1)."""

    __slots__ = ("head", "tail")

    def __init__(self, index: int) -> None:
        self.head = self.tail = index


def deduplicate(papers: Iterable[Paper]) -> list[Paper]:
    """One paper per identity, in order of first appearance, provenances merged.

    Keys are transitive: if A shares a title with B and B an arXiv id with C,
    all three are one paper. The groups are found first (union-find over the
    keys) and each is folded once, so the time is linear in the number of
    records, however many copies of one paper there are.
    """
    items = list(papers)
    nxt: list[int] = [-1] * len(items)  # the next paper of the same group, in fold order
    parent: list[int] = []  # union-find over group indices (a group's root is its first paper)
    chains: dict[int, _Chain] = {}
    owner: dict[str, int] = {}

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for position, paper in enumerate(items):
        parent.append(position)
        keys = identity_keys(paper)
        hits = sorted({root(owner[k]) for k in keys if k in owner})
        if not hits:
            chains[position] = _Chain(position)
        else:
            # As the fold did: the earliest group, then this paper, then each later group it joins.
            target = chains[hits[0]]
            nxt[target.tail] = position
            target.tail = position
            parent[position] = hits[0]
            for other_root in hits[1:]:
                other = chains.pop(other_root)
                nxt[target.tail] = other.head
                target.tail = other.tail
                parent[other_root] = hits[0]
        group = root(position)
        for key in keys:
            owner.setdefault(key, group)
    merged: list[Paper] = []
    for first in sorted(chains):
        fold = _Fold(Paper.from_dict(items[first].to_dict()))
        member = nxt[first]
        while member != -1:
            fold.add(items[member])
            member = nxt[member]
        merged.append(fold.paper)
    return merged
