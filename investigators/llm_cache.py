"""The LLM response cache, kept in the graph (via kg) so nothing is asked twice."""

from __future__ import annotations

from kg.graph import Graph
from kg.writers import investigation_store


class GraphJudgementCache:
    def __init__(self, driver: Graph) -> None:
        self.driver = driver

    def get_many(self, ids: list[str]) -> dict[str, str]:
        return investigation_store.get_llm_judgements(self.driver, ids) if ids else {}

    def put_many(self, rows: list[dict[str, str]]) -> None:
        investigation_store.put_llm_judgements(self.driver, rows)
