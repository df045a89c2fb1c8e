"""Which candidate pairs Claude is asked about, under the run's budget (pure).

Two queues share the budget:

- **check**: the judge's least certain readings: pairs whose higher score (contradiction or
  convergence) lies inside the band, nearest the contradiction threshold first. Claude checks
  the calls the model nearly made, or nearly did not.
- **find**: pairs the judge read as unrelated (both scores below the band) that the retriever
  rates most likely to be a real relation (`CandidatePair.retrieval_score`: the learned
  ranker's probability, fitted on labelled real pairs; the fused reciprocal-rank score when
  the ranker is off). The offline judge reads real cross-paper disagreements at chance and
  scores them far below any band (measured once on the main job's 140,409 candidate pairs:
  2 of the 42 labelled real contradictions it reaches lie inside the default band, median
  contradiction score 0.003), so the check queue alone would never show Claude the
  disagreements the product exists to find.

A run offers each batch's questions to one `QuestionPool` per queue, which keeps the run's
best; the run asks them once, at its end, in one request (a Message Batch when large enough).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from consilience.vocabulary import JudgementKind
from investigators.base import CandidatePair
from investigators.nli.judge import Judge, Judgement
from investigators.nli_judge import checkable_pairs, side_of

Queue = Literal["check", "find"]


@dataclass(frozen=True)
class Question:
    """One pair to ask about: the queue that chose it, its place in that queue (lower is
    asked first) and why (shown in the finding)."""

    pair: CandidatePair
    queue: Queue
    rank: float
    reason: str


def askable(pairs: Sequence[CandidatePair]) -> list[CandidatePair]:
    """The pairs worth a question: the ones the judge itself rules on (`checkable_pairs`;
    "That said, this seems unlikely." is as unanswerable to Claude)."""
    return checkable_pairs(list(pairs))


def reader(judge: Judge) -> Callable[[list[CandidatePair]], list[Judgement]]:
    """The judge's readings of candidate pairs (it remembers them: asking twice is free)."""
    return lambda pairs: judge.judge([(side_of(p.a), side_of(p.b)) for p in pairs])


def uncertain(
    pairs: Sequence[CandidatePair],
    judgements: Sequence[Judgement],
    band: tuple[float, float],
    threshold: float,
) -> list[Question]:
    """The check queue: pairs inside the band, nearest the contradiction threshold first."""
    lo, hi = band
    out = [
        Question(
            p,
            "check",
            abs(j.contradiction_score - threshold),
            f"the judge was unsure: contradiction score {j.contradiction_score:.2f}, "
            f"convergence {j.convergence_score:.2f}",
        )
        for p, j in zip(pairs, judgements, strict=True)
        if lo <= max(j.contradiction_score, j.convergence_score) <= hi
    ]
    out.sort(key=lambda q: q.rank)  # stable: equal ranks keep the batch's order
    return out


def likely_missed(
    pairs: Sequence[CandidatePair],
    judge: Callable[[list[CandidatePair]], list[Judgement]],
    band: tuple[float, float],
    limit: int,
    *,
    ranker: bool = True,
    chunk: int = 256,
) -> list[Question]:
    """The find queue: up to `limit` pairs the judge reads as unrelated with both scores below
    the band, highest retrieval score first. The pairs are judged in that order, a chunk at a
    time, until `limit` are found (a caller whose judge remembers its readings pays nothing).
    `ranker`: whether the scores are the ranker's probabilities (else fused RRF scores)."""
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
                how = (
                    f"the retriever rates it a likely relation ({p.retrieval_score:.2f})"
                    if ranker
                    else f"the retriever ranks it high (fused score {p.retrieval_score:.3f})"
                )
                out.append(
                    Question(
                        p, "find", -p.retrieval_score, f"the judge read it as unrelated; {how}"
                    )
                )
                if len(out) >= limit:
                    return out
    return out


@dataclass
class QuestionPool:
    """A run's best open questions of one queue (lowest rank), at most `limit`."""

    limit: int
    _heap: list[tuple[float, int, Question]] = field(default_factory=list)  # (-rank, seq, q)
    _seq: int = 0

    def offer(self, questions: Sequence[Question]) -> None:
        for q in questions:
            self._seq += 1
            item = (-q.rank, -self._seq, q)  # among equal ranks the earlier offer wins
            if len(self._heap) < self.limit:
                heapq.heappush(self._heap, item)
            elif self._heap and item > self._heap[0]:
                heapq.heapreplace(self._heap, item)

    def best(self) -> list[Question]:
        return [q for _, _, q in sorted(self._heap, key=lambda t: (-t[0], -t[1]))]

    def __len__(self) -> int:
        return len(self._heap)


def split_room(room: int, find_share: float, check_open: int, find_open: int) -> tuple[int, int]:
    """(new checks, new finds) for `room` questions: `find_share` of them (clamped to 0..1)
    for the find queue, and what one queue cannot use goes to the other, unless that one's
    share is zero (a share of 0 or 1 turns a queue off)."""
    room, share = max(0, room), min(1.0, max(0.0, find_share))
    find = min(find_open, round(room * share))
    check = min(check_open, room - find) if share < 1 else 0
    find = min(find_open, room - check) if share > 0 else 0
    return check, find
