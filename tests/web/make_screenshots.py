"""Screenshots of every page on the sample data, in headless Chromium: `make screenshots`.

Builds a throw-away store from data/sample (the researcher's publication list and arXiv listing as
profile 'researcher', the Hugging Face pages as candidates), makes a digest with the real encoder,
votes on two papers, then photographs each page into docs/screenshots/.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "src"), str(REPO)]

from papersift import accounts, api, explore  # noqa: E402
from papersift.config import Config, WebConfig  # noqa: E402
from papersift.delivery.tokens import Tokens  # noqa: E402
from papersift.encoders import get_encoder  # noqa: E402
from papersift.store import Store  # noqa: E402
from papersift.web import WebSettings  # noqa: E402
from tests.web.live import browser_missing, chromium, live_server  # noqa: E402

SAMPLE = REPO / "data" / "sample"
PROFILE = [SAMPLE / "profile_publications.txt", SAMPLE / "profile_arxiv.txt"]
FEEDS = [SAMPLE / "feed_hf_nov20.txt", SAMPLE / "feed_hf_nov14.txt", SAMPLE / "feed_hf_oct17.txt"]
PASSWORD = "screenshots only"


def build_store(path: Path, model: str) -> tuple[int, int]:
    encoder = get_encoder(model)
    with Store(path) as store:
        api.import_profile(store, "researcher", PROFILE)
        api.import_feed(store, FEEDS)
        # A colleague whose profile is a few of the candidates, so the Lab page has two members.
        colleague = [p for p in store.candidate_papers() if "robot" in p.text().lower() or "video" in p.text().lower()][
            :6
        ]
        store.import_papers(colleague, profile="colleague")
        for name in ("researcher", "colleague"):
            store.save_profile_settings(name, {"top": 10}, lab_opt_in=True)
        user = accounts.add_user(store, "researcher", PASSWORD)
        accounts.claim_profile(store, user, "researcher")
        # The first interest with a budget, so Profile and Today show one.
        first_interest = api.list_interests(store, "researcher", encoder)[0]
        api.set_interest_budget(store, "researcher", str(first_interest.id), 2)
        explore.make_digest(store, "researcher", encoder, top=10)
        picks = explore.digest_view(store, "researcher").recommendations
        api.rate(store, "researcher", str(picks[0].paper.store_id), "up", origin="web")
        api.rate(store, "researcher", str(picks[2].paper.store_id), "save", origin="web")
        return int(picks[0].paper.store_id or 0), int(picks[1].paper.store_id or 0)


def shoot(out: Path, model: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store.db"
        first, second = build_store(path, model)
        # The mail links' signer and base URL, as a daily run would have used them.
        tokens = Tokens(b"screenshots only, never a real secret")
        config = Config(web=WebConfig(base_url="https://papersift.example"))
        settings = WebSettings(store=str(path), multi_user=True, model=model, tokens=tokens, config=config)
        with live_server(settings) as (url, _app), chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, base_url=url)
            page.set_default_timeout(120_000)
            page.goto("/login")
            page.screenshot(path=str(out / "login.png"))
            page.fill("#username", "researcher")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/today")
            pages = [
                ("today", "/p/researcher/today"),
                ("paper", f"/p/researcher/papers/{first}"),
                ("profile", "/p/researcher/profile"),
                ("search", "/p/researcher/search?q=diffusion+video&mode=semantic"),
                ("map", "/p/researcher/map"),
                ("settings", "/p/researcher/settings"),
                ("lab", "/lab"),
                ("error", "/p/researcher/papers/abc"),
            ]
            for name, target in pages:
                page.goto(target)
                height = min(page.evaluate("document.documentElement.scrollHeight"), 2400)
                page.screenshot(
                    path=str(out / f"{name}.png"),
                    full_page=True,
                    clip={"x": 0, "y": 0, "width": 1280, "height": height},
                )
                print(f"{out / name}.png")
            # A mail's vote link: the landing page (its script confirms at once), then the thank-you page.
            signed_out = browser.new_page(viewport={"width": 900, "height": 600}, base_url=url)
            signed_out.goto(f"/mail/vote/{tokens.vote('researcher', second, 'save')}")
            signed_out.wait_for_selector("text=Thank you")
            signed_out.screenshot(path=str(out / "mail-vote.png"), full_page=True)
            print(f"{out / 'mail-vote'}.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--model", default="minilm", help="Encoder (default: the bundled MiniLM).")
    args = parser.parse_args()
    missing = browser_missing()
    if missing:
        sys.exit(f"make screenshots: {missing}")
    shoot(args.out, args.model)


if __name__ == "__main__":
    main()
