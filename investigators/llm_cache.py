"""The LLM response cache, kept in the graph (via kg) so nothing is asked twice."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pydantic import BaseModel

from consilience.llm import AnswerCache, MissRow
from kg.graph import Graph
from kg.writers import investigation_store


class GraphJudgementCache:
    def __init__(self, driver: Graph) -> None:
        self.driver = driver

    def get_many(self, ids: list[str]) -> dict[str, str]:
        return investigation_store.get_llm_judgements(self.driver, ids) if ids else {}

    def put_many(self, rows: list[dict[str, str]]) -> None:
        investigation_store.put_llm_judgements(self.driver, rows)

    def replace(self, rows: list[MissRow]) -> dict[str, str | None]:
        return investigation_store.replace_llm_judgements(self.driver, rows) if rows else {}


def missed(response: str, count: str) -> int:
    """How many times an entry counts under `count` (0: the entry is an answer)."""
    raw = json.loads(response)
    return int(raw.get(count, 0)) if isinstance(raw, dict) else 0


def count_misses(
    cache: AnswerCache, keys: list[str], count: str, model: str, version: str
) -> dict[str, int]:
    """One more miss for each key (a question Claude gave no usable answer, or never read),
    kept as {count: n} under the answer's own key; the count each key has now. A key whose
    entry is an answer is left as it is, and out: also one kept by another job after the
    read (the write only replaces the entry read: `AnswerCache.replace`). Where another job
    counted in between, its count is the key's (this miss and that one count once)."""
    if not keys:
        return {}
    before = cache.get_many(keys)
    rows = [
        MissRow(
            id=k,
            expected=before.get(k),
            response=json.dumps({count: missed(before.get(k, "{}"), count) + 1}),
            model=model,
            prompt_version=version,
        )
        for k in keys
        if k not in before or missed(before[k], count)
    ]
    after = cache.replace(rows)
    return {k: n for k, r in after.items() if r is not None and (n := missed(r, count))}


class AnswerKeeper:
    """The answers of one `structured_many` call, kept in the cache: each as it comes (its
    `on_answer`: one paid for before a Ctrl-C is not asked again), the rest (a Message
    Batch's) at the end (`finish`)."""

    def __init__(self, cache: AnswerCache, keys: list[str], model: str, version: str) -> None:
        self.cache = cache
        self.keys = keys  # the cache key of each prompt, in order
        self.model = model
        self.version = version
        self._kept: set[int] = set()

    def _row(self, i: int, answer: BaseModel) -> dict[str, str]:
        return {
            "id": self.keys[i],
            "response": answer.model_dump_json(),
            "model": self.model,
            "prompt_version": self.version,
        }

    def __call__(self, i: int, answer: BaseModel) -> None:
        self.cache.put_many([self._row(i, answer)])
        self._kept.add(i)

    def finish(self, answers: Sequence[BaseModel | None]) -> dict[str, str]:
        """{cache key: answer} of every answered prompt; those not yet kept are kept now."""
        rows = {i: self._row(i, a) for i, a in enumerate(answers) if a is not None}
        if rest := [r for i, r in rows.items() if i not in self._kept]:
            self.cache.put_many(rest)
        return {r["id"]: r["response"] for r in rows.values()}
