"""One exclude/include service: the CLI, the pages and the JSON API check the same things."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from papersift import api
from papersift.cli import cli
from papersift.errors import StoreError
from papersift.store import Store
from tests.conftest import FEED_FILES, PROFILE_FILES


@pytest.fixture
def filled(isolated_home: Path) -> Path:
    runner = CliRunner()
    assert runner.invoke(cli, ["profile", "import", *map(str, PROFILE_FILES), "--name", "me", "-q"]).exit_code == 0
    assert runner.invoke(cli, ["feed", "import", *map(str, FEED_FILES), "-q"]).exit_code == 0
    return isolated_home / "papersift.db"


def test_exclude_then_include_through_the_library(filled: Path) -> None:
    with Store(filled) as store:
        own = store.profile_papers("me")[0]
        found = api.exclude_from_profile(store, "me", own.store_id or 0)
        assert found.store_id == own.store_id and [p.store_id for p in api.excluded_papers(store, "me")] == [
            own.store_id
        ]
        api.exclude_from_profile(store, "me", own.store_id or 0)  # again: still excluded, no error
        api.include_in_profile(store, "me", str(own.store_id))
        assert api.excluded_papers(store, "me") == []
        with pytest.raises(StoreError, match="is not excluded from profile 'me'"):
            api.include_in_profile(store, "me", str(own.store_id))


def test_a_candidate_is_not_excluded_from_a_profile_by_the_cli_nor_by_the_api(filled: Path) -> None:
    """The JSON API once excluded any paper it was given; the CLI and the API now give one answer."""
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from papersift.web import WebSettings, create_app
    from tests.conftest import KeywordEncoder
    from tests.web.conftest import csrf_of

    with Store(filled) as store:
        candidate = store.candidate_papers()[0].store_id
    result = CliRunner().invoke(cli, ["profile", "exclude", str(candidate), "--profile", "me"])
    assert result.exit_code == 1
    refusal = result.stderr.strip().removeprefix("Error: ")
    assert "is not one of profile 'me''s papers" in refusal
    settings = WebSettings(store=str(filled), encoder=KeywordEncoder())
    with TestClient(create_app(settings), follow_redirects=False) as web:
        token = csrf_of(web, "/p/me/profile")
        answer = web.post(f"/api/v1/profiles/me/papers/{candidate}/exclude", headers={"X-CSRF-Token": token})
    assert answer.status_code == 400 and answer.json()["detail"] == refusal
    with Store(filled) as store:
        assert api.excluded_papers(store, "me") == []
