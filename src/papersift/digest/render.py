"""Render a ranked digest: terminal table, Markdown, HTML, JSON, JSONL.

Titles and abstracts are untrusted text: HTML is autoescaped by Jinja2,
Markdown escapes its control characters and percent-encodes link URLs (http(s)
only), and the terminal table treats text as text (no rich markup, no escape
sequences or control characters: :func:`papersift.textsafe.printable`).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from ..errors import ConfigError
from ..identity import short_handle
from ..models import Recommendation
from ..textsafe import printable

FORMATS = ("table", "markdown", "html", "json", "jsonl", "rss", "atom")
_TEMPLATES = Path(__file__).parent / "templates"


def _link(rec: Recommendation) -> str | None:
    for link in rec.paper.links:
        if link.startswith(("https://", "http://")):
            return link
    if rec.paper.ids.get("arxiv"):
        return f"https://arxiv.org/abs/{rec.paper.ids['arxiv']}"
    if rec.paper.ids.get("doi"):
        return f"https://doi.org/{rec.paper.ids['doi']}"
    return None


def byline(rec: Recommendation) -> str:
    """Authors (or their count), date and upvotes, as one line."""
    paper = rec.paper
    parts = []
    if paper.authors:
        names = paper.authors[:4]
        parts.append(", ".join(names) + (f" +{len(paper.authors) - 4}" if len(paper.authors) > 4 else ""))
    elif paper.n_authors:
        parts.append(f"{paper.n_authors} author{'s' if paper.n_authors != 1 else ''}")
    if paper.date:
        parts.append(paper.date)
    if paper.venue:
        parts.append(paper.venue)
    if paper.upvotes:
        parts.append(f"{paper.upvotes} upvote{'s' if paper.upvotes != 1 else ''}")
    return " · ".join(parts)


def _origins(rec: Recommendation) -> str:
    seen: list[str] = []
    for source in rec.paper.sources:
        name = Path(source.origin).name if "://" not in source.origin else source.origin
        if name not in seen:
            seen.append(name)
    return ", ".join(seen)


def pick_id(rec: Recommendation) -> str | None:
    """The short handle ``papersift rate`` takes: the store id, else an arXiv id or DOI, else a
    handle from the title (files ranked by ``rank``; Hugging Face pages carry no ids)."""
    paper = rec.paper
    if paper.store_id is not None:
        return str(paper.store_id)
    return paper.ids.get("arxiv") or paper.ids.get("doi") or short_handle(paper)


def rate_command(rec: Recommendation) -> str | None:
    """The exact command that rates this pick (only for stored papers: rating needs the store)."""
    return f"papersift rate {rec.paper.store_id} up" if rec.paper.store_id is not None else None


def interest_heading(rec: Recommendation) -> str | None:
    """``Interest 2: sharp minima, perturbation`` (numbers as ``papersift interests list`` shows them)."""
    if not rec.interest:
        return None
    return f"Interest {rec.interest_id}: {rec.interest}" if rec.interest_id is not None else f"Interest: {rec.interest}"


def _standing(rec: Recommendation) -> str:
    """Relevance (the comparable number; the raw score is in JSON only) and the pick's id, as one line."""
    parts = []
    if rec.relevance is not None:
        parts.append(f"relevance {rec.relevance:.2f}")
    handle = pick_id(rec)
    if handle:
        parts.append(f"id {handle}")
    return " · ".join(parts)


def _headed(recs: Sequence[Recommendation]) -> list[tuple[str | None, Recommendation]]:
    """Each pick with the interest heading to print before it (None: same interest as the previous pick)."""
    out: list[tuple[str | None, Recommendation]] = []
    previous: str | None = None
    for rec in recs:
        heading = interest_heading(rec)
        out.append((heading if heading != previous else None, rec))
        previous = heading
    return out


def pick_to_dict(rec: Recommendation) -> dict[str, Any]:
    """The pick as JSON, with ``handle``: what the other formats show as its id (a string)."""
    return {**rec.to_dict(), "handle": pick_id(rec)}


def render_json(recs: Sequence[Recommendation]) -> str:
    return json.dumps([pick_to_dict(r) for r in recs], ensure_ascii=False, indent=2) + "\n"


def render_jsonl(recs: Sequence[Recommendation]) -> str:
    return "".join(json.dumps(pick_to_dict(r), ensure_ascii=False) + "\n" for r in recs)


# Inline markup only: titles never start a line, so block markers (#, -, +) are harmless.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _md(text: str) -> str:
    """Escape Markdown, and the HTML it may carry as entities, so titles render as plain text.

    Control characters go and line breaks become spaces: a title or abstract never starts a
    Markdown block (a heading, a list, a link reference definition) of its own.
    """
    text = printable(text, single_line=True)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


# Characters left as they are in a link destination; everything else (spaces, quotes, <, >,
# parentheses, brackets, backslashes, backticks, non-ASCII) is percent-encoded.
_URL_SAFE = ":/?#@!$&*+,;=%-._~"


def _safe_link(rec: Recommendation) -> str | None:
    """Only web links with a host are made clickable (a javascript: URL from a hostile file is not),
    and percent-encoded so that nothing in them can close the link or start HTML."""
    link = _link(rec)
    if not link or not link.lower().startswith(("https://", "http://")):
        return None
    link = printable(link, single_line=True).strip()
    try:
        parts = urlsplit(link)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return quote(link, safe=_URL_SAFE)


