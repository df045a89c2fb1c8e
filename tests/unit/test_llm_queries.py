"""The retrieval channel's LLM-written queries (investigators.retrieval.llm_queries): what a
run does with claims whose queries Claude never read."""

from __future__ import annotations

from typing import Any

from investigators.retrieval.llm_queries import MAX_UNREAD_RUNS, LLMQueryWriter
from tests.llm_fakes import MemoryCache, ScriptedLLM, SilentLLM

CLAIMS = [("c1", "Probes detect deception."), ("c2", "Monitors catch reward hacking.")]
QUERIES = {"reasoning": "r", "contradicting": ["Probes miss deception."], "supporting": []}


class Answering(ScriptedLLM):
    model = SilentLLM.model  # the same model: the same cache keys

    def reply(self, prompt: str) -> dict[str, Any] | None:
        return QUERIES


def test_claims_whose_queries_are_never_read_are_let_go_after_a_few_runs() -> None:
    """Red-teamed (stop 61's review): with a key out of credit or a cap of 0, claims whose
    queries Claude never read stayed unchecked, and every run judged their pairs again."""
    cache = MemoryCache()
    for run in range(1, MAX_UNREAD_RUNS + 1):
        unread, let_go = LLMQueryWriter(SilentLLM(), cache).prefetch([CLAIMS])
        if run < MAX_UNREAD_RUNS:
            assert (unread, let_go) == ({"c1", "c2"}, set()), run
        else:
            assert (unread, let_go) == (set(), {"c1", "c2"})
    writer = LLMQueryWriter(Answering(), cache)  # the service answers again: asked again
    assert writer.prefetch([CLAIMS]) == (set(), set())
    assert writer(CLAIMS) == {c: ["Probes miss deception."] for c, _ in CLAIMS}
    unread, let_go = LLMQueryWriter(SilentLLM(), cache).prefetch([CLAIMS])
    assert (unread, let_go) == (set(), set())  # answered: nothing to ask, nothing unread


def test_a_count_of_unread_runs_is_never_read_as_queries() -> None:
    cache = MemoryCache()
    LLMQueryWriter(SilentLLM(), cache).prefetch([CLAIMS])
    writer = LLMQueryWriter(SilentLLM(), cache)
    writer.prefetch([CLAIMS])
    assert writer(CLAIMS) == {}  # the counts in the cache are not answers
