"""count_misses: the shared count of questions Claude left without a usable answer."""

from __future__ import annotations

import json

from investigators.llm_cache import count_misses, missed
from tests.llm_fakes import MemoryCache

ANSWER = json.dumps({"verdict": "contradicts"})


class AnsweredMeanwhile(MemoryCache):
    """Another job keeps an answer for `key` after this one read the entries."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def get_many(self, ids: list[str]) -> dict[str, str]:
        out = super().get_many(ids)
        self.rows[self.key] = ANSWER
        return out


def test_a_count_is_one_more_than_the_entry_had() -> None:
    cache = MemoryCache()
    cache.rows = {"a": json.dumps({"n": 2}), "b": ANSWER}
    assert count_misses(cache, ["a", "b", "c"], "n", "m", "v") == {"a": 3, "c": 1}
    assert missed(cache.rows["a"], "n") == 3 and cache.rows["b"] == ANSWER
    assert count_misses(cache, [], "n", "m", "v") == {}


def test_an_answer_kept_between_the_read_and_the_write_is_not_replaced() -> None:
    cache = AnsweredMeanwhile("a")
    cache.rows = {"a": json.dumps({"n": 1})}
    assert count_misses(cache, ["a", "b"], "n", "m", "v") == {"b": 1}
    assert cache.rows["a"] == ANSWER


def test_a_count_kept_by_another_job_meanwhile_is_the_count() -> None:
    cache = MemoryCache()
    cache.rows = {"a": json.dumps({"n": 1})}
    real_get = cache.get_many

    def stale(ids: list[str]) -> dict[str, str]:
        out = real_get(ids)
        cache.rows["a"] = json.dumps({"n": 2})  # another run counted its miss first
        return out

    cache.get_many = stale  # type: ignore[method-assign]
    assert count_misses(cache, ["a"], "n", "m", "v") == {"a": 2}
