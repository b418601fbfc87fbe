"""Migration 2 on real SQLite files: ratings by any identifier, reset, interests, show-once across versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papersift import api
from papersift.errors import StoreError
from papersift.models import Paper
from papersift.ranking import RankOptions
from papersift.ranking.personal import DigestOptions
from papersift.store import Store
from tests.conftest import KeywordEncoder

PROFILE = [
    Paper(title="Sharpness-aware minimization parallelized", abstract="sharpness sharpness minima"),
    Paper(title="Flat minima and sharpness in deep networks", abstract="sharpness of minima"),
    Paper(title="Machine unlearning as multi-task optimization", abstract="unlearning examples"),
]


def write_jsonl(path: Path, papers: list[dict]) -> Path:
    path.write_text("".join(json.dumps(p) + "\n" for p in papers), encoding="utf-8")
    return path


def feed(tmp_path: Path, name: str = "feed.jsonl", version: str = "v1") -> Path:
    return write_jsonl(
        tmp_path / name,
        [
            {
                "title": "Sharpness-aware training for free",
                "abstract": "sharpness minima",
                "ids": {"arxiv": f"2401.00001{version}"},
            },
            {"title": "Pruning large models", "abstract": "pruning pruning", "ids": {"doi": "10.1000/Prune.1"}},
            {"title": "Robot legs", "abstract": "robot locomotion"},
            {"title": "Plasma waves", "abstract": "plasma turbulence"},
        ],
    )


@pytest.fixture
def store(tmp_path: Path, store_location: str | Path) -> Store:
    s = Store(store_location)
    s.import_papers(PROFILE, profile="me")
    api.import_feed(s, [feed(tmp_path)])
    return s


def test_papers_resolve_by_store_id_arxiv_doi_and_title(store: Store) -> None:
    by_arxiv = store.resolve_paper("arXiv:2401.00001v3")
    assert store.resolve_paper("https://arxiv.org/abs/2401.00001") == by_arxiv
    assert store.resolve_paper("sharpness-aware TRAINING for free") == by_arxiv
    assert store.resolve_paper(str(by_arxiv)) == by_arxiv
    by_doi = store.resolve_paper("https://doi.org/10.1000/prune.1")
    assert by_doi != by_arxiv and store.resolve_paper("doi:10.1000/PRUNE.1") == by_doi
    with pytest.raises(StoreError, match="no paper in the store matches 'Nothing like it'"):
        store.resolve_paper("Nothing like it")


def test_ambiguous_short_title_is_an_error(tmp_path: Path, store_location: str | Path) -> None:
    with Store(store_location) as store:
        store.import_papers([Paper(title="Attention", abstract="one"), Paper(title="Attention", abstract="two")])
        with pytest.raises(StoreError, match="matches several papers"):
            store.resolve_paper("attention")


def test_rate_replace_and_reset(store: Store) -> None:
    paper = api.rate(store, "me", "2401.00001", "up")
    assert paper.title == "Sharpness-aware training for free"
    api.rate(store, "me", "2401.00001v2", "save", origin="web")
    api.rate(store, "me", "10.1000/prune.1", "down")
    ratings = store.ratings("me")
    assert sorted((r.rating, r.origin) for r in ratings) == [("down", "cli"), ("save", "web")]
    with pytest.raises(StoreError, match="unknown rating 'meh'"):
        api.rate(store, "me", "2401.00001", "meh")
    with pytest.raises(StoreError, match="no profile named 'you'"):
        api.rate(store, "you", "2401.00001", "up")
    assert api.reset_feedback(store, "me") == 2
    assert store.ratings("me") == []


def test_rating_survives_a_later_version_from_another_source(store: Store, tmp_path: Path) -> None:
    api.rate(store, "me", "2401.00001v1", "up")
    # v2 arrives with a DOI under a different title: still the same paper (same arXiv id).
    later = write_jsonl(
        tmp_path / "later.jsonl",
        [{"title": "SAF: training for free", "abstract": "x", "ids": {"arxiv": "2401.00001v2", "doi": "10.9/saf"}}],
    )
    api.import_feed(store, [later])
    (rating,) = store.ratings("me")
    assert store.resolve_paper("10.9/saf") == rating.paper_id == store.resolve_paper("2401.00001")


def test_show_once_across_versions(store: Store, tmp_path: Path) -> None:
    encoder = KeywordEncoder()
    first = api.digest_from_store(store, "me", encoder=encoder, options=RankOptions(top=1))
    assert [r.paper.title for r in first.recommendations] == ["Sharpness-aware training for free"]
    # The same paper comes back as v2 from another feed file: it is not shown again.
    api.import_feed(store, [feed(tmp_path, "feed2.jsonl", "v2")])
    second = api.digest_from_store(store, "me", encoder=encoder, options=RankOptions(top=0))
    titles = [r.paper.title for r in second.recommendations]
    assert "Sharpness-aware training for free" not in titles and second.excluded_seen == 1
    again = api.digest_from_store(
        store, "me", encoder=encoder, options=RankOptions(top=0), settings=DigestOptions(include_seen=True)
    )
    assert "Sharpness-aware training for free" in [r.paper.title for r in again.recommendations]
    assert store.reset_shown("me") >= 1


def test_digest_uses_ratings_relevance_and_names_interests(store: Store) -> None:
    encoder = KeywordEncoder()
    api.rate(store, "me", "Pruning large models", "up")
    digest = api.digest_from_store(
        store, "me", encoder=encoder, options=RankOptions(top=0), settings=DigestOptions(include_seen=True)
    )
    assert digest.n_ratings == 1
    assert all(0 <= r.relevance <= 1 for r in digest.recommendations)
    assert all(r.interest for r in digest.recommendations)
    by_title = {r.paper.title: r for r in digest.recommendations}
    assert by_title["Pruning large models"].ratings == []  # a rated paper never explains itself
    quiet = api.digest_from_store(
        store,
        "me",
        encoder=encoder,
        options=RankOptions(top=0),
        settings=DigestOptions(include_seen=True, min_relevance=0.999999),
        record=False,
    )
    assert len(quiet.recommendations) < len(digest.recommendations)
    assert quiet.below_threshold == len(digest.recommendations) - len(quiet.recommendations)


def test_interest_edits(store: Store) -> None:
    encoder = KeywordEncoder()
    views = api.find_interests(store, "me", encoder)
    assert sum(len(v.papers) for v in views) == 3
    first = views[0]
    renamed = api.rename_interest(store, "me", str(first.id), "Flat minima")
    assert renamed.name == "Flat minima" and renamed.renamed
    assert api.mute_interest(store, "me", "flat minima").muted
    assert not api.mute_interest(store, "me", "Flat minima", muted=False).muted
    parts = api.split_interest(store, "me", "Flat minima", 2, encoder)
    assert len(parts) == 2 and all(p.name.startswith("Flat minima (") for p in parts)
    merged = api.merge_interests(store, "me", [str(p.id) for p in parts])
    assert len(merged.papers) == sum(len(p.papers) for p in parts)
    with pytest.raises(StoreError, match="has no interest 'nope'"):
        api.rename_interest(store, "me", "nope", "x")
    with pytest.raises(StoreError, match="at least two different interests"):
        api.merge_interests(store, "me", [str(merged.id), str(merged.id)])
