"""Graph-wide locks (kg.locks) on the real server: the line-level analysis runs one at a
time across threads and processes (stop 61's review: two at once could write a stale read
over a fresh one and withdraw a line-level finding the other had just made)."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from app.services import Services
from investigators.runner import analyse_lines
from kg.locks import LINES, exclusive


def test_a_second_holder_waits_for_the_first_and_the_wait_is_logged(
    clean_services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    graph = clean_services.graph()
    events: list[str] = []
    entered = threading.Event()

    def second() -> None:
        entered.wait(10)
        with exclusive(graph, "test-lock", note_after_s=0.5):
            events.append("second in")

    worker = threading.Thread(target=second)
    worker.start()
    with caplog.at_level(logging.WARNING, logger="kg.locks"):
        with exclusive(graph, "test-lock"):
            entered.set()
            time.sleep(4.0)  # the second asks meanwhile, and says it waits (a time limit is
            # enforced by a monitor every 2 s: the wait ends after 0.5 to 2.5 s)
            events.append("first out")
        worker.join(20)
    assert events == ["first out", "second in"]
    assert any("Waiting for another process's 'test-lock'" in r.message for r in caplog.records)
    caplog.clear()
    with exclusive(graph, "other"), exclusive(graph, "test-lock"):  # free again, and names
        pass  # do not block each other
    assert not caplog.records  # taken at once: no wait said
    with graph.read() as s:  # what took the lock was rolled back: nothing is written
        rows = s.run("MATCH (l:Lock) RETURN l.name AS name, l.taken_at AS at").data()
    assert sorted(r["name"] for r in rows) == ["other", "test-lock"]
    assert all(r["at"] is None for r in rows)


def test_the_line_analysis_waits_for_the_lock_and_then_runs(clean_services: Services) -> None:
    graph = clean_services.graph()
    done: list[tuple[dict[str, int], list[str]]] = []
    worker = threading.Thread(target=lambda: done.append(analyse_lines(graph)))
    with exclusive(graph, LINES):
        worker.start()
        worker.join(2.0)
        assert worker.is_alive() and not done  # waiting: the lock is held here
    worker.join(30)
    assert done == [({}, [])]  # nothing to derive in an empty graph: it ran to the end
