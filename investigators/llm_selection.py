"""Which candidate pairs Claude is asked about, under the run's budget (pure).

Two queues share the budget:

- **check**: the judge's least certain readings: pairs whose higher score (contradiction or
  convergence) lies inside the band, nearest the contradiction threshold first. Claude checks
  the calls the model nearly made, or nearly did not.
- **find**: pairs the judge read as unrelated (both scores below the band) that the retriever
  ranks most likely to be a real relation (`CandidatePair.retrieval_score`: the learned
  ranker's probability, fitted on labelled real pairs). The offline judge reads real
  cross-paper disagreements at chance and scores them far below any band (on the labelled
  real pairs the main job reaches, 2 of 42 contradictions fall inside the default band; their
  median contradiction score is 0.003), so the check queue alone would never show Claude the
  disagreements the product exists to find.

A run's budget is spread over its batches in proportion to their claims (`allowance`): a run
judges its new claims batch by batch, and without this the first batch would spend it all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from consilience.vocabulary import JudgementKind
from investigators.base import CandidatePair
from investigators.nli.judge import Judgement
from investigators.nli_judge import checkable

CHECK = "check"
FIND = "find"


@dataclass(frozen=True)
class Question:
    """One pair to ask about, with the queue that chose it and why (shown in the finding)."""

    pair: CandidatePair
    queue: str
    reason: str


def askable(pairs: Sequence[CandidatePair]) -> list[CandidatePair]:
    """The pairs worth a question: both claims have some content of their own (the judge's
    own `checkable`; "That said, this seems unlikely." is as unanswerable to Claude)."""
    return [p for p in pairs if checkable(p.a) and checkable(p.b)]


def allowance(budget: int, claims_done: int, claims_total: int) -> int:
    """How many questions a run may have asked once `claims_done` of its `claims_total` new
    claims are judged: the budget in proportion, rounded up (so a small run can ask at all)."""
    if claims_total <= 0 or claims_done >= claims_total:
        return budget
    return min(budget, math.ceil(budget * max(0, claims_done) / claims_total))


def uncertain(
    pairs: Sequence[CandidatePair],
    judgements: Sequence[Judgement],
    band: tuple[float, float],
    threshold: float,
) -> list[Question]:
    """The check queue: pairs inside the band, nearest the contradiction threshold first."""
    lo, hi = band
    ranked = [
        (abs(j.contradiction_score - threshold), k, p, j)
        for k, (p, j) in enumerate(zip(pairs, judgements, strict=True))
        if lo <= max(j.contradiction_score, j.convergence_score) <= hi
    ]
    ranked.sort(key=lambda t: (t[0], t[1]))
    return [
        Question(
            p,
            CHECK,
            f"the judge was unsure (contradiction score {j.contradiction_score:.2f}, "
            f"convergence {j.convergence_score:.2f})",
        )
        for _, _, p, j in ranked
    ]


def likely_missed(
    pairs: Sequence[CandidatePair],
    judge: Callable[[list[CandidatePair]], list[Judgement]],
    band: tuple[float, float],
    limit: int,
    chunk: int = 256,
) -> list[Question]:
    """The find queue: up to `limit` pairs the judge reads as unrelated with both scores below
    the band, highest retrieval score first. The pairs are judged in that order, a chunk at a
    time, until `limit` are found (a caller whose judge remembers its readings pays nothing)."""
    if limit <= 0:
        return []
    order = sorted(pairs, key=lambda p: (-p.retrieval_score, p.a.id, p.b.id))
    out: list[Question] = []
    for start in range(0, len(order), chunk):
        part = order[start : start + chunk]
        for p, j in zip(part, judge(part), strict=True):
            if (
                j.kind == JudgementKind.UNRELATED
                and max(j.contradiction_score, j.convergence_score) < band[0]
            ):
                out.append(
                    Question(
                        p,
                        FIND,
                        "the judge read it as unrelated; the retriever ranks it a likely "
                        f"relation ({p.retrieval_score:.2f})",
                    )
                )
                if len(out) >= limit:
                    return out
    return out


def split_room(room: int, find_share: float, check_open: int, find_open: int) -> tuple[int, int]:
    """(new checks, new finds) for `room` questions: `find_share` of them for the find queue,
    and what one queue cannot use goes to the other, unless that one's share is zero (a share
    of 0 or 1 turns a queue off)."""
    room = max(0, room)
    find = min(find_open, round(room * find_share))
    check = min(check_open, room - find) if find_share < 1 else 0
    find = min(find_open, room - check) if find_share > 0 else 0
    return check, find
