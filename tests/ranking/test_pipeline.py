"""One ranking path: the stateless rank of files and the stored digest agree, and explain the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from papersift import api
from papersift.ranking import DigestOptions, RankOptions
from papersift.ranking.pipeline import embed_groups
from papersift.store import Store
from tests.conftest import FEED_FILES, PROFILE_FILES, KeywordEncoder


def rank_files(options: RankOptions, settings: DigestOptions | None = None) -> api.Digest:
    """The `rank` command's path: the files read by load_papers, ranked by the one stateless entry point."""
    profile, feed = api.load_papers(PROFILE_FILES), api.load_papers(FEED_FILES)
    return api.rank_papers(profile.papers, feed.papers, KeywordEncoder(), options, settings)


@pytest.mark.parametrize(
    "settings",
    [DigestOptions(per_interest=0), DigestOptions(), DigestOptions(min_relevance=0.5, by_interest=False)],
    ids=["plain", "per-interest", "threshold"],
)
def test_rank_and_digest_agree_on_the_same_profile_and_feed(tmp_path: Path, settings: DigestOptions) -> None:
    options = RankOptions(top=10)
    stateless = rank_files(options, settings)
    with Store(tmp_path / "s.db") as store:
        api.import_profile(store, "me", PROFILE_FILES)
        api.import_feed(store, FEED_FILES)
        stored = api.digest_from_store(store, "me", KeywordEncoder(), options, record=False, settings=settings)
    assert stateless.stateless and not stored.stateless
    assert stateless.candidates == stored.candidates and stateless.profile_size == stored.profile_size
    assert [r.paper.display_title for r in stateless.recommendations] == [
        r.paper.display_title for r in stored.recommendations
    ]
    for a, b in zip(stateless.recommendations, stored.recommendations, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-6)
        assert a.relevance is not None and a.relevance == pytest.approx(b.relevance, abs=1e-6)
        assert a.interest == b.interest
        assert [m.to_dict() for m in a.why] == [m.to_dict() for m in b.why]
    assert stateless.interests == stored.interests


def test_the_stateless_rank_has_relevance_interests_and_explanations() -> None:
    digest = rank_files(RankOptions(top=5))
    assert digest.interests and digest.n_ratings == 0
    for rec in digest.recommendations:
        assert rec.relevance is not None and 0 <= rec.relevance <= 1
        assert rec.interest in digest.interests
        assert rec.why and rec.to_dict()["relevance"] is not None


def test_explanations_do_not_depend_on_top() -> None:
    few = rank_files(RankOptions(top=3))
    many = rank_files(RankOptions(top=30))
    first = {r.paper.display_title: [m.to_dict() for m in r.why] for r in many.recommendations}
    for rec in few.recommendations:
        assert [m.to_dict() for m in rec.why] == first[rec.paper.display_title]


def test_embed_groups_encodes_each_text_once_in_one_call() -> None:
    encoder = KeywordEncoder()
    profile = api.load_papers(PROFILE_FILES).papers
    own, pool, again = embed_groups([profile[:3], profile[3:5], profile[:2]], encoder)
    assert encoder.calls == [5]
    assert own.shape[0] == 3 and pool.shape[0] == 2 and (again == own[:2]).all()
