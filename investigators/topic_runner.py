"""Assigns new claims to topics and labels the topics they touched (I/O via kg)."""

from __future__ import annotations

import math

import numpy as np

from investigators.cypher import retrieval as q
from investigators.cypher import topics as tq
from investigators.retrieval.topics import TopicState, assign
from kg.faiss_index import ClaimIndex
from kg.graph import Graph
from kg.ids import sha256_text
from kg.writers import topic_store


def topic_cap(n_claims: int) -> int:
    """A topic may hold at most this many claims (a topic that swallows everything helps
    nobody): 5% of the graph, at least 60."""
    return max(60, n_claims // 20)


def assign_topics(
    driver: Graph, index: ClaimIndex, ids: list[str], *, threshold: float = 0.5
) -> tuple[int, list[str]]:
    """Place the claims without a topic; returns (topics touched, capped-topic warnings)."""
    with driver.read() as s:
        todo = [r["id"] for r in s.run(tq.CLAIMS_WITHOUT_TOPIC, ids=ids)]
        topics = [
            TopicState(
                id=r["id"],
                centroid=np.asarray(r["centroid"], dtype=np.float32),
                size=int(r["size"]),
            )
            for r in s.run(q.TOPIC_CENTROIDS)
        ]
    found, vecs = index.vectors(todo)
    if not found:
        return 0, []
    cap = topic_cap(len(index.ids))
    membership, capped = assign(
        list(zip(found, vecs, strict=True)),
        topics,
        threshold=threshold,
        cap=cap,
        new_id=lambda cid: "topic_" + sha256_text(cid)[:16],
    )
    touched = [t for t in topics if t.new_members]
    topic_store.write_topics(
        driver,
        [{"id": t.id, "centroid": [float(x) for x in t.centroid], "size": t.size} for t in touched],
        [{"claim_id": c, "topic_id": t} for c, t in membership.items()],
    )
    label_topics(driver, [t.id for t in touched], len(index.ids))
    warnings = [
        f"topic {t} reached its cap of {cap} claims; further claims start new topics"
        for t in capped
    ]
    return len(touched), warnings


def refresh_topics(driver: Graph, index: ClaimIndex) -> list[str]:
    """Topics that lost claims since the last run: sizes, centroids (the normalised mean of
    the members left: new claims joined a forgotten document's topic by the old one), source
    counts and labels redone, empty ones gone. Returns the ids of those redone."""
    ids = topic_store.refresh_stale(driver)
    if not ids:
        return []
    with driver.read() as s:
        members = {r["id"]: list(r["claims"]) for r in s.run(tq.TOPIC_MEMBERS, ids=ids)}
    rows: list[dict[str, object]] = []
    for tid, claims in members.items():
        _, vecs = index.vectors(claims)
        if len(vecs):
            c = vecs.mean(axis=0)
            c = c / max(1e-9, float(np.linalg.norm(c)))
            rows.append({"id": tid, "centroid": [float(x) for x in c]})
    topic_store.set_centroids(driver, rows)
    label_topics(driver, ids, len(index.ids))
    topic_store.clear_stale(driver, ids)
    return ids


def label_topics(driver: Graph, topic_ids: list[str], n_claims: int) -> None:
    """Readable labels: the topic's most characteristic key phrases."""
    rows = []
    with driver.read() as s:
        for r in s.run(tq.TOPIC_ASPECTS, ids=topic_ids):
            scored = sorted(
                (
                    (n * math.log(max(2, n_claims) / max(1, deg)) * (1 + 0.5 * k.count(" ")), k)
                    for k, n, deg in r["aspects"]
                    if n >= 1
                ),
                reverse=True,
            )
            top: list[str] = []
            for _, k in scored:
                if not any(k in t or t in k for t in top):
                    top.append(k)
                if len(top) == 3:
                    break
            rows.append(
                {
                    "id": r["id"],
                    "label": " · ".join(top) or "(no key phrases)",
                    "key_phrases": top,
                    "n_sources": r["n_sources"],
                }
            )
    topic_store.set_topic_labels(driver, rows)
