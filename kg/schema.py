"""Idempotent, versioned schema set-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from neo4j import ManagedTransaction

from kg.cypher.schema import (
    ABSOLUTE_SOURCE_PATHS,
    APPLIED_MIGRATIONS,
    AWAIT_INDEXES,
    CLAIMS_WITHOUT_TEXT_SHA,
    DROP_ORPHAN_SNAPSHOTS,
    DROP_ORPHAN_TAGS,
    RECORD_MIGRATION,
    SCHEMA_STATEMENTS,
    SCHEMA_VERSION,
    SET_TEXT_SHA,
)
from kg.graph import Graph, Rows
from kg.ids import quote_sha


@dataclass(frozen=True)
class Migration:
    """A named data change, applied once and recorded in the graph."""

    name: str
    version: int
    apply: Callable[[ManagedTransaction], None]


def _noop(tx: ManagedTransaction) -> None:
    del tx


def _drop_orphan_snapshots(tx: ManagedTransaction) -> None:
    tx.run(DROP_ORPHAN_SNAPSHOTS).consume()


def _drop_orphan_tags(tx: ManagedTransaction) -> None:
    tx.run(DROP_ORPHAN_TAGS).consume()


def _absolute_source_paths(tx: ManagedTransaction) -> None:
    tx.run(ABSOLUTE_SOURCE_PATHS).consume()


def _hash_quotes(tx: ManagedTransaction) -> None:
    """Give claims written before quotes were hashed their `text_sha`, so verdicts on their
    findings can come back after a revision of the document on either side."""
    rows = [{"id": r["id"], "sha": quote_sha(r["text"])} for r in tx.run(CLAIMS_WITHOUT_TEXT_SHA)]
    for i in range(0, len(rows), 5000):
        tx.run(SET_TEXT_SHA, rows=Rows(rows[i : i + 5000])).consume()


MIGRATIONS: tuple[Migration, ...] = (
    Migration("0001_initial_schema", SCHEMA_VERSION, _noop),
    Migration("0002_drop_orphan_confidence_snapshots", SCHEMA_VERSION, _drop_orphan_snapshots),
    Migration("0003_hash_claim_quotes", SCHEMA_VERSION, _hash_quotes),
    Migration("0004_drop_orphan_tags", SCHEMA_VERSION, _drop_orphan_tags),
    Migration("0005_absolute_source_paths", SCHEMA_VERSION, _absolute_source_paths),
)


def ensure_schema(driver: Graph, timeout_s: int = 300) -> list[str]:
    """Create constraints and indexes (each IF NOT EXISTS), wait for them, apply migrations.

    Returns the names of the migrations applied by this call (empty when up to date).
    """
    with driver.write() as session:
        for statement in SCHEMA_STATEMENTS:
            session.run(statement).consume()
        session.run(AWAIT_INDEXES, timeout_s=timeout_s).consume()
        done = {r["name"] for r in session.run(APPLIED_MIGRATIONS)}
        applied: list[str] = []
        for mig in MIGRATIONS:
            if mig.name in done:
                continue

            def _apply(tx: ManagedTransaction, mig: Migration = mig) -> None:
                mig.apply(tx)
                tx.run(RECORD_MIGRATION, name=mig.name, version=mig.version).consume()

            session.execute_write(_apply)
            applied.append(mig.name)
        return applied
