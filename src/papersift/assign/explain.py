"""Why each reviewer got a paper, and why a better-scoring one did not (``papersift assign explain``).

For one paper: each assigned reviewer's score and, when the archives and submissions are given, the
reviewer's closest archive papers with the terms they share with the submission (the digest's
explanation machinery, :class:`papersift.ranking.explain.TermExplainer`); then every candidate
scoring above the lowest assigned reviewer, with the reason it was passed over: a conflict (and its
rule), a full load, or the trade-off of the optimum (that reviewer was worth more on other papers).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..ranking.explain import TermExplainer
from .csvio import iter_rows, original_id, parse_number
from .problem import read_loads, read_pair_reasons


@dataclass(frozen=True)
class CloseArchivePaper:
    title: str
    similarity: float
    shared_terms: tuple[str, ...]


@dataclass(frozen=True)
class ReviewerReason:
    reviewer_id: str
    score: float
    closest: tuple[CloseArchivePaper, ...] = ()
    searched: bool = False  # the reviewer's archive was read (so an empty ``closest`` means no shared term)


@dataclass(frozen=True)
class PassedOver:
    reviewer_id: str
    score: float
    reason: str


@dataclass(frozen=True)
class PaperExplanation:
    paper_id: str
    assigned: tuple[ReviewerReason, ...]
    passed_over: tuple[PassedOver, ...]

    def lines(self) -> list[str]:
        out = [f"paper {self.paper_id}: {len(self.assigned)} reviewers"]
        for reason in self.assigned:
            out.append(f"  {reason.reviewer_id}  score {reason.score:.4f}")
            for close in reason.closest:
                terms = ", ".join(close.shared_terms) or "no shared terms"
                out.append(f'    close to "{close.title}" ({close.similarity:.2f}): {terms}')
            if reason.searched and not reason.closest:
                out.append("    no paper of their archive shares a term with it")
        if self.passed_over:
            out.append("higher-scoring candidates not chosen:")
            out += [f"  {p.reviewer_id}  score {p.score:.4f}: {p.reason}" for p in self.passed_over]
        else:
            out.append("no candidate scoring above the chosen reviewers was passed over")
        return out


def _closest(archive: Path, submission_text: str, limit: int) -> tuple[CloseArchivePaper, ...]:
    from ..sources import read_papers

    papers = read_papers(archive, input_format="jsonl").papers if archive.stat().st_size else []
    if not papers:
        return ()
    explainer = TermExplainer([p.text() for p in papers])
    candidate = explainer.weigh(submission_text)
    ranked = []
    for index, paper in enumerate(papers):
        profile = explainer.weigh(paper.text())
        similarity = sum(weight * profile.get(term, 0.0) for term, weight in candidate.items())
        ranked.append((similarity, index))
    ranked.sort(key=lambda pair: (-pair[0], pair[1]))
    return tuple(
        CloseArchivePaper(papers[i].display_title, similarity, explainer.shared_terms(candidate, i))
        for similarity, i in ranked[:limit]
        if similarity > 0
    )


def explain_paper(
    assignment_path: str | Path,
    scores_path: str | Path,
    paper_id: str,
    max_load: int | None = None,
    loads_path: str | Path | None = None,
    conflicts_path: str | Path | None = None,
    archives_dir: str | Path | None = None,
    submissions_path: str | Path | None = None,
    closest: int = 3,
) -> PaperExplanation:
    assignment_path, scores_path = Path(assignment_path), Path(scores_path)
    chosen: dict[str, float] = {}
    loads: Counter[str] = Counter()
    for _, row in iter_rows(assignment_path, (2, 3)):
        sub, rev = original_id(row[0]), original_id(row[1])
        loads[rev] += 1
        if sub == paper_id:
            chosen[rev] = 0.0
    if not chosen:
        raise InputError(f"assigns no reviewer to paper {paper_id!r}", assignment_path)
    scores: dict[str, float] = {}
    for line, row in iter_rows(scores_path, (3, 3)):
        if original_id(row[0]) == paper_id:
            scores[original_id(row[1])] = parse_number(row[2], scores_path, line, "score")
    if not scores:
        raise InputError(f"has no scores for paper {paper_id!r}", scores_path)
    limits = {rev: top for rev, (top, _) in read_loads(loads_path).items()} if loads_path else {}
    conflicts = read_pair_reasons(conflicts_path) if conflicts_path else {}

    text = ""
    if archives_dir and submissions_path:
        from ..expertise import read_submissions

        text = next((p.text() for sub, p in read_submissions(submissions_path) if sub == paper_id), "")
    assigned = []
    for rev in sorted(chosen, key=lambda r: -scores.get(r, 0.0)):
        archive = Path(archives_dir) / f"{rev}.jsonl" if archives_dir else None
        searched = bool(archive and text and archive.is_file())
        close = _closest(archive, text, closest) if archive and searched else ()
        assigned.append(ReviewerReason(rev, scores.get(rev, float("nan")), close, searched))
    floor = min(scores.get(r, float("inf")) for r in chosen)
    passed = []
    for rev, score in sorted(scores.items(), key=lambda item: -item[1]):
        if rev in chosen or score <= floor:
            continue
        limit = limits.get(rev, max_load)
        if (paper_id, rev) in conflicts:
            reason = f"conflict ({conflicts[(paper_id, rev)]})"
        elif limit is not None and loads[rev] >= limit:
            reason = f"at full load ({loads[rev]} of {limit} papers)"
        elif limit is None:
            reason = f"has {loads[rev]} papers (give --max-load to tell whether that is full); else the trade-off"
        else:
            reason = (
                f"has {loads[rev]} of {limit} papers, a free slot: another reviewer's minimum load, fairness "
                "(fairflow) or the probability cap (randomized) put someone else here"
            )
        passed.append(PassedOver(rev, score, reason))
    return PaperExplanation(paper_id, tuple(assigned), tuple(passed))
