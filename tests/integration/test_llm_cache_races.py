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
    with graph.write() as session:
        tx = session.begin_transaction()  # another job keeps Claude's answer; not committed yet
        tx.run(PUT_LLM_JUDGEMENTS, rows=[row("k", ANSWER)]).consume()
        worker = threading.Thread(
            target=lambda: counted.update(count_misses(cache, ["k"], "n", "m", "v"))
        )
        worker.start()
        assert cache.read.wait(20)  # the count read the old entry (a count of 1)...
        time.sleep(1.0)  # ...and waits for the entry, which the answer's transaction holds
        assert worker.is_alive()
        tx.commit()
        worker.join(20)
    assert not worker.is_alive()
    assert counted == {}  # answered: out of the count
    assert cache.get_many(["k"]) == {"k": ANSWER}
