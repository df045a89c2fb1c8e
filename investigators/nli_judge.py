"""Sentence-level contradiction and convergence decided by the calibrated NLI judge.

The model reads both directions; structured evidence (numbers, cues, scope, speakers)
joins it in the fitted combination, so a finding's score is a probability. Dependent
sides that agree are restatements (stored, never counted as corroboration).
"""

from __future__ import annotations

import re

from consilience.vocabulary import JudgementKind
from investigators.base import CandidatePair, ClaimView, FindingKind, Verdict
from investigators.contradiction import asserted
from investigators.nli.judge import Judge, Side
from kg.aspects import aspects

MIN_WORDS = 6
MIN_ASPECTS = 2
_WORD = re.compile(r"[A-Za-z][\w'’-]*")


def checkable(c: ClaimView) -> bool:
    """Worth judging: a claim with some content of its own. "That said, this seems unlikely."
    or "We're excited to see what you build." read as contradicting almost anything to an NLI
    model, and nobody can check them against another paper. Nor can a sentence that only
    introduces what follows ("Concretely, we expect to award up to:") or a heading that ends
    like a sentence ("More Reaction To The Executive Order."): the main job's top three
    contradictions on the corpus were such pairs."""
    return checkable_text(c.text)


def checkable_text(text: str) -> bool:
    """`checkable` for a bare statement."""
    return (
        len(text.split()) >= MIN_WORDS
        and len(aspects(text)) >= MIN_ASPECTS
        and not introduces_a_list(text)
        and not title_cased(text)
    )


def introduces_a_list(text: str) -> bool:
    """Ends with a colon (closing quotes and brackets aside): its content is what follows."""
    return text.rstrip().rstrip("\"”’')]*").endswith(":")


def title_cased(text: str) -> bool:
    """Every word longer than three letters capitalised: a heading or a reference entry."""
    long_words = [w for w in _WORD.findall(text) if len(w) > 3]
    return len(long_words) >= 2 and all(w[0].isupper() for w in long_words)


def checkable_pairs(pairs: list[CandidatePair]) -> list[CandidatePair]:
    """The pairs worth judging (or asking Claude about): both claims `checkable`."""
    return [p for p in pairs if checkable(p.a) and checkable(p.b)]


def side_of(c: ClaimView) -> Side:
    return Side(text=c.text, numbers=c.numbers, hedge=c.hedge, speaker=c.speaker)


class NLIJudgeInvestigator:
    """Contradicts / converges_with / restates from the judge; unrelated pairs are dropped.
    Agreement is a restatement (never corroboration) when the sources are dependent, when
    one side quotes the other, or when a side defines a term."""

    name = "nli-judge"

    def __init__(self, judge: Judge) -> None:
        self.judge = judge

    @property
    def version(self) -> str:
        return self.judge.version

    def investigate(self, pairs: list[CandidatePair]) -> list[Verdict]:
        pairs = checkable_pairs(pairs)
        if not pairs:
            return []
        judgements = self.judge.judge([(side_of(p.a), side_of(p.b)) for p in pairs])
        out: list[Verdict] = []
        for p, j in zip(pairs, judgements, strict=True):
            if j.kind == JudgementKind.UNRELATED:
                continue
            if j.kind == JudgementKind.CONTRADICTS and not (asserted(p.a) and asserted(p.b)):
                continue
            dependent = p.independence is not None and not p.independence.independent
            if j.kind == JudgementKind.CONTRADICTS:
                kind = FindingKind.CONTRADICTS
            else:
                # a sentence and its quotation are one claim, and two papers that define a term
                # alike agree on vocabulary: neither is corroboration
                restates = dependent or j.same or j.definitional
                kind = FindingKind.RESTATES if restates else FindingKind.CONVERGES_WITH
            why = p.independence.reason if p.independence else "independence unknown"
            out.append(
                Verdict(
                    kind=kind,
                    a_id=p.a.id,
                    b_id=p.b.id,
                    score=j.score,
                    rationale=f"{j.rationale}; {why}. A: “{p.a.text}” — {p.a.source_title}. "
                    f"B: “{p.b.text}” — {p.b.source_title}.",
                    cues=[e.split(":")[0] for e in j.evidence],
                    investigator=self.name,
                    version=self.version,
                    model=self.judge.model.name,
                    independent=not dependent if p.independence else None,
                    independence_reason=why,
                )
            )
        return out
