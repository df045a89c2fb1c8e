"""Graph-wide named locks: work that reads the graph and then writes what it read in several
transactions, run by one process at a time across every process on the same database."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Generator
from contextlib import contextmanager

from neo4j import Session, Transaction
from neo4j.exceptions import ClientError, DriverError, Neo4jError, TransientError

from kg.cypher import locks as q
from kg.graph import Graph

log = logging.getLogger(__name__)

# The line-level findings are derived from a read of every claim finding, then written in
# transactions of their own; two analyses at once (two API verdicts, or a verdict during an
# `investigate`) could write a stale read over a fresh one and withdraw a finding the other
# had just made (stop 61's review).
LINES = "line-findings"
# The lock is waited for in slices this long (a Ctrl-C is heard between them); after the
# first, the wait is logged.
NOTE_AFTER_S = 5.0
# A wait ended by its transaction's time limit, or the server's on lock waits
_WAIT_ENDED = ("TransactionTimedOut", "LockClientStopped", "LockAcquisitionTimeout", "Terminated")
_CLOSE_ERRORS = (Neo4jError, DriverError, OSError)


@contextmanager
def exclusive(graph: Graph, name: str, *, note_after_s: float = NOTE_AFTER_S) -> Generator[None]:
    """Hold the lock `name` for the block: another process or thread asking for it waits
    until the block ends. The lock is a node's write lock, taken by a transaction without a
    time limit left open for the block and rolled back after it; if the process dies, the
    server ends the transaction and the lock with it (a holder whose connection hangs
    half-open keeps it until the server notices: a wait longer than `note_after_s` is
    logged)."""
    with graph.write() as s:
        tx = _take(s, name, note_after_s)
        try:
            yield
        finally:
            # the work is done (or failed with its own error): the lock's end cannot fail it
            with contextlib.suppress(*_CLOSE_ERRORS):
                tx.close()


def _take(s: Session, name: str, note_after_s: float) -> Transaction:
    """The open transaction holding the lock. Waits in slices of `note_after_s` (a probe
    with that time limit, rolled back), then takes it for good (without a limit: another may
    take it in between, and that wait is not sliced)."""
    said = False
    while True:
        s.execute_write(lambda t: t.run(q.ENSURE, name=name).consume())  # (retried if two
        # creates meet)
        if not _free_within(s, name, note_after_s):
            if not said:
                log.warning(
                    "Waiting for another process's %r work on the graph (a verdict, or an "
                    "`investigate`) to end; it goes on when that ends.",
                    name,
                )
                said = True
            continue
        tx = s.begin_transaction(timeout=0)  # 0: no limit, whatever the server's default
        try:
            taken = tx.run(q.TAKE, name=name).single(strict=True)["taken"]
        except (ClientError, TransientError) as exc:
            with contextlib.suppress(*_CLOSE_ERRORS):
                tx.close()
            if _wait_ended(exc):  # the server limits lock waits: wait again
                continue
            raise
        except BaseException:
            with contextlib.suppress(*_CLOSE_ERRORS):
                tx.close()
            raise
        if taken:
            return tx
        with contextlib.suppress(*_CLOSE_ERRORS):  # the node went meanwhile: make it again
            tx.close()


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
