"""A learned combination of similarity signals against the default `top1+mean`, on the gold standard.

Protocol (printed into the results file too):
1. The halves are the existing ones (papersift.evaluation.split_reviewers, seed 0).
2. Every choice (feature set, L2 penalty, whether to adopt) is made by 5-fold
   cross-validation over the researchers of the 'choose' half only (all ten
   splits of a researcher in the same fold); the objective is the gold-standard
   loss of the out-of-fold predictions.
3. The chosen setting is refitted on the whole 'choose' half and then looked at
   once on 'confirm' (and on all researchers); the paired bootstrap interval
   against `minilm:top1+mean` on 'confirm' decides whether it is kept: only
   if the whole interval is below 0.

Lexical and title-only features are measured here too (on choose, by CV): the
shipped aggregation may use only features of the similarities, so they would
earn a place on the scoring path only by clearly beating the similarity-only
model.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Sequence

import numpy as np
from common import GOLDSTANDARD, RESULTS, save
from goldpairs import Group, cache_store, embed_groups, load_groups

from papersift.evaluation import (
    cost_weight_matrix,
    evaluate,
    load_ratings,
    paired_bootstrap_difference,
    split_reviewers,
)
from papersift.evaluation.goldstandard import SPLITS
from papersift.ranking import DEFAULT_AGGREGATION, get_aggregation
from papersift.ranking.learned import (
    FEATURES,
    LearnedAggregation,
    RankingGroup,
    fit_pairwise_logistic,
    similarity_features,
)

# The fitted model, as a result (it is not shipped in the package unless it wins on 'confirm').
MODEL_FILE = RESULTS / "learned_model.json"
L2_GRID = (0.1, 1.0, 10.0, 100.0, 1000.0, 10_000.0, 100_000.0)
FOLDS = 5
# Candidate feature sets, simplest first.
FEATURE_SETS: dict[str, list[str]] = {
    "top1,mean": ["top1", "mean"],
    "top1,top2,mean": ["top1", "top2", "mean"],
    "top1,top2,top3,mean": ["top1", "top2", "top3", "mean"],
    "topk,mean,std": ["top1", "top2", "top3", "top5", "mean", "std"],
    "topk,mean,std,log_n": list(FEATURES),
    "top1,mean+lexical": ["top1", "mean", "tfidf_top1", "tfidf_mean"],
    "top1,mean+titles": ["top1", "mean", "title_top1", "title_mean"],
    "top1,mean+lexical+titles": ["top1", "mean", "tfidf_top1", "tfidf_mean", "title_top1", "title_mean"],
}
# A CV gain on 'choose' smaller than this is recorded as no expected gain (the halves differ by ~0.05).
TIE = 0.002
# The penalty shrinks towards no weights at all, or towards `top1+mean` (only corrections to it are penalised).
PRIORS = ("none", "top1+mean")


def tfidf_similarities(groups: Sequence[Group]) -> list[np.ndarray]:
    """Candidate x profile TF-IDF cosines, document frequencies from each split's corpus."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    out: list[np.ndarray | None] = [None] * len(groups)
    for n in SPLITS:
        members = [i for i, g in enumerate(groups) if g.split == n]
        texts: dict[str, int] = {}
        for i in members:
            for p in groups[i].own + groups[i].candidates:
                texts.setdefault(p.text(), len(texts))
        vec = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=1)
        matrix = vec.fit_transform(list(texts))
        for i in members:
            g = groups[i]
            own = matrix[[texts[p.text()] for p in g.own]]
            cand = matrix[[texts[p.text()] for p in g.candidates]]
            out[i] = np.asarray((cand @ own.T).todense())
    return [x for x in out if x is not None]


def all_features(full: list, titles: list, tfidf: list[np.ndarray]) -> list[dict]:
    feats = []
    for (cand, own), (tcand, town), lex in zip(full, titles, tfidf, strict=True):
        f = similarity_features(cand @ own.T)
        tsims = tcand @ town.T
        f["title_top1"], f["title_mean"] = tsims.max(axis=1), tsims.mean(axis=1)
        f["tfidf_top1"], f["tfidf_mean"] = lex.max(axis=1), lex.mean(axis=1)
        feats.append(f)
    return feats


