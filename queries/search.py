"""Claim search: vector (semantic) and full-text (Lucene), merged."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

import numpy as np

from kg.graph import Graph
from queries.cypher import search as q
from queries.models import ClaimHit

_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')


def escape_lucene(text: str) -> str:
    """Escape user text so Lucene treats it as plain words."""
    words = _LUCENE_SPECIAL.sub(r"\\\1", text).split()
    return " ".join(w for w in words if w.upper() not in ("AND", "OR", "NOT", "TO"))


def search_claims(
    db: Graph,
    text: str,
    embed: Callable[[list[str]], np.ndarray],
    *,
    limit: int = 10,
    mode: Literal["vector", "fulltext", "both"] = "both",
    kind: str | None = None,
    source_id: str | None = None,
) -> list[ClaimHit]:
    """Claims matching `text`, best first; a claim found both ways is marked 'both'.
    `kind` and `source_id` filter the hits (more candidates are fetched to fill the page)."""
    want = limit
    if kind or source_id:
        limit = min(1000, limit * 10)
    hits: dict[str, ClaimHit] = {}
    with db.read() as s:
        if mode in ("vector", "both"):
            vec = [float(x) for x in embed([text])[0]]
            for r in s.run(q.VECTOR_SEARCH_CLAIMS, k=limit, vector=vec):
                hits[r["claim_id"]] = ClaimHit(**r.data(), match="vector")
        if mode in ("fulltext", "both"):
            query = escape_lucene(text)
            if query:
                for r in s.run(q.FULLTEXT_SEARCH_CLAIMS, k=limit, terms=query):
                    if r["claim_id"] in hits:
                        hits[r["claim_id"]].match = "both"
                    else:
                        data = r.data()
                        data["score"] = min(1.0, float(data["score"]) / 10.0)
                        hits[r["claim_id"]] = ClaimHit(**data, match="fulltext")
    order = {"both": 0, "vector": 1, "fulltext": 2}
    kept = [
        h
        for h in hits.values()
        if (kind is None or h.kind == kind) and (source_id is None or h.source_id == source_id)
    ]
    return sorted(kept, key=lambda h: (order[h.match], -h.score))[:want]


def topic_claim_ids(
    db: Graph, topic: str, embed: Callable[[list[str]], np.ndarray], *, limit: int = 50
) -> list[str]:
    """The claims a topic names (vector + full-text search): how findings are filtered by
    topic in the CLI and the API."""
    if not topic.strip():
        return []
    return [h.claim_id for h in search_claims(db, topic, embed, limit=limit)]
