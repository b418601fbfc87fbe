"""Affinity quality on the reviewer-expertise gold standard (Stelmakh et al., 2023).

Settings are chosen on the 'choose' half of the researchers and reported on the
'confirm' half, with every split and a bootstrap interval; papersift is shown
beside the published algorithms (the three whose predictions ship with the data
are re-scored here) and beside a peer-style weighted mean over the whole profile.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np
from common import GOLDSTANDARD, save
from peer_baseline import peer_weights

from papersift.config import default_db_path
from papersift.encoders import embed_papers, get_encoder
from papersift.evaluation import (
    PUBLISHED,
    SPLITS,
    cost_weight_matrix,
    evaluate,
    load_predictions,
    load_ratings,
    load_split,
    paired_bootstrap_difference,
    split_reviewers,
)
from papersift.ranking import DEFAULT_AGGREGATION, get_aggregation
from papersift.store import Store

# Published losses (title + abstract, mean over d_20_1..10) of methods whose predictions are not shipped.
PUBLISHED_ONLY = {
    "ELMo": 0.34,
    "ACL reviewer matching": 0.30,
    "SPECTER2": 0.22,
    "SciNCL": 0.22,
    "SPECTER2+SciNCL (OpenReview default)": 0.21,
}
CANDIDATES = [
    "top1",
    "top2",
    "top3",
    "top5",
    "mean",
    "softmax:0.05",
    "top1+mean",
    "top2+mean",
    "top3+mean",
    "top2+0.5*mean",
    "top2+2*mean",
]


def _year_order(papers: list) -> list[int]:
    """Profile newest first (undated last), as a library sorted by date-added would be."""
    return sorted(range(len(papers)), key=lambda i: -(papers[i].year or 0))


def predictions_for(
    encoder_name: str, scorer: Callable[[np.ndarray, list], np.ndarray], ratings: dict, store: Store | None
) -> list[dict]:
    encoder = get_encoder(encoder_name)
    out = []
    for n in SPLITS:
        split = load_split(GOLDSTANDARD, n)
        reviewers = [r for r in sorted(ratings) if r in split.archives]
        rated_ids = sorted({p for r in reviewers for p in ratings[r]})
        profile = [p for r in reviewers for p in split.archives[r]]
        papers = profile + [split.submissions[p] for p in rated_ids]
        vectors = embed_papers(papers, encoder, store=store)
        row = {p: len(profile) + i for i, p in enumerate(rated_ids)}
        start, preds = 0, {}
        for r in reviewers:
            own_papers = split.archives[r]
            own = vectors[start : start + len(own_papers)]
            start += len(own_papers)
            rated = list(ratings[r])
            sims = vectors[[row[p] for p in rated]] @ own.T
            preds[r] = dict(zip(rated, map(float, scorer(sims, own_papers)), strict=True))
        out.append(preds)
    return out


def aggregation_scorer(name: str) -> Callable[[np.ndarray, list], np.ndarray]:
    aggregate = get_aggregation(name)
    return lambda sims, _papers: aggregate(sims)


def peer_scorer(sims: np.ndarray, papers: list) -> np.ndarray:
    order = _year_order(papers)
    return sims[:, order] @ peer_weights(len(order))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="minilm")
    parser.add_argument(
        "--extra-model", action="append", default=[], help="also evaluate this encoder with the default aggregation"
    )
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    if not GOLDSTANDARD.is_dir():
        raise SystemExit(f"bench_quality needs the gold standard at {GOLDSTANDARD}")
    ratings = load_ratings(GOLDSTANDARD)
    choose, confirm = split_reviewers(ratings)
    everyone = sorted(ratings)
    store = Store(default_db_path())

    def summarise(name: str, predictions: list[dict]) -> dict:
        halves = {}
        for half, who in (("choose", choose), ("confirm", confirm), ("all", everyone)):
            e = evaluate(predictions, ratings, who, n_resamples=args.resamples)
            halves[half] = {
                "loss": e.loss,
                "ci": [e.ci_low, e.ci_high],
                "splits": e.split_losses,
                "easy": e.easy,
                "hard": e.hard,
            }
        print(
            f"{name:45s} choose {halves['choose']['loss']:.4f}  "
            f"confirm {halves['confirm']['loss']:.4f}  all {halves['all']['loss']:.4f}",
            flush=True,
        )
        return {"name": name, **halves}

    results: dict[str, dict] = {}
    kept: dict[str, list[dict]] = {}
    for algorithm in PUBLISHED:
        kept[algorithm] = [load_predictions(GOLDSTANDARD, algorithm, n) for n in SPLITS]
        results[algorithm] = {**summarise(algorithm, kept[algorithm]), "published": PUBLISHED[algorithm]}
    for aggregation in CANDIDATES:
        key = f"{args.model}:{aggregation}"
        kept[key] = predictions_for(args.model, aggregation_scorer(aggregation), ratings, store)
        results[key] = summarise(key, kept[key])
    kept["peer"] = predictions_for(args.model, peer_scorer, ratings, store)
    results["peer"] = summarise("peer: weighted mean over the profile", kept["peer"])
    kept["tfidf"] = predictions_for("tfidf", aggregation_scorer(DEFAULT_AGGREGATION), ratings, store)
    results["tfidf"] = summarise(f"tfidf:{DEFAULT_AGGREGATION}", kept["tfidf"])
    for model in args.extra_model:
        key = f"{model}:{DEFAULT_AGGREGATION}"
        kept[key] = predictions_for(model, aggregation_scorer(DEFAULT_AGGREGATION), ratings, store)
        results[key] = summarise(key, kept[key])

    chosen = min(CANDIDATES, key=lambda a: results[f"{args.model}:{a}"]["choose"]["loss"])
    default_key = f"{args.model}:{DEFAULT_AGGREGATION}"

    def diff(a: str, b: str) -> dict:
        ca, wa = cost_weight_matrix(kept[a], ratings, confirm)
        cb, wb = cost_weight_matrix(kept[b], ratings, confirm)
        point, low, high = paired_bootstrap_difference(ca, wa, cb, wb, n_resamples=args.resamples)
        return {"a": a, "b": b, "half": "confirm", "difference": point, "ci": [low, high]}

    comparisons = [
        diff(default_key, f"{args.model}:top2+mean"),
        diff(default_key, f"{args.model}:top3"),
        diff(default_key, "peer"),
        diff(default_key, "specter_mfr"),
    ]
    for model in args.extra_model:
        comparisons.append(diff(f"{model}:{DEFAULT_AGGREGATION}", default_key))
    save(
        "quality",
        {
            "default": default_key,
            "chosen_on_choose_half": f"{args.model}:{chosen}",
            "halves": {"choose": len(choose), "confirm": len(confirm)},
            "results": results,
            "published_only": PUBLISHED_ONLY,
            "comparisons": comparisons,
        },
    )
    print(f"chosen on the choose half: {chosen}; default: {DEFAULT_AGGREGATION}")
    for c in comparisons:
        print(f"{c['a']} - {c['b']} on confirm: {c['difference']:+.4f} [{c['ci'][0]:+.4f}, {c['ci'][1]:+.4f}]")


if __name__ == "__main__":
    main()
