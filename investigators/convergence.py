"""Two claims that say the same thing: restatement (dependent) or convergence."""

from __future__ import annotations

from investigators.base import CandidatePair, FindingKind, Verdict
from investigators.contradiction import asserted, cue_score
from investigators.cues import overlap


class ConvergenceInvestigator:
    """Near-paraphrases without conflict cues. Dependent sides are a restatement: stored,
    marked, and never counted as corroboration."""

    name = "convergence-similarity"
    version = "1"

    def __init__(self, threshold: float = 0.78) -> None:
        self.threshold = threshold

    def investigate(self, pairs: list[CandidatePair]) -> list[Verdict]:
        out = []
        for p in pairs:
            if p.similarity < self.threshold or not (asserted(p.a) and asserted(p.b)):
                continue
            conflict, _ = cue_score(p.a, p.b, p.similarity)
            if conflict >= 0.3:
                continue
            dependent = p.independence is not None and not p.independence.independent
            kind = FindingKind.RESTATES if dependent else FindingKind.CONVERGES_WITH
            ov = overlap(p.a.normalized, p.b.normalized)
            why = p.independence.reason if p.independence else "independence unknown"
            rationale = (
                f"similarity {p.similarity:.2f}, {ov:.0%} shared content words, no "
                f"conflict cue; {why}. A: “{p.a.text}” — {p.a.source_title}. "
                f"B: “{p.b.text}” — {p.b.source_title}."
            )
            out.append(
                Verdict(
                    kind=kind,
                    a_id=p.a.id,
                    b_id=p.b.id,
                    score=round(
                        min(
                            1.0, (p.similarity - self.threshold) / (1 - self.threshold) * 0.5 + 0.5
                        ),
                        4,
                    ),
                    rationale=rationale,
                    cues=["similarity"],
                    investigator=self.name,
                    version=self.version,
                    independent=not dependent,
                    independence_reason=why,
                )
            )
        return out
