"""Graph-wide named locks: work that reads the graph and then writes what it read in several
transactions, run by one process at a time across every process on the same database."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Generator
from contextlib import contextmanager

from neo4j import ManagedTransaction, Session, Transaction
from neo4j.exceptions import ClientError, DriverError, Neo4jError, TransientError

from kg.cypher import locks as q
from kg.graph import Graph

log = logging.getLogger(__name__)

# The line-level findings are derived from a read of every claim finding, then written in
# transactions of their own; two analyses at once (two API verdicts, or a verdict during an
# `investigate`) could write a stale read over a fresh one and withdraw a finding the other
# had just made (stop 61's review).
LINES = "line-findings"
# The lock is waited for in slices (a Ctrl-C is heard between them: the longest, a wait for
# the gate, lasts at most its limit plus the server's monitor's 2 s, ~12 s by default); a wait
# still going after this long is logged when its try ends.
NOTE_AFTER_S = 5.0
# A wait ended by its transaction's time limit, or the server's on lock waits
_WAIT_ENDED = ("TransactionTimedOut", "LockClientStopped", "LockAcquisitionTimeout", "Terminated")
_CLOSE_ERRORS = (Neo4jError, DriverError, OSError)


# Taking a lock passes through its gate, a second lock node held only while the lock is
# probed and taken (milliseconds, or a probe's slice): every taker holds the gate, so no one
# can take the lock between another's probe and its take. The gate's transaction is limited
# (`gate_limit`: for the wait and the hold, so a holder that hangs frees it), and a probe is
# cut to end before that limit can (`probe_seconds`): the server ends a transaction between
# its limit, counted from its BEGIN, and MONITOR_S after, never before, so the gate is never
# let go mid-probe.
GATE_SUFFIX = "/gate"
GATE_WAIT_S = 2.0  # how long a try may wait for the gate and still probe
MONITOR_S = 2.0
SAFETY_S = 0.5
RETRY_PAUSE_S = 0.05  # after a try that got the gate too late to probe


def gate_limit(note_after_s: float) -> float:
    """The gate transaction's time limit: a wait of GATE_WAIT_S, a whole probe, and margins."""
    return note_after_s + GATE_WAIT_S + MONITOR_S + 2 * SAFETY_S


def probe_seconds(waited: float, note_after_s: float) -> float | None:
    """The probe's time limit for a try that got the gate `waited` seconds after asking for it
    (at most `note_after_s`), such that the probe ends, monitor and margin included, before
    the gate's limit; None where too little is left to probe at all."""
    left = gate_limit(note_after_s) - waited - MONITOR_S - SAFETY_S
    return min(note_after_s, left) if left > SAFETY_S else None


@contextmanager
def exclusive(graph: Graph, name: str, *, note_after_s: float = NOTE_AFTER_S) -> Generator[None]:
    """Hold the lock `name` for the block: another process or thread asking for it waits
    until the block ends. The lock is a node's write lock, taken by a transaction without a
    time limit left open for the block and rolled back after it; if the process dies, the
    server ends the transaction and the lock with it (a holder whose connection hangs
    half-open keeps it until the server notices: a wait longer than `note_after_s` is
    logged when the try that passes `note_after_s` ends). Every wait is in slices, so a
    Ctrl-C is heard within one: at most `gate_limit(note_after_s)` + MONITOR_S (about 12 s
    by default)."""
    if not note_after_s > 0:  # 0 would be a probe without a time limit
        raise ValueError(f"note_after_s must be more than 0, not {note_after_s}")
    with graph.write() as s:
        with graph.write() as gate_session:  # given back once the lock is taken
            tx = _take(s, gate_session, name, note_after_s)
        try:
            yield
        finally:
            # the work is done (or failed with its own error): the lock's end cannot fail it
            with contextlib.suppress(*_CLOSE_ERRORS):
                tx.close()


