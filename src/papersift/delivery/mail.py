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
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader

from ..digest import present
from ..latex import latex_to_text
from ..models import Recommendation
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


def _byline(rec: Recommendation) -> str:
    return " · ".join(x for x in (present.byline(rec.paper), present.relevance(rec)) if x)


def _short(text: str | None) -> str:
    text = _CONTROL.sub(" ", latex_to_text(text or "")).strip()
    return text if len(text) <= ABSTRACT_CHARS else text[:ABSTRACT_CHARS].rsplit(" ", 1)[0] + " …"


class MailPolicy(EmailPolicy):
    """The SMTP policy, except that a header carrying a URL goes out as written: ``<https://...>`` on one
    line. The SMTP policy folds a long URL (it has no space to break at) into RFC 2047 encoded-words,
    which mail providers do not read as a URL, so their one-click unsubscribe would not see it."""

    def fold(self, name: str, value: str) -> str:
        if name.lower() in URL_HEADERS:
            return f"{name}: {_ascii_header(str(value))}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() in URL_HEADERS:
            return self.fold(name, value).encode("ascii")
        return super().fold_binary(name, value)


# Headers whose value is one or more ``<URL>`` (or a fixed token): never encoded, folded only at commas.
URL_HEADERS = frozenset({"list-unsubscribe", "list-unsubscribe-post", "list-help", "list-archive", "list-subscribe"})
MAIL_POLICY = MailPolicy(linesep="\r\n")
_HEADER_LINE = 998  # RFC 5322's hard limit for a line, without its CRLF


def _ascii_header(value: str) -> str:
    """A URL header's value as ASCII on lines of at most 998 characters, folded after commas only."""
    value = quote(_CONTROL.sub("", value), safe="<>:/?#[]@!$&'()*+,;=%-._~ ")
    parts = [p.strip() for p in value.split(",")]
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + len(part) + 2 <= _HEADER_LINE - len("List-Unsubscribe: "):
            lines[-1] += ", " + part
        else:
            if lines:
                lines[-1] += ","
            lines.append(part)
    return "\r\n ".join(lines)


def compose(
    picks: Sequence[Recommendation],
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
    """The digest mail of ``picks`` for ``profile``, addressed to ``to`` (worded by :mod:`..digest.present`)."""
    groups = []
    number = 0
    for name, members in present.grouped(picks):
        rows = []
        for pick in members:
            number += 1
            paper_id = pick.paper.store_id
            if paper_id is None:
                raise ValueError("a mailed pick needs its store id (its vote links name it)")
            rows.append(
                {
                    "number": number,
                    "title": present.title(pick),
                    "link": present.paper_link(pick.paper),
                    "byline": _byline(pick),
                    "why": present.reasons(pick),
                    "abstract": _short(pick.paper.abstract),
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
        "preheader": ", ".join(present.title(p)[:60] for p in picks[:3]),
        "groups": groups,
        "profile": profile,
        "to": to,
        "days": ", ".join(DAY_NAMES.get(d, d) for d in days) or "announcement days",
        "unsubscribe": unsubscribe,
    }
    message = EmailMessage(policy=MAIL_POLICY)
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


def webhook_body(picks: Sequence[Recommendation], profile: str, day: dt.date) -> dict[str, Any]:
    """Slack- and Matrix-hook-compatible JSON: a ``text`` (Markdown-ish links) plus the picks as JSON."""
    from ..digest.render import pick_to_dict

    lines = [f"*papersift digest for {profile}, {day.isoformat()}*"]
    for name, members in present.grouped(picks):
        if name:
            lines.append(f"\n*{name}*")
        for pick in members:
            link = present.paper_link(pick.paper)
            title = present.title(pick).replace("<", "‹").replace(">", "›")
            lines.append(f"• <{link}|{title}>" if link else f"• {title}")
    return {
        "text": "\n".join(lines),
        "profile": profile,
        "day": day.isoformat(),
        "papers": [pick_to_dict(p) for p in picks],
    }
