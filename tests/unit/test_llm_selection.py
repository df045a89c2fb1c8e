"""Which pairs Claude is asked about: the two queues, the run's pools, the split."""

from __future__ import annotations

import pytest

from consilience.vocabulary import JudgementKind
from investigators.base import CandidatePair
from investigators.llm_selection import (
    Question,
    QuestionPool,
    askable,
    likely_missed,
    split_room,
    uncertain,
)
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


def test_a_pool_keeps_the_runs_best_questions_earliest_first_among_equals() -> None:
    pool = QuestionPool(3)
    qs = [Question(pair(i, 0.5), "find", rank, f"q{i}") for i, rank in enumerate((-0.2, -0.9))]
    pool.offer(qs)
    pool.offer([Question(pair(i, 0.5), "find", -0.5, f"q{i}") for i in (2, 3)])
    pool.offer([Question(pair(4, 0.5), "find", -0.95, "q4")])
    assert [q.reason for q in pool.best()] == ["q4", "q1", "q2"] and len(pool) == 3
    empty = QuestionPool(0)
    empty.offer(qs)
    assert empty.best() == [] and len(empty) == 0


def test_split_room_gives_what_one_queue_cannot_use_to_the_other() -> None:
    assert split_room(10, 0.5, 100, 100) == (5, 5)
    assert split_room(10, 0.5, 2, 100) == (2, 8)
    assert split_room(10, 0.5, 100, 1) == (9, 1)
    assert split_room(10, 0.0, 100, 100) == (10, 0)
    assert split_room(10, 1.0, 3, 4) == (0, 4)  # a share of 1 or 0 turns a queue off
    assert split_room(10, 0.0, 3, 4) == (3, 0)
    assert split_room(-2, 0.5, 5, 5) == (0, 0)
    assert split_room(4, -1.0, 9, 9) == (4, 0) and split_room(4, 7.0, 9, 9) == (0, 4)
    assert split_room(1, 0.5, 5, 5) == (1, 0)  # one question: half of it rounds to none


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


def test_settings_refuse_a_band_upside_down_or_a_share_out_of_range() -> None:
    import pydantic

    from consilience.settings import LLMSettings

    for bad in ({"band_low": 0.9, "band_high": 0.1}, {"find_share": 1.5}, {"budget_pairs": -1}):
        with pytest.raises(pydantic.ValidationError):
            LLMSettings.model_validate(bad)
    assert LLMSettings().find_share == 0.5