def _take(s: Session, gate_session: Session, name: str, note_after_s: float) -> Transaction:
    """The open transaction holding the lock. Each try holds the lock's gate (a transaction
    limited to `gate_limit`), probes the lock (for `probe_seconds`, at most `note_after_s`;
    rolled back), and, where the probe took it, takes it for good (without a limit) before
    letting the gate go: every taker holds the gate, so that take finds the lock as the probe
    did, free, and never waits. (Until stop 64 there was no gate, and another waiter could
    take the lock between a probe and its take: that wait had no limit and was not logged.)"""
    gate = name + GATE_SUFFIX
    limit = gate_limit(note_after_s)
    began = time.monotonic()
    said = False
    ensure = True
    while True:
        if ensure:
            _ensure(s, name, gate)
            ensure = False
        asked = time.monotonic()  # before BEGIN: the server's deadline is no earlier
        held, waited = _hold(gate_session, gate, limit)
        if held is None and not waited:
            ensure = True  # the gate's node went meanwhile: make it again
            continue
        try:
            seconds = (
                None if held is None else probe_seconds(time.monotonic() - asked, note_after_s)
            )
            if seconds is not None and _free_within(s, name, seconds):
                # the gate is held until its deadline (never ended before it): take the lock
                # well before that, or try again
                if time.monotonic() - asked < limit - MONITOR_S:
                    tx, _ = _hold(s, name, 0)  # for good: no time limit
                    if tx is not None:
                        return tx
                    ensure = True  # the node went meanwhile, or the server ended the wait
                continue
            if held is not None and seconds is None:
                time.sleep(RETRY_PAUSE_S)  # the gate came too late to probe: a short pause
        finally:
            if held is not None:
                with contextlib.suppress(*_CLOSE_ERRORS):
                    held.close()  # rolled back
        if not said and time.monotonic() - began >= note_after_s:
            log.warning(
                "Waiting for another process's %r work on the graph (a verdict, or an "
                "`investigate`) to end; it goes on when that ends.",
                name,
            )
            said = True


def _ensure(s: Session, *names: str) -> None:
    """The lock nodes, made where missing, each committed on its own (retried if two creates
    meet)."""

    def make(t: ManagedTransaction, name: str) -> None:
        t.run(q.ENSURE, name=name).consume()

    for name in names:
        s.execute_write(make, name)


def _hold(s: Session, name: str, seconds: float) -> tuple[Transaction | None, bool]:
    """An open transaction holding the lock node `name` (limited to `seconds`, for the wait
    and the hold; 0: no limit, whatever the server's default), and whether the wait for it
    ended first (another held it that long, or the server limits lock waits: no
    transaction); no transaction and no wait where the node is gone."""
    tx = s.begin_transaction(timeout=seconds)
    try:
        taken = tx.run(q.TAKE, name=name).single(strict=True)["taken"]
    except (ClientError, TransientError) as exc:
        with contextlib.suppress(*_CLOSE_ERRORS):
            tx.close()
        if _wait_ended(exc):
            return None, True
        raise
    except BaseException:
        with contextlib.suppress(*_CLOSE_ERRORS):
            tx.close()
        raise
    if taken:
        return tx, False
    with contextlib.suppress(*_CLOSE_ERRORS):
        tx.close()
    return None, False


def _free_within(s: Session, name: str, seconds: float) -> bool:
    """Whether the lock could be taken within `seconds` (then let go at once: the caller
    takes it for its block)."""
    probe = s.begin_transaction(timeout=seconds)
    try:
        probe.run(q.TAKE, name=name).consume()
        return True
    except (ClientError, TransientError) as exc:
        if _wait_ended(exc):
            return False
        raise
    finally:
        with contextlib.suppress(*_CLOSE_ERRORS):
            probe.close()  # rolled back (a transaction's `with` would commit)


def _wait_ended(exc: Neo4jError) -> bool:
    return bool(exc.code) and any(part in str(exc.code) for part in _WAIT_ENDED)
