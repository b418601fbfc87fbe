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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..identity import short_handle
from ..models import Recommendation
from ..textsafe import printable
from . import present

_TEMPLATES = Path(__file__).parent / "templates"


def byline(rec: Recommendation) -> str:
    """Authors (or their count), date, venue and upvotes, as one line (the presenter's byline)."""
    return present.byline(rec.paper)


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
    """``Interest 2: sharp minima, perturbation`` (the presenter's naming, the same in ``history``)."""
    return present.interest_name(rec)


def _standing(rec: Recommendation) -> str:
    """Relevance (the comparable number; the raw score is in JSON only) and the pick's id, as one line."""
    parts = [line for line in (present.relevance(rec),) if line]
    handle = pick_id(rec)
    if handle:
        parts.append(f"id {handle}")
    return " · ".join(parts)


_headed = present.headed


def pick_to_dict(rec: Recommendation) -> dict[str, Any]:
    """The pick as JSON, with ``link`` (to the paper itself, :func:`.present.paper_link`) and ``handle``:
    what the other formats show as its id (a string)."""
    return {**rec.to_dict(), "link": present.paper_link(rec.paper), "handle": pick_id(rec)}


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


def _safe_link(rec: Recommendation) -> str | None:
    """The link to the paper (the presenter's link rule: only http(s) with a host, percent-encoded)."""
    return present.paper_link(rec.paper)


def _code_span(text: str) -> str:
    """A term as a code span: one line, no backticks (inside a code span, Markdown and HTML are inert)."""
    return "`" + printable(text, single_line=True).replace("`", "") + "`"


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
        for reason in present.reasons(rec, paper=lambda t: f"“*{_md(t)}*”", term=_code_span):
            out.append(f"- {reason}")
        command = rate_command(rec)
        if command:
            out += ["", f"Rate it: `{command}` (or `down`, `save`, `dismiss`)"]
        if rec.paper.abstract:
            out += ["", f"> {_md(rec.paper.display_abstract)}"]
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
                "abstract": rec.paper.display_abstract,
                "why": present.reasons(rec),
                "origins": _origins(rec),
                "relevance": rec.relevance,
                "interest": present.interest_name(rec),
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
        standing = " · ".join(x for x in (_standing(rec), _safe_link(rec)) if x)
        for line, style in ((byline(rec), "dim"), (standing, "cyan")):
            if line:
                cell.append("\n" + _plain(line), style=style)
        for reason in present.reasons(rec):
            cell.append("\n· " + _plain(reason), style="green")
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


Renderer = Callable[[Sequence[Recommendation], str, str, "int | None"], str]
_RENDERERS: dict[str, Renderer] = {}


def register_format(name: str, renderer: Renderer) -> None:
    """Make ``renderer(recs, title, subtitle, width)`` the output format ``name`` (built-ins register the same way)."""
    _RENDERERS[name] = renderer


def formats() -> tuple[str, ...]:
    """The registered output formats, in registration order."""
    return tuple(_RENDERERS)


def _feed(fmt: str) -> Renderer:
    def render_feed(recs: Sequence[Recommendation], title: str, subtitle: str, width: int | None) -> str:
        from .feeds import render_feed

        return render_feed(recs, fmt, title, subtitle)

    return render_feed


register_format("table", lambda recs, title, subtitle, width: render_table(recs, title, subtitle, width=width))
register_format("markdown", lambda recs, title, subtitle, width: render_markdown(recs, title, subtitle))
register_format("html", lambda recs, title, subtitle, width: render_html(recs, title, subtitle))
register_format("json", lambda recs, title, subtitle, width: render_json(recs))
register_format("jsonl", lambda recs, title, subtitle, width: render_jsonl(recs))
register_format("rss", _feed("rss"))
register_format("atom", _feed("atom"))
FORMATS = formats()


def render(
    recs: Sequence[Recommendation],
    fmt: str = "table",
    title: str = "papersift digest",
    subtitle: str = "",
    width: int | None = None,
) -> str:
    """The digest as text in ``fmt`` (a registered format: :func:`formats`)."""
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        raise ConfigError(f"unknown format '{fmt}' (use one of: {', '.join(_RENDERERS)})")
    return renderer(recs, title, subtitle, width)
