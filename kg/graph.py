"""The one handle on the graph: every session in the project opens here.

It carries the database name (so `neo4j.database` reaches every query, not only the schema)
and the read/write routing, and it translates "the database went away" once: callers see
`DatabaseUnavailableError`, never a driver exception.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from typing import Any, cast

from neo4j import READ_ACCESS, WRITE_ACCESS, Driver, Record, Session
from neo4j.exceptions import (
    ClientError,
    DatabaseUnavailable,
    IncompleteCommit,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from consilience.errors import (
    ConfigurationError,
    DatabaseOutOfMemoryError,
    DatabaseUnavailableError,
)

UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    ServiceUnavailable,
    SessionExpired,
    DatabaseUnavailable,  # a graceful stop: "Neo.TransientError.General.DatabaseUnavailable"
    IncompleteCommit,  # the connection dropped during a commit
    TransientError,  # still failing after the driver's own retries
)
"""Driver errors that mean the database is not there (now): translated by `Graph`."""


class Rows(list[Any]):
    """A list sent as one query parameter (a batch of rows), with a short repr. The driver
    formats every RUN message for its debug log whether debug logging is on or not (neo4j 6.4:
    `" ".join(map(repr, fields))` in `Bolt5x5.run`), and a batch's repr cost more than packing
    it: 5.7 ms against 3.2 ms for 2,000 confidence records, 0.8 s of CPU in a 100k-claim
    recompute, more for claims carrying embeddings. Packed exactly as a list; a debug log
    shows the row count instead of the rows."""

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def values(record: Record) -> dict[str, Any]:
    """A record's values by key, shallow. For statements that return plain values and maps
    (projections, not nodes): `Record.data()` deep-copies every value, which cost more than
    the rest of the driver's work on a page of findings."""
    return dict(zip(record.keys(), cast("tuple[Any, ...]", record), strict=True))


class Graph:
    """A driver bound to one database, with read and write sessions.

    `with graph.read() as s:` routes to readers (a cluster's followers); `with graph.write()
    as s:` to the leader. Both translate outages into `DatabaseUnavailableError` (retryable,
    with a hint), raised from the driver's error so the cause stays in the traceback.
    """

    def __init__(self, driver: Driver, database: str | None = None) -> None:
        self._driver = driver
        self._database = database

    @property
    def database(self) -> str | None:
        """The configured database name (None: the server's default database)."""
        return self._database

    @contextmanager
    def read(self) -> Generator[Session]:
        """A session routed to readers; use it for queries that change nothing."""
        with self._session(READ_ACCESS) as s:
            yield s

    @contextmanager
    def pinned(self) -> Generator[Graph]:
        """This graph with every `read()` inside answered by one read session, opened here:
        several queries answering one request pay one connection checkout (the driver probes
        the socket at each checkout, send and release) instead of one each. Writes still open
        their own sessions."""
        with self.read() as s:
            yield _PinnedRead(self._driver, self._database, s)

    @contextmanager
    def write(self) -> Generator[Session]:
        """A session routed to the writer."""
        with self._session(WRITE_ACCESS) as s:
            yield s

    @contextmanager
    def _session(self, mode: str) -> Generator[Session]:
        try:
            # neo4j types the session options as **config: Unknown
            session = self._driver.session(  # pyright: ignore[reportUnknownMemberType]
                database=self._database, default_access_mode=mode
            )
            with session as s:
                yield s
        except ClientError as exc:
            if exc.code and "OutOfMemory" in exc.code:  # the per-transaction limit
                raise self._out_of_memory() from exc
            if exc.code != "Neo.ClientError.Database.DatabaseNotFound":
                raise
            raise ConfigurationError(
                f"Neo4j has no database {self._database!r}.",
                "Set NEO4J_DATABASE (or CONSILIENCE_NEO4J__DATABASE) to a database that exists "
                "(SHOW DATABASES), or unset it to use the server's default.",
            ) from exc
        except TransientError as exc:
            if exc.code and "OutOfMemory" in exc.code:  # the pool all transactions share
                raise self._out_of_memory() from exc
            raise self._unavailable(exc) from exc
        except UNAVAILABLE_ERRORS as exc:
            raise self._unavailable(exc) from exc

    @staticmethod
    def _out_of_memory() -> DatabaseOutOfMemoryError:
        return DatabaseOutOfMemoryError(
            "Neo4j refused the transaction: it needs more memory than the server allows "
            "for transactions.",
            "Nothing was written by it. Raise the managed server's heap "
            "(CONSILIENCE_NEO4J__HEAP, default 1g, then `consilience db stop` and rerun) or, "
            "on your own server, db.memory.transaction.max (one transaction) and "
            "dbms.memory.transaction.total.max (all of them).",
        )

    @staticmethod
    def _unavailable(exc: Exception) -> DatabaseUnavailableError:
        return DatabaseUnavailableError(
            f"The graph database became unavailable: {type(exc).__name__}.",
            "Start it with `consilience db start` (or check NEO4J_URI), then rerun the "
            "same command: finished work is kept.",
        )

    def close(self) -> None:
        self._driver.close()


class _PinnedRead(Graph):
    """`Graph.pinned`: reads go to the one session it holds open (closed by `pinned`)."""

    def __init__(self, driver: Driver, database: str | None, session: Session) -> None:
        super().__init__(driver, database)
        self._pinned = session

    @contextmanager
    def read(self) -> Generator[Session]:
        yield self._pinned

    def close(self) -> None:
        """Nothing: the driver belongs to the graph this view was pinned from."""
