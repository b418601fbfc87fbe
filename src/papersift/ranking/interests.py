"""A profile's papers grouped into interests, each labelled by its most characteristic terms.

Spherical k-means on the normalised embeddings (cosine geometry), restarted
from several k-means++ seeds; the number of interests is the k in
2..min(max_k, n // 3) with the best mean silhouette, or one interest when no
split is convincing (best silhouette under ``min_silhouette``). Pure numpy and
seeded, so the same profile always gives the same interests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..tfidf import Tfidf, terms

MAX_INTERESTS = 8
# Below this mean silhouette a split is noise, not structure (measured on the sample researcher; see docs).
MIN_SILHOUETTE = 0.02


def _kmeans(vectors: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 50) -> tuple[np.ndarray, float]:
    """(labels, inertia in cosine distance) of one spherical k-means run with k-means++ seeding."""
    n = len(vectors)
    centres = [vectors[rng.integers(n)]]
    for _ in range(1, k):
        distance = np.min(1.0 - vectors @ np.stack(centres).T, axis=1).clip(min=0)
        total = distance.sum()
        index = rng.choice(n, p=distance / total) if total > 0 else rng.integers(n)
        centres.append(vectors[index])
    centre_matrix = np.stack(centres)
    labels = np.zeros(n, dtype=int)
    for step in range(iterations):
        new_labels = np.argmax(vectors @ centre_matrix.T, axis=1)
        if step and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        for j in range(k):
            members = vectors[labels == j]
            if len(members):
                centre = members.sum(axis=0)
                centre_matrix[j] = centre / (np.linalg.norm(centre) or 1.0)
    inertia = float((1.0 - np.sum(vectors * centre_matrix[labels], axis=1)).sum())
    return labels, inertia


def silhouette(vectors: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette with cosine distance (a point alone in its cluster scores 0)."""
    distance = 1.0 - vectors @ vectors.T
    values = []
    clusters = np.unique(labels)
    if len(clusters) < 2:
        return 0.0
    for i in range(len(vectors)):
        own = labels == labels[i]
        if own.sum() <= 1:
            values.append(0.0)
            continue
        a = distance[i, own].sum() / (own.sum() - 1)
        b = min(distance[i, labels == c].mean() for c in clusters if c != labels[i])
        values.append((b - a) / max(a, b, 1e-12))
    return float(np.mean(values))


def cluster(
    vectors: np.ndarray,
    max_k: int = MAX_INTERESTS,
    min_silhouette: float = MIN_SILHOUETTE,
    seed: int = 0,
    restarts: int = 8,
    k: int | None = None,
) -> list[list[int]]:
    """Groups of row indices (largest first); ``k`` forces the number of groups."""
    n = len(vectors)
    if n == 0:
        return []
    vectors = np.asarray(vectors, dtype=np.float64)
    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    candidates = [k] if k is not None else list(range(2, min(max_k, n // 3) + 1))
    best: tuple[float, np.ndarray] | None = None
    for kk in candidates:
        if kk < 2 or kk > n:
            continue
        rng = np.random.default_rng(seed)
        runs = [_kmeans(vectors, kk, rng) for _ in range(restarts)]
        labels = min(runs, key=lambda run: run[1])[0]
        if len(np.unique(labels)) < 2:
            continue
        score = silhouette(vectors, labels)
        if best is None or score > best[0]:
            best = (score, labels)
    if best is None or (k is None and best[0] < min_silhouette):
        return [list(range(n))]
    groups = [np.flatnonzero(best[1] == c).tolist() for c in np.unique(best[1])]
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def label_groups(
    texts: Sequence[str],
    groups: Sequence[Sequence[int]],
    n_terms: int = 3,
    reference: Sequence[str] = (),
    titles: Sequence[str] | None = None,
) -> list[str]:
    """Each group's most characteristic terms: its TF-IDF centroid minus the other papers' centroid.

    Document frequencies count the profile and ``reference`` texts (a background sample of the
    feed), so words every paper of the field uses label nothing; title terms count three times.
    """
    bags = [Counter(terms(text) + (terms(titles[i]) * 2 if titles else [])) for i, text in enumerate(texts)]
    model = Tfidf([*bags, *(terms(t) for t in reference)])
    vectors = [model.weights(bag) for bag in bags]
    labels = []
    for group in groups:
        members = set(group)
        inside: Counter[str] = Counter()
        outside: Counter[str] = Counter()
        papers_with: Counter[str] = Counter()
        for i, vector in enumerate(vectors):
            (inside if i in members else outside).update(vector)
            if i in members:
                papers_with.update(vector.keys())
        n_out = len(vectors) - len(members)
        # A label names what the group shares: a term of a single paper (an acronym, a model name)
        # labels that paper, not the interest.
        shared = min(2, len(members))
        scored = sorted(
            (-(weight / len(members) - (outside[t] / n_out if n_out else 0.0)), -len(t.split()), t)
            for t, weight in inside.items()
            if papers_with[t] >= shared
        )
        chosen: list[str] = []
        for _, _, term in scored:
            if any(term in other or other in term for other in chosen):
                continue
            chosen.append(term)
            if len(chosen) == n_terms:
                break
        labels.append(", ".join(chosen) or "general")
    return labels


def find_interests(
    texts: Sequence[str],
    titles: Sequence[str],
    vectors: np.ndarray,
    reference: Sequence[str] = (),
    max_k: int = MAX_INTERESTS,
) -> list[tuple[str, list[int]]]:
    """A profile's interests: (label, member indices) per cluster of its papers' vectors."""
    groups = cluster(vectors, max_k=max_k)
    labels = label_groups(texts, groups, reference=reference, titles=titles)
    return list(zip(labels, groups, strict=True))


def interest_scores(similarities: np.ndarray, membership: Sequence[Sequence[int]], top: int = 2) -> np.ndarray:
    """(candidates, interests): the mean of each candidate's ``top`` highest similarities within each interest."""
    out = np.full((similarities.shape[0], len(membership)), -np.inf, dtype=np.float32)
    for j, members in enumerate(membership):
        if not len(members):
            continue
        block = similarities[:, list(members)]
        kk = min(top, block.shape[1])
        out[:, j] = np.sort(block, axis=1)[:, -kk:].mean(axis=1)
    return out


def assign(vectors: np.ndarray, membership: Sequence[Sequence[int]], centre_vectors: np.ndarray) -> list[int]:
    """The interest of each row of ``vectors`` (profile papers no interest holds yet): the nearest centroid."""
    centroids = []
    for members in membership:
        centre = centre_vectors[list(members)].sum(axis=0) if len(members) else np.zeros(centre_vectors.shape[1])
        centroids.append(centre / (np.linalg.norm(centre) or 1.0))
    return np.argmax(vectors @ np.stack(centroids).T, axis=1).tolist()
