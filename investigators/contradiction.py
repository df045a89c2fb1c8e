"""Sentence-level contradiction, offline: conflict cues combined with similarity."""

from __future__ import annotations

from collections.abc import Callable

from consilience.vocabulary import REPORTED_VIEW
from investigators.base import CandidatePair, ClaimView, FindingKind, Verdict
from investigators.cues import (
    Cue,
    antonym_cue,
    hedge_cue,
    negation_cue,
    number_cue,
    quantifier_cue,
)

Scorer = Callable[[ClaimView, ClaimView, float], tuple[float, list[Cue]]]


def cue_score(a: ClaimView, b: ClaimView, similarity: float) -> tuple[float, list[Cue]]:
    """Noisy-or of the cue weights, scaled by how much the claims are about the same thing."""
    cues = [
        c
        for c in (
            negation_cue(a.normalized, b.normalized),
            antonym_cue(a.normalized, b.normalized),
            quantifier_cue(a.normalized, b.normalized),
            number_cue(a.numbers, b.numbers, a.normalized, b.normalized),
            hedge_cue(a.hedge, b.hedge, a.normalized, b.normalized),
        )
        if c is not None
    ]
    if not cues:
        return 0.0, []
    p_none = 1.0
    for c in cues:
        p_none *= 1.0 - c.weight
    relevance = min(1.0, max(0.0, (similarity - 0.35) / 0.45))
    return round((1.0 - p_none) * relevance, 4), cues


def asserted(c: ClaimView) -> bool:
    """Only asserted claims can contradict: not reported views, not questions."""
    return c.speaker != REPORTED_VIEW and not c.text.rstrip().endswith("?")


class ContradictionInvestigator:
    """Flags pairs whose cues say they cannot both be true."""

    name = "contradiction-cues"
    version = "2"  # 2: whole-word antonym overlap, a longer antonym list

    def __init__(self, threshold: float = 0.5, scorer: Scorer = cue_score) -> None:
        self.threshold = threshold
        self.scorer = scorer

    def investigate(self, pairs: list[CandidatePair]) -> list[Verdict]:
        out = []
        for p in pairs:
            if not (asserted(p.a) and asserted(p.b)):
                continue
            score, cues = self.scorer(p.a, p.b, p.similarity)
            if score < self.threshold:
                continue
            who = ""
            if p.a.speaker or p.b.speaker:
                who = f" (speakers: {p.a.speaker or 'author'} / {p.b.speaker or 'author'})"
            rationale = (
                f"{'; '.join(c.detail for c in cues)}. "
                f"A: “{p.a.text}” — {p.a.source_title}. "
                f"B: “{p.b.text}” — {p.b.source_title}.{who}"
            )
            out.append(
                Verdict(
                    kind=FindingKind.CONTRADICTS,
                    a_id=p.a.id,
                    b_id=p.b.id,
                    score=score,
                    rationale=rationale,
                    cues=[c.name for c in cues],
                    investigator=self.name,
                    version=self.version,
                    independent=p.independence.independent if p.independence else None,
                    independence_reason=p.independence.reason if p.independence else None,
                )
            )
        return out