def _code(text: str) -> str:
    """Text for a code span: one line, no backticks (inside a code span, Markdown and HTML are inert)."""
    return printable(text, single_line=True).replace("`", "")


def render_markdown(recs: Sequence[Recommendation], title: str, subtitle: str) -> str:
    out = [f"# {_md(title)}", "", f"_{_md(subtitle)}_", ""]
    # Picks are sections of their interest when there are interests, else of the digest.
    level = "###" if any(rec.interest for rec in recs) else "##"
    for heading, rec in _headed(recs):
        if heading:
            out += [f"## {_md(heading)}", ""]
        link = _safe_link(rec)
        heading = f"[{_md(rec.paper.display_title)}]({link})" if link else _md(rec.paper.display_title)
        out.append(f"{level} {rec.rank}. {heading}")
        out.append("")
        out.append(" · ".join(x for x in (_md(_standing(rec)), _md(byline(rec))) if x))
        out.append("")
        for m in rec.why:
            terms = f"; shares {', '.join('`' + _code(t) + '`' for t in m.shared_terms)}" if m.shared_terms else ""
            out.append(f"- close to your paper *{_md(m.paper_title)}* (similarity {m.similarity:.2f}){terms}")
        for r in rec.ratings:
            verb = r.sentence.split(":", 1)[0]
            out.append(f"- {_md(verb)}: *{_md(r.paper_title)}* (similarity {r.similarity:.2f})")
        command = rate_command(rec)
        if command:
            out += ["", f"Rate it: `{command}` (or `down`, `save`, `dismiss`)"]
        if rec.paper.abstract:
            out += ["", f"> {_md(rec.paper.abstract)}"]
        out.append("")
    return "\n".join(out)


def render_html(recs: Sequence[Recommendation], title: str, subtitle: str) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True
    )
    rows: list[dict[str, Any]] = []
    for heading, rec in _headed(recs):
        link = _safe_link(rec)
        rows.append(
            {
                "heading": heading,
                "id": pick_id(rec),
                "rate": rate_command(rec),
                "rank": rec.rank,
                "score": rec.score,
                "title": rec.paper.display_title,
                "link": link,
                "byline": byline(rec),
                "abstract": rec.paper.abstract,
                "why": [m.to_dict() for m in rec.why],
                "origins": _origins(rec),
                "relevance": rec.relevance,
                "interest": rec.interest,
                "ratings": [{"sentence": r.sentence, "similarity": r.similarity} for r in rec.ratings],
            }
        )
    return env.get_template("digest.html.j2").render(title=title, subtitle=subtitle, recommendations=rows)


def _plain(text: str) -> str:
    """Text for the terminal: no escape sequence or control character from a paper reaches it."""
    return printable(text, single_line=True)


def build_table(recs: Sequence[Recommendation], title: str, subtitle: str) -> Any:
    """A rich Table of the digest (printed in colour by the CLI when stdout is a terminal).

    Two columns, so it reads at 80 columns: the rank, and the paper with its relevance and id, its
    reasons wrapped under the title, and the command that rates it; a heading row per interest.
    """
    from rich.table import Table
    from rich.text import Text

    table = Table(title=_plain(title), caption=_plain(subtitle), show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("paper · why", ratio=1)
    for heading, rec in _headed(recs):
        if heading:
            table.add_row("", Text(_plain(heading), style="bold yellow"))
        cell = Text(_plain(rec.paper.display_title), style="bold")
        for line, style in ((byline(rec), "dim"), (_standing(rec), "cyan")):
            if line:
                cell.append("\n" + _plain(line), style=style)
        for m in rec.why:
            cell.append(f"\n· close to {_plain(m.paper_title)} ({m.similarity:.2f})")
            if m.shared_terms:
                cell.append(": " + _plain(", ".join(m.shared_terms)), style="green")
        for r in rec.ratings:
            cell.append("\n· " + _plain(r.sentence), style="magenta")
        command = rate_command(rec)
        if command:
            cell.append("\n" + command, style="dim")
        table.add_row(str(rec.rank), cell)
    return table


def render_table(recs: Sequence[Recommendation], title: str, subtitle: str, width: int | None = None) -> str:
    from rich.console import Console

    table = build_table(recs, title, subtitle)
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 140, force_terminal=False, color_system=None, markup=False)
    console.print(table)
    return buffer.getvalue()


def render(
    recs: Sequence[Recommendation],
    fmt: str = "table",
    title: str = "papersift digest",
    subtitle: str = "",
    width: int | None = None,
) -> str:
    """The digest as text in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return render_json(recs)
    if fmt == "jsonl":
        return render_jsonl(recs)
    if fmt == "markdown":
        return render_markdown(recs, title, subtitle)
    if fmt == "html":
        return render_html(recs, title, subtitle)
    if fmt == "table":
        return render_table(recs, title, subtitle, width=width)
    if fmt in ("rss", "atom"):
        from .feeds import render_feed

        return render_feed(recs, fmt, title, subtitle)
    raise ConfigError(f"unknown format '{fmt}' (use one of: {', '.join(FORMATS)})")
