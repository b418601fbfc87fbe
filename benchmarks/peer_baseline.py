"""A peer-style daily digest, for comparison: the approach of zotero-arxiv-daily.

No state between runs: the profile (library) and every candidate are embedded
again on each run with sentence-transformers (fp32, batch 32), and a candidate
scores the weighted mean of its similarities over the whole library, weights
decaying with the library item's position (newest first): 1 / (1 + log10(i + 1)),
normalised. Usage: peer_baseline.py PROFILE.jsonl CANDIDATES.jsonl [--top 20]
"""

from __future__ import annotations

import argparse
import json

import numpy as np


def peer_weights(n: int) -> np.ndarray:
    weights = 1.0 / (1.0 + np.log10(np.arange(n) + 1.0))
    return weights / weights.sum()


def peer_scores(similarities: np.ndarray) -> np.ndarray:
    """(n_candidates, n_profile) similarities, profile newest first -> weighted mean."""
    return similarities @ peer_weights(similarities.shape[1])


def _texts(path: str) -> list[str]:
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    return [f"{r.get('title', '')}. {r.get('abstract', '')}" for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile")
    parser.add_argument("candidates")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    from sentence_transformers import SentenceTransformer

    from papersift.encoders.transformer import bundled_minilm_path

    model = SentenceTransformer(str(bundled_minilm_path()), device="cpu")
    profile = model.encode(_texts(args.profile), batch_size=32, normalize_embeddings=True)
    candidates = model.encode(_texts(args.candidates), batch_size=32, normalize_embeddings=True)
    scores = peer_scores(candidates @ profile.T)
    print(json.dumps([int(i) for i in np.argsort(-scores)[: args.top]]))


if __name__ == "__main__":
    main()
