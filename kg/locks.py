"""Graph-wide named locks: work that reads the graph and then writes what it read in several
transactions, run by one process at a time across every process on the same database."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Generator
from contextlib import contextmanager

from neo4j import Session
from neo4j.exceptions import ClientError, DriverError, Neo4jError, TransientError

from kg.cypher import locks as q
from kg.graph import Graph

log = logging.getLogger(__name__)

# The line-level findings are derived from a read of every claim finding, then written in
# transactions of their own; two analyses at once (two API verdicts, or a verdict during an
# `investigate`) could write a stale read over a fresh one and withdraw a finding the other
# had just made (stop 61's review).
LINES = "line-findings"
# How long a lock is waited for before the wait is logged (then without a limit).
NOTE_AFTER_S = 5.0
_TIMED_OUT = ("TransactionTimedOut", "LockClientStopped", "Terminated")


@contextmanager
def exclusive(graph: Graph, name: str, *, note_after_s: float = NOTE_AFTER_S) -> Generator[None]:
    """Hold the lock `name` for the block: another process or thread asking for it waits
    until the block ends. The lock is a node's write lock, taken by a transaction left open
    for the block and rolled back after it; if the process dies, the server ends the
    transaction and the lock with it (a holder whose connection hangs half-open keeps it
    until the server notices: a wait longer than `note_after_s` is logged)."""
    with graph.write() as s:  # (retried by the driver if two creates meet)
        s.execute_write(lambda tx: tx.run(q.ENSURE, name=name).consume())
    with graph.write() as s:
        if not _taken_within(s, name, note_after_s):
            log.warning(
                "Waiting for another process's %r work on the graph (a verdict, or an "
                "`investigate`) to end; it goes on when that ends.",
                name,
            )
        tx = s.begin_transaction()
        try:
            tx.run(q.TAKE, name=name).consume()
        except BaseException:
            tx.close()
            raise
        try:
            yield
        finally:
            # the work is done (or failed with its own error): the lock's end cannot fail it
            with contextlib.suppress(Neo4jError, DriverError, OSError):
                tx.close()


def _taken_within(s: Session, name: str, seconds: float) -> bool:
    """Whether the lock could be taken within `seconds` (then let go at once: the caller
    takes it for its block)."""
    probe = s.begin_transaction(timeout=seconds)
    try:
        probe.run(q.TAKE, name=name).consume()
        return True
    except (ClientError, TransientError) as exc:
        if exc.code and any(part in exc.code for part in _TIMED_OUT):
            return False
        raise
    finally:
        probe.close()  # rolled back (a transaction's `with` would commit)
