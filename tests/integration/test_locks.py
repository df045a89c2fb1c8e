"""Graph-wide locks (kg.locks) on the real server: the line-level analysis runs one at a
time across threads and processes (stop 61's review: two at once could write a stale read
over a fresh one and withdraw a line-level finding the other had just made)."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from neo4j import Session, Transaction

import kg.locks
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
    assert sorted(r["name"] for r in rows) == ["other", "other/gate", "test-lock", "test-lock/gate"]
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


def test_no_one_takes_the_lock_between_a_probe_and_its_take(
    clean_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second taker arrives just after the first one's probe found the lock free. Before the
    gate it could take the lock in between, and the first one's take then waited, without a
    limit and unlogged, for the second one's whole block (stop 62's note); now the second
    waits for the gate, and the first goes in first."""
    graph = clean_services.graph()
    events: list[str] = []
    second_in = threading.Event()
    probe = kg.locks._free_within
    arrived: list[threading.Thread] = []

    def second() -> None:
        with exclusive(graph, "race", note_after_s=0.5):
            events.append("second in")
            second_in.set()
            time.sleep(1.0)

    def probe_then_another_arrives(s: Session, name: str, seconds: float) -> bool:
        free = probe(s, name, seconds)
        if free and not arrived:  # the first taker's probe: the second arrives now
            arrived.append(threading.Thread(target=second))
            arrived[0].start()
            second_in.wait(3.0)  # time enough for it to take the lock, were that possible
        return free

    monkeypatch.setattr(kg.locks, "_free_within", probe_then_another_arrives)
    with exclusive(graph, "race"):
        events.append("first in")
    arrived[0].join(30)
    assert not arrived[0].is_alive()
    assert events == ["first in", "second in"]


def test_a_probe_ends_before_the_gate_can_be_let_go(
    clean_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gate's transaction has a time limit (its wait and its hold); a taker that got the
    gate late in that time must not probe past it, or the server ends the gate mid-probe and
    another taker probes beside it (review: both then find the lock free, and the loser's take
    waits without a limit). With a late gate the try is given up, and every probe that runs
    ends, monitor included, before its gate's limit."""
    graph = clean_services.graph()
    note = 0.5
    limit = kg.locks.gate_limit(note)
    holding = kg.locks._hold
    probe = kg.locks._free_within
    gates: list[float] = []  # when each try asked for the gate
    probes: list[tuple[float, float]] = []  # (seconds since its gate was asked for, limit)
    probe_starts: list[float] = []

    def late_gate(s: Session, gate: str, seconds: float) -> tuple[Transaction | None, bool]:
        if not gate.endswith(kg.locks.GATE_SUFFIX):
            return holding(s, gate, seconds)  # the take for good
        assert seconds == limit
        gates.append(time.monotonic())
        held = holding(s, gate, seconds)
        if len(gates) == 1:
            time.sleep(limit - 1.5)  # the first try holds the gate with 1.5 s of it left
        return held

    def timed_probe(s: Session, name: str, seconds: float) -> bool:
        probe_starts.append(time.monotonic())
        probes.append((time.monotonic() - gates[-1], seconds))
        return probe(s, name, seconds)

    monkeypatch.setattr(kg.locks, "_hold", late_gate)
    monkeypatch.setattr(kg.locks, "_free_within", timed_probe)
    with exclusive(graph, "late", note_after_s=note):
        pass
    assert len(gates) >= 2  # the late first try gave up without probing; a later one took it
    assert probes and all(since >= 0 for since, _ in probes)
    assert all(when > gates[1] for when in probe_starts)  # none in the first try
    for since, seconds in probes:
        assert since + seconds + kg.locks.MONITOR_S < limit
