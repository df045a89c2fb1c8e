"""The retrieval channel's LLM-written queries (investigators.retrieval.llm_queries): what a
run does with claims whose queries Claude never read."""

from __future__ import annotations

import json
from typing import Any

import pytest

from investigators.retrieval.llm_queries import (
    MAX_UNREAD_RUNS,
    UNREAD_RUNS,
    LLMQueryWriter,
    Prefetched,
)
from tests.llm_fakes import DownLLM, MemoryCache, ScriptedLLM, SilentLLM

CLAIMS = [("c1", "Probes detect deception."), ("c2", "Monitors catch reward hacking.")]
QUERIES = {"reasoning": "r", "contradicting": ["Probes miss deception."], "supporting": []}


class Answering(ScriptedLLM):
    model = SilentLLM.model  # the same model: the same cache keys

    def reply(self, prompt: str) -> dict[str, Any] | None:
        return QUERIES


class Down(DownLLM):
    model = SilentLLM.model


@pytest.mark.parametrize("llm", [SilentLLM, Down], ids=["unread", "request-failed"])
def test_claims_whose_queries_are_never_read_are_let_go_after_a_few_runs(
    llm: type[ScriptedLLM],
) -> None:
    """Red-teamed (stop 61's review): with a key out of credit or a cap of 0, claims whose
    queries Claude never read stayed unchecked, and every run judged their pairs again; and
    (review) a request that raised was not counted at all."""
    cache = MemoryCache()
    for run in range(1, MAX_UNREAD_RUNS + 1):
        got = LLMQueryWriter(llm(), cache).prefetch([CLAIMS])
        assert (got.failed is not None) == (llm is Down)
        if run < MAX_UNREAD_RUNS:
            assert (got.unread, got.let_go) == ({"c1", "c2"}, set()), run
        else:
            assert (got.unread, got.let_go) == (set(), {"c1", "c2"})
    writer = LLMQueryWriter(Answering(), cache)  # the service answers again: asked again
    assert writer.prefetch([CLAIMS]) == Prefetched()
    assert writer(CLAIMS) == {c: ["Probes miss deception."] for c, _ in CLAIMS}
    # answered: nothing to ask, nothing unread, whatever the service does now
    assert LLMQueryWriter(llm(), cache).prefetch([CLAIMS]) == Prefetched()


def test_a_count_of_unread_runs_is_never_read_as_queries() -> None:
    cache = MemoryCache()
    LLMQueryWriter(SilentLLM(), cache).prefetch([CLAIMS])
    writer = LLMQueryWriter(SilentLLM(), cache)
    writer.prefetch([CLAIMS])
    assert writer(CLAIMS) == {}  # the counts in the cache are not answers


def test_an_answer_kept_meanwhile_is_never_overwritten_by_a_count() -> None:
    """Review: another run's answer, kept between this run's request and its count, was
    replaced by a count and paid for again."""
    cache = MemoryCache()
    writer = LLMQueryWriter(SilentLLM(), cache)
    key = writer._key(CLAIMS[0][1])
    answer = json.dumps(QUERIES)

    class AnsweredMeanwhile(SilentLLM):
        def structured_many(self, *args: Any, **kwargs: Any) -> list[Any]:
            got = super().structured_many(*args, **kwargs)
            cache.rows[key] = answer  # another job's answer lands now
            return got

    got = LLMQueryWriter(AnsweredMeanwhile(), cache).prefetch([CLAIMS])
    assert got.unread == {"c2"} and cache.rows[key] == answer
    assert json.loads(cache.rows[writer._key(CLAIMS[1][1])]) == {UNREAD_RUNS: 1}
