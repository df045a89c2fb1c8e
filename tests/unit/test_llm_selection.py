"""Which pairs Claude is asked about: the two queues, the run's allowance, the split."""

from __future__ import annotations

from consilience.vocabulary import JudgementKind
from investigators.base import CandidatePair
from investigators.llm_selection import allowance, askable, likely_missed, split_room, uncertain
from investigators.nli.judge import Judgement
from investigators.nli.model import NLIScores
from tests.claims import view


def pair(i: int, score: float) -> CandidatePair:
    return CandidatePair(
        a=view(f"a{i}", f"claim a{i}"), b=view(f"b{i}", f"claim b{i}"), similarity=0.5,
        retrieval_score=score,
    )  # fmt: skip


def judgement(contra: float, conv: float, kind: JudgementKind) -> Judgement:
    s = NLIScores(0.1, 0.8, 0.1)
    return Judgement(kind, 0.5, 0.1, 0.1, 0.8, contra, conv, s, s, [], "")


UNRELATED = JudgementKind.UNRELATED


def test_allowance_spreads_the_budget_over_the_run() -> None:
    assert [allowance(200, done, 1000) for done in (0, 1, 400, 999, 1000)] == [0, 1, 80, 200, 200]
    assert allowance(200, 5, 0) == 200  # no run size known: the whole budget
    assert allowance(3, 7, 5) == 3


def test_split_room_gives_what_one_queue_cannot_use_to_the_other() -> None:
    assert split_room(10, 0.5, 100, 100) == (5, 5)
    assert split_room(10, 0.5, 2, 100) == (2, 8)
    assert split_room(10, 0.5, 100, 1) == (9, 1)
    assert split_room(10, 0.0, 100, 100) == (10, 0)
    assert split_room(10, 1.0, 3, 4) == (0, 4)  # a share of 1 or 0 turns a queue off
    assert split_room(10, 0.0, 3, 4) == (3, 0)
    assert split_room(-2, 0.5, 5, 5) == (0, 0)


def test_uncertain_keeps_the_band_nearest_the_threshold_first() -> None:
    pairs = [pair(i, 0.5) for i in range(4)]
    js = [
        judgement(0.30, 0.0, UNRELATED),
        judgement(0.55, 0.0, JudgementKind.CONTRADICTS),
        judgement(0.05, 0.10, UNRELATED),  # below the band
        judgement(0.10, 0.90, JudgementKind.CONVERGES_WITH),  # above it
    ]
    got = uncertain(pairs, js, (0.2, 0.8), 0.5)
    assert [q.pair.a.id for q in got] == ["a1", "a0"]
    assert all(q.queue == "check" for q in got) and "0.55" in got[0].reason


def test_likely_missed_takes_unrelated_pairs_below_the_band_best_retrieval_first() -> None:
    pairs = [pair(i, s) for i, s in enumerate((0.2, 0.9, 0.5, 0.7, 0.95))]
    by_id = {
        "a0": judgement(0.01, 0.0, UNRELATED),
        "a1": judgement(0.01, 0.02, UNRELATED),
        "a2": judgement(0.02, 0.0, UNRELATED),
        "a3": judgement(0.30, 0.0, UNRELATED),  # inside the band: the check queue's
        "a4": judgement(0.01, 0.9, JudgementKind.CONVERGES_WITH),  # the judge called it
    }
    asked: list[list[str]] = []

    def judge(ps: list[CandidatePair]) -> list[Judgement]:
        asked.append([p.a.id for p in ps])
        return [by_id[p.a.id] for p in ps]

    got = likely_missed(pairs, judge, (0.2, 0.8), limit=2, chunk=2)
    assert [q.pair.a.id for q in got] == ["a1", "a2"]
    assert asked == [["a4", "a1"], ["a3", "a2"]]  # judged in retrieval order, and no further
    assert "(0.90)" in got[0].reason and got[0].queue == "find"
    assert likely_missed(pairs, judge, (0.2, 0.8), limit=0) == []


def test_only_pairs_of_claims_with_content_are_askable() -> None:
    full = CandidatePair(
        a=view("a", "Linear probes detect deception in coding agents reliably."),
        b=view("b", "Linear probes miss deception in coding agents entirely."),
        similarity=0.5,
    )
    empty = full.model_copy(update={"b": view("c", "That said, this seems unlikely.")})
    assert askable([full, empty]) == [full]
