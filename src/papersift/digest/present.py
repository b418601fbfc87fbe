"""The one presenter of a digest's picks: what every channel says about a pick.

The terminal, Markdown, HTML, JSON, mail, RSS/Atom and the web all take their byline, their link to
the paper, the wording of the reasons and the naming of the interest from here, so a pick reads the
same wherever it is read. Each channel only escapes or marks up what these functions return.

The link rule: a paper with an arXiv id links its arXiv abstract page, else one with a DOI its
``https://doi.org/`` page, else its first http(s) URL (with a host); a paper with none has no link.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import quote, urlsplit

from ..latex import latex_to_text
from ..models import Paper, Recommendation
from ..textsafe import printable

BYLINE_AUTHORS = 4


def _one_line(text: str) -> str:
    """Text on one line, without escape sequences or control characters (a title may carry any)."""
    return printable(text, single_line=True)


# Characters left as they are in a URL; everything else (spaces, quotes, <, >, parentheses, brackets,
# backslashes, backticks, non-ASCII) is percent-encoded, so no link can close its markup or start HTML.
_URL_SAFE = ":/?#@!$&*+,;=%-._~"
RATING_VERBS = {"up": "up-voted", "save": "saved", "down": "down-voted", "dismiss": "dismissed"}


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) URL with a host, percent-encoded; None for anything else (javascript: ...)."""
    if not url:
        return None
    url = printable(url, single_line=True).strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return quote(url, safe=_URL_SAFE)


def paper_link(paper: Paper) -> str | None:
    """The link to the paper itself (the module's link rule), safe to put in any markup."""
    arxiv = paper.ids.get("arxiv")
    if arxiv:
        return safe_url(f"https://arxiv.org/abs/{quote(str(arxiv).strip(), safe='/.')}")
    doi = paper.ids.get("doi")
    if doi:
        return safe_url(f"https://doi.org/{quote(str(doi).strip(), safe='/')}")
    for link in paper.links:
        found = safe_url(link) if isinstance(link, str) else None
        if found:
            return found
    return None


def byline(paper: Paper) -> str:
    """Authors (the first four, then ``+N``; or their count), date, venue and upvotes, as one line."""
    parts = []
    if paper.authors:
        names = paper.authors[:BYLINE_AUTHORS]
        more = len(paper.authors) - BYLINE_AUTHORS
        parts.append(", ".join(names) + (f" +{more}" if more > 0 else ""))
    elif paper.n_authors:
        parts.append(f"{paper.n_authors} author{'s' if paper.n_authors != 1 else ''}")
    if paper.date:
        parts.append(paper.date)
    if paper.venue:
        parts.append(paper.venue)
    if paper.upvotes:
        parts.append(f"{paper.upvotes} upvote{'s' if paper.upvotes != 1 else ''}")
    return _one_line(" · ".join(parts))


def title(rec: Recommendation) -> str:
    """The title as a person reads it, on one line."""
    return _one_line(rec.paper.display_title or "(untitled)")


def relevance(rec: Recommendation) -> str | None:
    """``relevance 0.83`` (the comparable number; the raw score is in JSON only)."""
    return None if rec.relevance is None else f"relevance {rec.relevance:.2f}"


def _quoted(text: str) -> str:
    return f"“{text}”"


def _same(text: str) -> str:
    return text


def reasons(
    rec: Recommendation, *, paper: Callable[[str], str] = _quoted, term: Callable[[str], str] = _same
) -> list[str]:
    """Why the pick was made, one sentence each: the closest own papers, then the ratings that moved it.

    A channel with markup passes how it shows a paper's title (``paper``, default “quoted”) and a shared
    term (``term``); each gets the text already on one line, the words around them are the same everywhere.
    """
    lines = []
    for match in rec.why:
        terms = f"; shares {', '.join(term(_one_line(t)) for t in match.shared_terms)}" if match.shared_terms else ""
        title = paper(_one_line(latex_to_text(match.paper_title)))
        lines.append(f"Close to your paper {title} (similarity {match.similarity:.2f}){terms}.")
    for rated in rec.ratings:
        verb = RATING_VERBS.get(rated.rating, rated.rating)
        title = paper(_one_line(latex_to_text(rated.paper_title)))
        lines.append(f"Close to a paper you {verb}: {title} (similarity {rated.similarity:.2f}).")
    return lines


def interest_name(rec: Recommendation) -> str | None:
    """``Interest 2: sharp minima`` (numbered as ``papersift interests list`` shows them), live or from history."""
    if not rec.interest:
        return None
    name = _one_line(rec.interest)
    return f"Interest {rec.interest_id}: {name}" if rec.interest_id is not None else f"Interest: {name}"


def headed(recs: Sequence[Recommendation]) -> list[tuple[str | None, Recommendation]]:
    """Each pick with the interest heading to show before it (None: same interest as the previous pick)."""
    out: list[tuple[str | None, Recommendation]] = []
    previous: str | None = None
    for rec in recs:
        heading = interest_name(rec)
        out.append((heading if heading != previous else None, rec))
        previous = heading
    return out


def grouped(recs: Sequence[Recommendation]) -> list[tuple[str | None, list[Recommendation]]]:
    """Picks grouped by interest, groups in the order of their best pick; no heading when there is one group."""
    groups: dict[str | None, list[Recommendation]] = {}
    for rec in recs:
        groups.setdefault(interest_name(rec), []).append(rec)
    if len(groups) == 1:
        return [(None, next(iter(groups.values())))]
    return [(name or "Other papers", members) for name, members in groups.items()]
