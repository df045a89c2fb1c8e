"""Counts of unanswered questions in the graph's answer cache never replace an answer
(stop 62's review: the count was read, then written, and an answer another job kept in
between was replaced by a count, so that question was asked and paid for again)."""

from __future__ import annotations

import json
import threading
import time

from app.services import Services
from investigators.llm_cache import GraphJudgementCache, count_misses
from kg.cypher.investigation import PUT_LLM_JUDGEMENTS
from kg.graph import Graph

ANSWER = json.dumps({"contradicting": ["a query"], "supporting": []})


def row(key: str, response: str) -> dict[str, str]:
    return {"id": key, "response": response, "model": "m", "prompt_version": "v"}


class ReadSignal(GraphJudgementCache):
    """The graph's cache, saying when the count has read the entries."""

    read = threading.Event()

    def get_many(self, ids: list[str]) -> dict[str, str]:
        out = super().get_many(ids)
        self.read.set()
        return out


def test_counts_go_up_and_an_answer_stays_out(clean_services: Services) -> None:
    cache = GraphJudgementCache(clean_services.graph())
    cache.put_many([row("answered", ANSWER), row("twice", json.dumps({"n": 2}))])
    counts = count_misses(cache, ["answered", "twice", "new"], "n", "m", "v")
    assert counts == {"twice": 3, "new": 1}
    assert cache.get_many(["answered", "twice", "new"]) == {
        "answered": ANSWER,
        "twice": json.dumps({"n": 3}),
        "new": json.dumps({"n": 1}),
    }


def test_an_answer_kept_after_the_count_read_the_entry_is_not_replaced(
    clean_services: Services,
) -> None:
    graph = clean_services.graph()
    cache = ReadSignal(graph)
    cache.put_many([row("k", json.dumps({"n": 1}))])
    counted: dict[str, int] = {}
    failed: list[Exception] = []

    def count() -> None:
        try:
            counted.update(count_misses(cache, ["k"], "n", "m", "v"))
        except Exception as exc:  # noqa: BLE001 (any error fails the test, not the thread alone)
            failed.append(exc)

    with graph.write() as session:
        tx = session.begin_transaction()  # another job keeps Claude's answer; not committed yet
        tx.run(PUT_LLM_JUDGEMENTS, rows=[row("k", ANSWER)]).consume()
        worker = threading.Thread(target=count)
        worker.start()
        assert cache.read.wait(20)  # the count read the old entry (a count of 1)...
        assert blocked(graph), "the count never waited for the entry the answer holds"
        tx.commit()  # ...and waits for the entry until the answer is committed
        worker.join(20)
    assert not worker.is_alive() and not failed
    assert counted == {}  # answered: out of the count
    assert cache.get_many(["k"]) == {"k": ANSWER}


def blocked(graph: Graph, within_s: float = 20.0) -> bool:
    """Whether a transaction is seen waiting for a lock within `within_s`."""
    end = time.monotonic() + within_s
    while time.monotonic() < end:
        with graph.read() as s:
            states = [r["status"] for r in s.run("SHOW TRANSACTIONS YIELD status")]
        if any(str(x).startswith("Blocked") for x in states):
            return True
        time.sleep(0.1)
    return False
