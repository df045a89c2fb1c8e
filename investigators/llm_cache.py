"""The LLM response cache, kept in the graph (via kg) so nothing is asked twice."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from consilience.llm import AnswerCache
from kg.graph import Graph
from kg.writers import investigation_store


class GraphJudgementCache:
    def __init__(self, driver: Graph) -> None:
        self.driver = driver

    def get_many(self, ids: list[str]) -> dict[str, str]:
        return investigation_store.get_llm_judgements(self.driver, ids) if ids else {}

    def put_many(self, rows: list[dict[str, str]]) -> None:
        investigation_store.put_llm_judgements(self.driver, rows)


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
