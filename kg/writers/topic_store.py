"""Write paths for topics (claim clusters) and aspects (key phrases)."""

from __future__ import annotations

from neo4j import ManagedTransaction

from kg.cypher import topics as q
from kg.graph import Graph, Rows


def write_topics(
    driver: Graph, topics: list[dict[str, object]], members: list[dict[str, str]]
) -> None:
    """Upsert topics (id, centroid, size) and move the claims into them, in one transaction."""

    def tx_fn(tx: ManagedTransaction) -> None:
        tx.run(q.UPSERT_TOPICS, rows=Rows(topics)).consume()
        for i in range(0, len(members), 2000):
            tx.run(q.LINK_TOPIC_MEMBERS, rows=Rows(members[i : i + 2000])).consume()
        tx.run(q.DELETE_EMPTY_TOPICS).consume()

    with driver.write() as s:
        s.execute_write(tx_fn)


def refresh_stale(driver: Graph) -> list[str]:
    """Sizes of the topics that lost claims, brought up to date, and empty ones deleted; the
    ids of those that remain (still marked: `clear_stale` once they are redone)."""

    def tx_fn(tx: ManagedTransaction) -> list[str]:
        ids = [str(r["id"]) for r in tx.run(q.REFRESH_STALE_TOPICS) if r["size"]]
        tx.run(q.DELETE_EMPTY_TOPICS).consume()
        return ids

    with driver.write() as s:
        return s.execute_write(tx_fn)


def set_centroids(driver: Graph, rows: list[dict[str, object]]) -> None:
    """New centroids (id, centroid) for topics whose members changed."""
    with driver.write() as s:
        s.execute_write(lambda tx: tx.run(q.SET_TOPIC_CENTROIDS, rows=Rows(rows)).consume())


def clear_stale(driver: Graph, ids: list[str]) -> None:
    with driver.write() as s:
        s.execute_write(lambda tx: tx.run(q.CLEAR_STALE_TOPICS, ids=ids).consume())


def set_topic_labels(driver: Graph, rows: list[dict[str, object]]) -> None:
    with driver.write() as s:
        s.execute_write(lambda tx: tx.run(q.SET_TOPIC_LABELS, rows=Rows(rows)).consume())


def set_aspects(driver: Graph, rows: list[dict[str, object]]) -> None:
    """Aspects for claims written before aspects existed (backfill)."""
    with driver.write() as s:
        for i in range(0, len(rows), 2000):
            chunk = rows[i : i + 2000]
            s.execute_write(_set_aspects_tx, chunk)


def _set_aspects_tx(tx: ManagedTransaction, chunk: list[dict[str, object]]) -> None:
    tx.run(q.SET_ASPECTS, rows=Rows(chunk)).consume()