def predictions_from_scores(groups: Sequence[Group], scores: Sequence[np.ndarray]) -> list[dict]:
    by_split: dict[int, dict] = {n: {} for n in SPLITS}
    for g, s in zip(groups, scores, strict=True):
        by_split[g.split][g.reviewer] = dict(zip(g.rated, map(float, s), strict=True))
    return [by_split[n] for n in SPLITS]


def ranking_groups(groups: Sequence[Group], feats: Sequence[dict], names: Sequence[str], idx: Sequence[int]):
    # Each researcher counts once, whatever the number of splits: each split's copy weighs 1/10.
    return [
        RankingGroup(np.stack([feats[i][n] for n in names], axis=1), groups[i].ratings, 1.0 / len(SPLITS)) for i in idx
    ]


def default_prior(names: Sequence[str]) -> list[float]:
    """The weights of `top1+mean` over ``names``."""
    return [1.0 if n in ("top1", "mean") else 0.0 for n in names]


def cv_scores(groups, feats, names, l2, reviewers: list[str], prior) -> list[np.ndarray | None]:
    """Out-of-fold scores for the groups of ``reviewers`` (folds over researchers)."""
    order = np.random.RandomState(1).permutation(len(reviewers))
    fold_of = {reviewers[j]: k % FOLDS for k, j in enumerate(order)}
    scores: list[np.ndarray | None] = [None] * len(groups)
    for fold in range(FOLDS):
        train = [i for i, g in enumerate(groups) if fold_of.get(g.reviewer, -1) not in (-1, fold)]
        test = [i for i, g in enumerate(groups) if fold_of.get(g.reviewer) == fold]
        w = fit_pairwise_logistic(ranking_groups(groups, feats, names, train), l2=l2, prior=prior)
        for i in test:
            scores[i] = np.stack([feats[i][n] for n in names], axis=1) @ w
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    if not GOLDSTANDARD.is_dir():
        raise SystemExit(f"bench_learned needs the gold standard at {GOLDSTANDARD}")
    started = time.perf_counter()
    ratings = load_ratings(GOLDSTANDARD)
    choose, confirm = split_reviewers(ratings)
    everyone = sorted(ratings)
    store = cache_store()
    groups = load_groups(ratings)
    full = embed_groups(groups, "minilm", store)
    titles = embed_groups(groups, "minilm", store, titles=True)
    feats = all_features(full, titles, tfidf_similarities(groups))
    default = get_aggregation(DEFAULT_AGGREGATION)
    default_preds = predictions_from_scores(groups, [default(c @ o.T) for c, o in full])

    def loss_on(preds, who) -> float:
        return evaluate(preds, ratings, who, n_resamples=1).loss

    # -- choosing, on the choose half only --------------------------------------------------
    default_choose = loss_on(default_preds, choose)
    cv: list[dict] = []
    for set_name, names in FEATURE_SETS.items():
        for prior_name in PRIORS:
            prior = default_prior(names) if prior_name == "top1+mean" else None
            for l2 in L2_GRID:
                oof = cv_scores(groups, feats, names, l2, choose, prior)
                kept = [i for i, s in enumerate(oof) if s is not None]
                preds = predictions_from_scores([groups[i] for i in kept], [oof[i] for i in kept])
                cv.append({"features": set_name, "prior": prior_name, "l2": l2, "cv_loss": loss_on(preds, choose)})
                print(
                    f"CV on choose: {set_name:26s} prior {prior_name:9s} l2 {l2:9.1f}  {cv[-1]['cv_loss']:.4f}",
                    flush=True,
                )
    set_order = list(FEATURE_SETS)
    # The lowest CV loss; equal losses (to 4 decimals) go to the smaller feature set and the stronger penalty.
    chosen = min(cv, key=lambda c: (round(c["cv_loss"], 4), set_order.index(c["features"]), -c["l2"]))
    similarity_only = [c for c in cv if all(n in FEATURES for n in FEATURE_SETS[c["features"]])]
    best_similarity = min(similarity_only, key=lambda c: c["cv_loss"])
    print(f"default on choose {default_choose:.4f}; chosen {chosen}", flush=True)

    # -- the chosen setting, fitted on choose, looked at once on confirm -------------------
    names = FEATURE_SETS[chosen["features"]]
    choose_idx = [i for i, g in enumerate(groups) if g.reviewer in set(choose)]
    prior = default_prior(names) if chosen["prior"] == "top1+mean" else None
    weights = fit_pairwise_logistic(ranking_groups(groups, feats, names, choose_idx), l2=chosen["l2"], prior=prior)
    learned_preds = predictions_from_scores(groups, [np.stack([f[n] for n in names], axis=1) @ weights for f in feats])

    def summarise(preds) -> dict:
        out = {}
        for half, who in (("choose", choose), ("confirm", confirm), ("all", everyone)):
            e = evaluate(preds, ratings, who, n_resamples=args.resamples)
            out[half] = {
                "loss": e.loss,
                "ci": [e.ci_low, e.ci_high],
                "splits": e.split_losses,
                "easy": e.easy,
                "hard": e.hard,
            }
        return out

    def diff(a, b, who) -> dict:
        ca, wa = cost_weight_matrix(a, ratings, who)
        cb, wb = cost_weight_matrix(b, ratings, who)
        point, low, high = paired_bootstrap_difference(ca, wa, cb, wb, n_resamples=args.resamples)
        return {"difference": point, "ci": [low, high]}

    learned_key = f"minilm:learned({chosen['features']}, prior {chosen['prior']}, l2 {chosen['l2']:g})"
    results = {
        f"minilm:{DEFAULT_AGGREGATION}": summarise(default_preds),
        learned_key: summarise(learned_preds),
    }
    comparisons = {
        half: diff(learned_preds, default_preds, who) for half, who in (("confirm", confirm), ("all", everyone))
    }
    wins = comparisons["confirm"]["ci"][1] < 0
    model = LearnedAggregation(
        list(names),
        [float(w) for w in weights],
        {
            "produced_by": "benchmarks/bench_learned.py",
            "encoder": "minilm:all-MiniLM-L6-v2",
            "data": "reviewer-expertise gold standard (Stelmakh et al., 2023), 'choose' half only, d_20_1..10",
            "objective": "pairwise logistic, pairs weighted by rating gap; features, prior, L2 by 5-fold CV",
            "l2": chosen["l2"],
            "prior": chosen["prior"],
            "cv_loss_choose": chosen["cv_loss"],
            "confirm_difference_vs_default": comparisons["confirm"],
        },
    )
    if all(n in FEATURES for n in names):  # usable as --aggregation learned:FILE
        MODEL_FILE.write_text(json.dumps(model.to_dict(), indent=2) + "\n", encoding="utf-8")
    for name, r in results.items():
        print(f"{name:55s} " + "  ".join(f"{h} {r[h]['loss']:.4f}" for h in ("choose", "confirm", "all")))
    for half, c in comparisons.items():
        print(f"learned - default on {half}: {c['difference']:+.4f} [{c['ci'][0]:+.4f}, {c['ci'][1]:+.4f}]")
    save(
        "learned",
        {
            "protocol": __doc__,
            "halves": {"choose": len(choose), "confirm": len(confirm)},
            "default_choose_loss": default_choose,
            "cross_validation": cv,
            "chosen": chosen,
            "cv_gain_over_default_on_choose": default_choose - chosen["cv_loss"],
            "cv_gain_beyond_tie": bool(default_choose - chosen["cv_loss"] > TIE),
            "best_similarity_only": best_similarity,
            "model": model.to_dict(),
            "results": results,
            "comparisons_vs_default": comparisons,
            "kept": bool(wins),
            "seconds": time.perf_counter() - started,
        },
    )


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
