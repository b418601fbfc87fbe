"""The web side of a digest mail: one-click votes, unsubscribe, and the private RSS/Atom feed.

``make_router(get_store)`` returns an :class:`fastapi.APIRouter` the web app includes; ``get_store`` is
its dependency yielding a :class:`Store`. No login is involved: each URL carries a signed token that
allows one thing (see :mod:`papersift.delivery.tokens`).

Mail clients and link scanners fetch GET links on their own, so GET never changes anything. A vote
link (GET) answers with a small page whose form POSTs the vote: a script submits it at once, so one
click rates; without scripts the button does. A scanner that runs scripts could cast a vote, which is
why a vote only sets (and a later one replaces) that paper's rating and can do nothing else.
``List-Unsubscribe-Post`` one-click unsubscribing (RFC 8058) is a POST to the unsubscribe URL.
"""

# No ``from __future__ import annotations``: FastAPI reads the local StoreDep alias at definition time.
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader

from ..config import Config, load_config
from ..digest.feeds import FeedInfo, item_from_recommendation, render_atom, render_rss
from ..errors import PapersiftError
from ..store import Store
from .mail import vote_url
from .tokens import TokenError, Tokens, secret_key

_TEMPLATES = Path(__file__).parent / "templates"
VERBS = {"up": "More like this", "down": "Less like this", "save": "Saved", "dismiss": "Dismissed"}
FEED_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8"}
FEED_DIGESTS = 30
# Pages carry their own small inline style and (on the vote page) one inline script; nothing else loads.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def feed_url(base_url: str, tokens: Tokens, profile: str, nonce: str, fmt: str = "atom") -> str:
    return f"{base_url}/feed/{fmt}/{tokens.feed(profile, nonce)}"


def make_router(
    get_store: Callable[..., Any],
    *,
    config: Config | None = None,
    tokens: Tokens | None = None,
) -> Any:
    """The routes under ``/mail`` (vote, unsubscribe) and ``/feed`` (RSS/Atom by token)."""
    router = APIRouter(tags=["delivery"])
    StoreDep = Annotated[Store, Depends(get_store)]  # noqa: N806 (a type alias local to this router)
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=True)
    settings: dict[str, Any] = {"config": config, "tokens": tokens}

    def _config() -> Config:
        if settings["config"] is None:
            settings["config"] = load_config()
        return settings["config"]  # type: ignore[no-any-return]

    def _tokens() -> Tokens:
        if settings["tokens"] is None:
            settings["tokens"] = Tokens(secret_key(_config()))
        return settings["tokens"]  # type: ignore[no-any-return]

    def page(status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template("page.html.j2").render(**context)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def refused(exc: PapersiftError) -> HTMLResponse:
        return page(400, title="Link not valid", message=str(exc).rstrip(".") + ".", form=None)

    def _paper_title(store: Store, paper_id: int) -> str | None:
        papers = store.papers_by_id([paper_id])
        return papers[0].display_title if papers else None

    @router.get("/mail/vote/{token}", response_class=HTMLResponse)
    def vote_page(token: str, store: StoreDep) -> HTMLResponse:
        try:
            vote = _tokens().read_vote(token)
        except TokenError as exc:
            return refused(exc)
        title = _paper_title(store, vote.paper_id)
        if title is None:
            return page(404, title="Paper not found", message="This paper is no longer in the store.", form=None)
        return page(
            title=f"{VERBS[vote.rating]}?",
            message=f"Rate “{title}” for profile “{vote.profile}”: {VERBS[vote.rating].lower()}.",
            form={"action": f"/mail/vote/{token}", "button": f"Confirm: {VERBS[vote.rating].lower()}"},
            autosubmit=True,
        )

    @router.post("/mail/vote/{token}", response_class=HTMLResponse)
    def vote(token: str, store: StoreDep) -> HTMLResponse:
        tokens = _tokens()
        try:
            choice = tokens.read_vote(token)
            store.rate(choice.profile, choice.paper_id, choice.rating, origin="mail")
        except TokenError as exc:
            return refused(exc)
        except PapersiftError as exc:
            return page(404, title="Not recorded", message=str(exc), form=None)
        title = _paper_title(store, choice.paper_id) or "this paper"
        base = _config().web.base_url
        others = [
            {"label": VERBS[r], "href": vote_url(base, tokens.vote(choice.profile, choice.paper_id, r))}
            for r in ("up", "down", "save")
            if r != choice.rating
        ]
        return page(
            title="Thank you",
            message=f"Recorded for profile “{choice.profile}”: {VERBS[choice.rating].lower()} – “{title}”. "
            "Tomorrow's ranking takes it into account.",
            form=None,
            others=others,
        )

    @router.get("/mail/unsubscribe/{token}", response_class=HTMLResponse)
    def unsubscribe_page(token: str) -> HTMLResponse:
        try:
            request = _tokens().read_unsubscribe(token)
        except TokenError as exc:
            return refused(exc)
        return page(
            title="Unsubscribe?",
            message=f"Stop sending the digest of profile “{request.profile}” to {request.address}.",
            form={"action": f"/mail/unsubscribe/{token}", "button": "Unsubscribe"},
        )

    @router.post("/mail/unsubscribe/{token}", response_class=HTMLResponse)
    def unsubscribe(token: str, store: StoreDep) -> HTMLResponse:
        # Both the page's button and a mail client's RFC 8058 one-click POST land here.
        try:
            wanted = _tokens().read_unsubscribe(token)
            store.unsubscribe(wanted.profile, wanted.address)
        except TokenError as exc:
            return refused(exc)
        except PapersiftError as exc:
            return page(404, title="Not found", message=str(exc), form=None)
        return page(
            title="Unsubscribed",
            message=f"{wanted.address} gets no more digests of profile “{wanted.profile}”.",
            form=None,
        )

    @router.get("/feed/{fmt}/{token}")
    def feed(fmt: str, token: str, store: StoreDep) -> Response:
        if fmt not in FEED_TYPES:
            return Response("unknown feed format (use rss or atom)\n", status_code=404, media_type="text/plain")
        try:
            access = _tokens().read_feed(token)
            if access.nonce != store.current_feed_nonce(access.profile):
                raise TokenError("this feed address was replaced by a newer one")
            digests = store.daily_digests(access.profile, limit=FEED_DIGESTS)
        except PapersiftError as exc:
            return Response(f"{exc}\n", status_code=404, media_type="text/plain")
        base = _config().web.base_url
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

    return router
