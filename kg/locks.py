"""Graph-wide named locks: work that reads the graph and then writes what it read in several
transactions, run by one process at a time across every process on the same database."""

from __future__ import annotations

import os
import socket
from collections.abc import Generator
from contextlib import contextmanager

from kg.cypher import locks as q
from kg.graph import Graph

# The line-level findings are derived from a read of every claim finding, then written in
# transactions of their own; two analyses at once (two API verdicts, or a verdict during an
# `investigate`) could write a stale read over a fresh one and withdraw a finding the other
# had just made (stop 61's review).
LINES = "line-findings"


@contextmanager
def exclusive(graph: Graph, name: str) -> Generator[None]:
    """Hold the lock `name` for the block: another process or thread asking for it waits
    until the block ends. The lock is a node's write lock, taken by a transaction left open
    for the block; if the process dies, the server ends the transaction and the lock with it."""
    with graph.write() as s, s.begin_transaction() as tx:
        tx.run(q.TAKE, name=name, holder=f"{socket.gethostname()}:{os.getpid()}").consume()
        yield
        tx.commit()
