"""End to end in headless Chromium (Debian's package, driven by Playwright) against a real uvicorn server:
sign in, Today, vote without a reload, reload, undo, keyboard-only voting, upload BibTeX, rename an
interest, the Map, Search; axe-core finds no serious or critical violation on any page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from papersift import accounts
from papersift.store import Store
from papersift.web import WebSettings
from tests.web.conftest import PASSWORD, KeywordEncoder, fill_store
from tests.web.live import browser_missing, chromium, live_server
from tests.web.test_pages import BIBTEX

pytestmark = [pytest.mark.slow, pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or "")]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    path = tmp_path_factory.mktemp("browser") / "store.db"
    fill_store(path)
    with Store(path) as store:
        accounts.claim_profile(store, accounts.add_user(store, "ada", PASSWORD), "ada")
    settings = WebSettings(store=str(path), multi_user=True, encoder=KeywordEncoder())
    with live_server(settings) as (url, _app):
        yield url, path


@pytest.fixture(scope="module")
def page(server: tuple[str, Path]) -> Iterator[Any]:
    url, _ = server
    with chromium() as browser:
        context = browser.new_context(base_url=url, viewport={"width": 1200, "height": 900})
        tab = context.new_page()
        tab.set_default_timeout(15000)
        yield tab
        context.close()


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def rating_in_store(path: Path, paper_id: int) -> str | None:
    with Store(path) as store:
        return next((r.rating for r in store.ratings("ada") if r.paper_id == paper_id), None)


def test_sign_in_and_make_the_first_digest(page: Any) -> None:
    page.goto("/p/ada/today")
    assert "/login" in page.url
    assert serious_violations(page) == []
    page.fill("#username", "ada")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/p/ada/today")
    page.click("text=Make a new digest")
    page.wait_for_selector("article.paper")
    assert page.locator("article.paper").count() == 6
    assert serious_violations(page) == []


def test_vote_without_reload_persists_and_undoes(page: Any, server: tuple[str, Path]) -> None:
    _, path = server
    page.goto("/p/ada/today")
    first = page.locator("article.paper").first
    paper_id = int(first.get_attribute("id").removeprefix("paper-"))
    page.evaluate("window.__noReload = true")
    first.locator("button.vote-up").click()
    page.wait_for_selector(f"#paper-{paper_id} button.vote-up[aria-pressed=true]")
    assert page.evaluate("window.__noReload") is True  # no page load happened
    assert "Up-voted" in first.locator(".vote-status").inner_text()
    assert rating_in_store(path, paper_id) == "up"
    page.reload()
    first = page.locator(f"#paper-{paper_id}")
    assert first.locator("button.vote-up").get_attribute("aria-pressed") == "true"
    first.locator("button.undo").click()
    page.wait_for_selector(f"#paper-{paper_id} button.vote-up[aria-pressed=false]")
    assert rating_in_store(path, paper_id) is None
    first.locator("button.vote-save").click()
    page.wait_for_selector(f"#paper-{paper_id} button.vote-save[aria-pressed=true]")
    first.locator("button.undo").click()
    page.wait_for_selector(f"#paper-{paper_id} button.vote-save[aria-pressed=false]")
    assert rating_in_store(path, paper_id) is None


def test_keyboard_only_voting(page: Any, server: tuple[str, Path]) -> None:
    _, path = server
    page.goto("/p/ada/today")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('vote-down')"):
            break
    else:
        pytest.fail("Tab never reached a down-vote button")
    paper_id = int(page.evaluate("document.activeElement.closest('article').id").removeprefix("paper-"))
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#paper-{paper_id} button.vote-down[aria-pressed=true]")
    assert rating_in_store(path, paper_id) == "down"
    page.keyboard.press("Space")  # the same button again takes the vote back
    page.wait_for_selector(f"#paper-{paper_id} button.vote-down[aria-pressed=false]")
    assert rating_in_store(path, paper_id) is None


def test_upload_bibtex_and_rename_an_interest(page: Any, server: tuple[str, Path], tmp_path: Path) -> None:
    _, path = server
    bib = tmp_path / "mine.bib"
    bib.write_bytes(BIBTEX)
    page.goto("/p/ada/profile")
    assert serious_violations(page) == []
    page.set_input_files("#files", str(bib))
    page.click("form[action$='/upload'] button[type=submit]")
    page.wait_for_selector(".notice")
    assert "2 papers read" in page.inner_text(".notice")
    assert page.locator("text=Literate Programming about Sharpness").count() >= 1
    page.select_option("#interest", index=0)
    page.fill("#new_name", "Flat minima & forgetting")
    page.click("button[value=rename]")
    page.wait_for_selector(".notice >> text=renamed")
    assert "Flat minima & forgetting" in page.inner_text(".notice")
    with Store(path) as store:
        assert "Flat minima & forgetting" in [i.display_name for i in store.interests("ada")]


def test_map_search_and_every_page_is_accessible(page: Any) -> None:
    page.goto("/p/ada/map")
    assert page.locator("svg.map circle").count() >= 4
    assert page.locator("svg.map rect.pick").count() == 6
    assert "Robot grasping" in str(page.locator("svg.map title").all_text_contents())
    assert serious_violations(page) == []
    page.locator("svg.map a").last.click()  # drawn last, on top
    page.wait_for_url("**/p/ada/papers/*")
    assert serious_violations(page) == []
    page.goto("/p/ada/search")
    page.fill("#q", "unlearning")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("ol.results li")
    assert "Unlearning for language models" in page.inner_text("ol.results")
    assert serious_violations(page) == []
    page.check("#mode-semantic")
    page.fill("#q", "robot arms")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("ol.results li")
    assert page.locator("ol.results li").first.inner_text().startswith("Robot")
    for url in ("/p/ada/settings", "/lab", "/?choose=1", "/p/ada/today"):
        page.goto(url)
        assert serious_violations(page) == [], url
