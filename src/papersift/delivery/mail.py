"""The digest as an e-mail: multipart text + HTML from autoescaped templates, with one-click vote links.

Every vote link carries a signed token good for one rating of one paper for one profile; the
``List-Unsubscribe`` header (and the footer link) one for unsubscribing one address. The HTML is
built for mail clients: tables, inline CSS, no scripts, explicit colours plus a dark-mode style.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from ..digest.feeds import explanation, web_link
from ..latex import latex_to_text
from .tokens import Tokens

_TEMPLATES = Path(__file__).parent / "templates"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
ABSTRACT_CHARS = 600
DAY_NAMES = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}


@functools.cache
def _env(autoescape: bool) -> Environment:
    """The mail templates' environment, made once a process: it keeps the compiled templates (a daily
    run renders a mail per profile, and compiling them again each time was a twentieth of its work)."""
    return Environment(
        loader=FileSystemLoader(_TEMPLATES), autoescape=autoescape, trim_blocks=True, keep_trailing_newline=True
    )


def new_message_id(sender: str) -> str:
    """A globally unique Message-ID in the sender's domain (made, and recorded, before sending)."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "papersift.invalid"
    return make_msgid(idstring="papersift", domain=domain)


def vote_url(base_url: str, token: str) -> str:
    return f"{base_url}/mail/vote/{token}"


def unsubscribe_url(base_url: str, token: str) -> str:
    return f"{base_url}/mail/unsubscribe/{token}"


def feed_url(base_url: str, tokens: Tokens, profile: str, nonce: str, fmt: str = "atom") -> str:
    """The private feed address of a profile (served by the web app's feed route)."""
    return f"{base_url}/feed/{fmt}/{tokens.feed(profile, nonce)}"


def _byline(pick: dict[str, Any]) -> str:
    parts = []
    authors = pick.get("authors") or []
    if authors:
        parts.append(", ".join(authors[:4]) + (f" +{len(authors) - 4}" if len(authors) > 4 else ""))
    for key in ("date", "venue"):
        if pick.get(key):
            parts.append(str(pick[key]))
    if pick.get("relevance") is not None:
        parts.append(f"relevance {pick['relevance']:.2f}")
    return _CONTROL.sub(" ", " · ".join(parts))


def _short(text: str | None) -> str:
    text = _CONTROL.sub(" ", latex_to_text(text or "")).strip()
    return text if len(text) <= ABSTRACT_CHARS else text[:ABSTRACT_CHARS].rsplit(" ", 1)[0] + " …"


def group_picks(picks: Sequence[dict[str, Any]]) -> list[tuple[str | None, list[dict[str, Any]]]]:
    """Picks grouped by interest, groups in the order of their best pick; no headings when there is one group."""
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for pick in picks:
        groups.setdefault(pick.get("interest"), []).append(pick)
    if len(groups) == 1:
        return [(None, next(iter(groups.values())))]
    return [(name or "Other papers", members) for name, members in groups.items()]


def compose(
    picks: Sequence[dict[str, Any]],
    *,
    profile: str,
    to: str,
    sender: str,
    day: dt.date,
    date: dt.datetime,
    message_id: str,
    base_url: str,
    tokens: Tokens,
    days: Sequence[str] = (),
) -> EmailMessage:
    """The digest mail of ``picks`` (as :meth:`Recommendation.to_dict`) for ``profile``, addressed to ``to``."""
    groups = []
    number = 0
    for name, members in group_picks(picks):
        rows = []
        for pick in members:
            number += 1
            paper_id = int(pick["id"])
            rows.append(
                {
                    "number": number,
                    # Digests stored before titles were converted carry raw LaTeX: converting again is harmless.
                    "title": _CONTROL.sub(" ", latex_to_text(pick.get("title") or "") or "(untitled)"),
                    "link": web_link(pick),
                    "byline": _byline(pick),
                    "why": [_CONTROL.sub(" ", line) for line in explanation(pick, with_relevance=False)],
                    "abstract": _short(pick.get("abstract")),
                    **{r: vote_url(base_url, tokens.vote(profile, paper_id, r)) for r in ("up", "down", "save")},
                }
            )
        groups.append({"name": name, "picks": rows})
    n = len(picks)
    day_text = f"{day:%A} {day.day} {day:%B %Y}"
    unsubscribe = unsubscribe_url(base_url, tokens.unsubscribe(profile, to))
    context = {
        "subject": _CONTROL.sub(" ", f"papersift: {n} paper{'s' if n != 1 else ''} for {profile}, {day_text}"),
        "heading": _CONTROL.sub(" ", f"papersift digest for {profile}"),
        "intro": f"{day_text}: {n} new paper{'s' if n != 1 else ''}"
        + (f" in {len(groups)} interests" if len(groups) > 1 else "")
        + ", each with why it was picked. One click on a button rates it.",
        "preheader": ", ".join(latex_to_text(str(p.get("title", "")))[:60] for p in picks[:3]),
        "groups": groups,
        "profile": profile,
        "to": to,
        "days": ", ".join(DAY_NAMES.get(d, d) for d in days) or "announcement days",
        "unsubscribe": unsubscribe,
    }
    message = EmailMessage(policy=SMTP)
    message["Subject"] = context["subject"]
    message["From"] = sender
    message["To"] = Address(addr_spec=to)
    message["Date"] = format_datetime(date if date.tzinfo else date.replace(tzinfo=dt.UTC))
    message["Message-ID"] = message_id
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_env(False).get_template("digest_mail.txt.j2").render(**context))
    message.add_alternative(_env(True).get_template("digest_mail.html.j2").render(**context), subtype="html")
    return message


def webhook_body(picks: Sequence[dict[str, Any]], profile: str, day: dt.date) -> dict[str, Any]:
    """Slack- and Matrix-hook-compatible JSON: a ``text`` (Markdown-ish links) plus the picks themselves."""
    lines = [f"*papersift digest for {profile}, {day.isoformat()}*"]
    for name, members in group_picks(picks):
        if name:
            lines.append(f"\n*{name}*")
        for pick in members:
            link = web_link(pick)
            title = (
                _CONTROL.sub(" ", latex_to_text(pick.get("title") or "") or "(untitled)")
                .replace("<", "‹")
                .replace(">", "›")
            )
            lines.append(f"• <{link}|{title}>" if link else f"• {title}")
    return {"text": "\n".join(lines), "profile": profile, "day": day.isoformat(), "papers": list(picks)}
