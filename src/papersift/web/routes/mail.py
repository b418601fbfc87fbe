"""The links of a digest mail and the private feed: one-click votes, unsubscribe, RSS/Atom by token.

No login is involved: each URL carries a signed token that allows one thing
(:mod:`papersift.delivery.tokens`, which signs them when the daily run sends a mail).

Mail clients and link scanners fetch GET links on their own, so GET never changes anything. A vote
link (GET) answers with a small page whose form POSTs the vote: a script submits it at once, so one
click rates; without scripts the button does. A scanner that runs scripts could cast a vote, which is
why a vote only sets (and a later one replaces) that paper's rating and can do nothing else. The vote
goes through :func:`papersift.feedback.rate`, with the web vote's checks (not one of the profile's own
papers; on a shared server, a paper the profile may see). ``List-Unsubscribe-Post`` one-click
unsubscribing (RFC 8058) is a POST to the unsubscribe URL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from ... import feedback
from ...delivery.mail import vote_url
from ...delivery.tokens import TokenError
from ...digest.feeds import FeedInfo, item_from_recommendation, render_atom, render_rss
from ...errors import PapersiftError
from ...store import Store
from ..deps import AppStateDep, StoreDep
from ..state import AppState

router = APIRouter(tags=["delivery"])

# What each vote does, as a button or link says it (an action, never a state such as "Saved").
ACTIONS = {"up": "More like this", "down": "Less like this", "save": "Save for later", "dismiss": "Dismiss"}
# What a recorded vote is, in a sentence.
DONE = {"up": "more like this", "down": "less like this", "save": "saved for later", "dismiss": "dismissed"}
FEED_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8"}
FEED_DIGESTS = 30
# Pages carry their own small inline style and (on the vote page) one inline script; nothing else loads.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def _page(app_state: AppState, status: int = 200, **context: Any) -> HTMLResponse:
    values: dict[str, Any] = {"form": None, "autosubmit": False, "others": [], **context}
    html = app_state.templates.get_template("mail_page.html").render(**values)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def _refused(app_state: AppState, exc: PapersiftError) -> HTMLResponse:
    return _page(app_state, 400, title="Link not valid", message=str(exc).rstrip(".") + ".")


def _paper_title(store: Store, paper_id: int) -> str | None:
    papers = store.papers_by_id([paper_id])
    return papers[0].display_title if papers else None


@router.get("/mail/vote/{token}", response_class=HTMLResponse)
def vote_page(token: str, store: StoreDep, app_state: AppStateDep) -> HTMLResponse:
    try:
        vote = app_state.tokens.read_vote(token)
    except TokenError as exc:
        return _refused(app_state, exc)
    title = _paper_title(store, vote.paper_id)
    if title is None:
        return _page(app_state, 404, title="Paper not found", message="This paper is no longer in the store.")
    return _page(
        app_state,
        title=f"{ACTIONS[vote.rating]}?",
        message=f"Rate “{title}” for profile “{vote.profile}”: {DONE[vote.rating]}.",
        form={"action": f"/mail/vote/{token}", "button": f"Confirm: {ACTIONS[vote.rating].lower()}"},
        autosubmit=True,
    )


@router.post("/mail/vote/{token}", response_class=HTMLResponse)
def vote(token: str, store: StoreDep, app_state: AppStateDep) -> HTMLResponse:
    tokens = app_state.tokens
    try:
        choice = tokens.read_vote(token)
        change = feedback.rate(
            store,
            choice.profile,
            choice.paper_id,
            choice.rating,
            origin="mail",
            visible_only=app_state.settings.multi_user,
        )
    except TokenError as exc:
        return _refused(app_state, exc)
    except PapersiftError as exc:
        return _page(app_state, 404, title="Not recorded", message=str(exc))
    base = app_state.config.web.base_url
    others = [
        {"label": ACTIONS[r], "href": vote_url(base, tokens.vote(choice.profile, choice.paper_id, r))}
        for r in ("up", "down", "save")
        if r != choice.rating
    ]
    return _page(
        app_state,
        title="Thank you",
        message=f"Recorded for profile “{choice.profile}”: “{change.title}”, {DONE[choice.rating]}. "
        "Tomorrow's ranking takes it into account.",
        others=others,
    )


@router.get("/mail/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(token: str, app_state: AppStateDep) -> HTMLResponse:
    try:
        request = app_state.tokens.read_unsubscribe(token)
    except TokenError as exc:
        return _refused(app_state, exc)
    return _page(
        app_state,
        title="Unsubscribe?",
        message=f"Stop sending the digest of profile “{request.profile}” to {request.address}.",
        form={"action": f"/mail/unsubscribe/{token}", "button": "Unsubscribe"},
    )


@router.post("/mail/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe(token: str, store: StoreDep, app_state: AppStateDep) -> HTMLResponse:
    # Both the page's button and a mail client's RFC 8058 one-click POST land here.
    try:
        wanted = app_state.tokens.read_unsubscribe(token)
        store.unsubscribe(wanted.profile, wanted.address)
    except TokenError as exc:
        return _refused(app_state, exc)
    except PapersiftError as exc:
        return _page(app_state, 404, title="Not found", message=str(exc))
    return _page(
        app_state,
        title="Unsubscribed",
        message=f"{wanted.address} gets no more digests of profile “{wanted.profile}”.",
    )


@router.get("/feed/{fmt}/{token}")
def feed(fmt: str, token: str, store: StoreDep, app_state: AppStateDep) -> Response:
    if fmt not in FEED_TYPES:
        return Response("unknown feed format (use rss or atom)\n", status_code=404, media_type="text/plain")
    try:
        access = app_state.tokens.read_feed(token)
        if access.nonce != store.current_feed_nonce(access.profile):
            raise TokenError("this feed address was replaced by a newer one")
        digests = store.daily_digests(access.profile, limit=FEED_DIGESTS)
    except PapersiftError as exc:
        return Response(f"{exc}\n", status_code=404, media_type="text/plain")
    base = app_state.config.web.base_url
    items = []
    for digest in digests:
        published = dt.datetime.fromisoformat(digest.summary.created_at)
        items += [item_from_recommendation(pick, published) for pick in digest.picks]
    updated = max((i.published for i in items), default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    info = FeedInfo(
        title=f"papersift digest for {access.profile}",
        link=base + "/",
        id=f"urn:papersift:feed:{access.profile}",
        subtitle=f"The papers papersift picked for profile {access.profile}, with why.",
        self_link=f"{base}/feed/{fmt}/{token}",
        updated=updated,
    )
    body = render_rss(info, items) if fmt == "rss" else render_atom(info, items)
    return Response(body, media_type=FEED_TYPES[fmt], headers={"Cache-Control": "private, max-age=300"})
