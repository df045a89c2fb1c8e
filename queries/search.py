"""Claim search: vector (semantic) and full-text (Lucene), merged."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

import numpy as np

from consilience.errors import InvalidInputError
from kg.aspects import CJK
from kg.graph import Graph
from queries.cypher import search as q
from queries.models import ClaimHit

_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')
# Lucene refuses a query of more than 1,024 clauses, and its analyzer makes one term of each
# CJK character and splits words at hyphens, slashes and the like: a 1,100-word query, or 900
# kanji, ended in a server error. Longer queries keep their first terms up to this many.
MAX_TERMS = 512
# at least as many terms as Lucene's standard analyzer makes of a word: each CJK character,
# and each run of other letters and digits
# and each other character outside ASCII that is no letter, digit or space (red-teamed: 1,100
# emoji, one term each to Lucene, were counted as one word and failed the search)
_TERM = re.compile(f"{CJK}|[^\\w\\s\\x00-\\x7f]|(?:(?!{CJK})[^\\W_])+")
# Hits fetched from each search before the page is cut: a page is the first `limit` of one
# ordering, whatever the limit (red-teamed: `--limit 3` gave other top three than `--limit 10`).
POOL = 50
# In mode "both", a claim whose words match too is lifted by this much on the meaning scale
# ((1 + cosine) / 2): a claim found only by its words is outside the meaning search's pool, so
# without a lift it could never reach a page (review), and with a small one a far better
# meaning still comes first (a claim sharing only "a" with the query does not).
WORDS_BONUS = 0.05
# A claim a topic's meaning reaches, not only its nearest: the vector index's cosine score is
# (1 + cos) / 2, and 0.675 is cosine 0.35. Measured on the demo abstracts and the corpus:
# "zebra cooking recipes" and "best pizza dough" come no nearer than cosine 0.27 to any claim;
# "membership inference" reaches 24 claims at 0.35, "steering vectors reliability" 27.
TOPIC_MIN_SCORE = 0.675


def escape_lucene(text: str) -> str:
    """Escape user text so Lucene treats it as plain words."""
    words = _LUCENE_SPECIAL.sub(r"\\\1", text).split()
    kept: list[str] = []
    terms = 0
    for w in words:
        if w.upper() in ("AND", "OR", "NOT", "TO"):
            continue
        found = list(_TERM.finditer(w))
        if terms + len(found) > MAX_TERMS:  # this word's terms up to the limit, then stop
            left = MAX_TERMS - terms
            if left > 0:
                kept.append(w[: found[left - 1].end()])
            break
        terms += max(1, len(found))
        kept.append(w)
    return " ".join(kept)


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
    """Claims matching `text`, best first, by one score: similarity of meaning ("vector");
    in "both", similarity of meaning lifted by WORDS_BONUS where the claim's words match too (a
    claim found both ways is marked 'both', one found only by its words is scored by its
    meaning); or the words' relevance ("fulltext"). Each search but an unfiltered words-only
    one (whose index top is exact) fetches a pool deeper than the page, so a page is the top
    of one ordering whatever its size; `kind` and
    `source_id` filter the hits (more candidates are fetched to fill the page). An empty
    query is refused (it returned arbitrary claims)."""
    if not text.strip():
        raise InvalidInputError("The search has no words.", "Give the words or idea to find.")
    want = limit
    # the full-text index's top `limit` is exact, so an unfiltered words-only search fetches
    # no pool (a pool of 50 rows made `mode=fulltext` 9x the cost of its statement in
    # bench/api); a filtered one still does (its page is cut after the filter: review)
    if mode != "fulltext" or kind or source_id:
        limit = max(limit, POOL)
    if kind or source_id:
        limit = min(1000, limit * 10)
    hits: dict[str, ClaimHit] = {}
    with db.read() as s:
        vec = [float(x) for x in embed([text])[0]] if mode != "fulltext" else None
        if vec is not None:
            for r in s.run(q.VECTOR_SEARCH_CLAIMS, k=limit, vector=vec):
                hits[r["claim_id"]] = ClaimHit(**r.data(), match="vector")
        query = escape_lucene(text) if mode != "vector" else ""
        if query and vec is not None:
            for r in s.run(q.FULLTEXT_SEARCH_CLAIMS_BY_MEANING, k=limit, terms=query, vector=vec):
                hit = hits.get(r["claim_id"]) or ClaimHit(**r.data(), match="fulltext")
                hit.match = "both" if r["claim_id"] in hits else "fulltext"
                hit.score = min(1.0, hit.score + WORDS_BONUS)
                hits[r["claim_id"]] = hit
        elif query:
            for r in s.run(q.FULLTEXT_SEARCH_CLAIMS, k=limit, terms=query):
                data = r.data()
                data["score"] = min(1.0, float(data["score"]) / 10.0)
                hits[r["claim_id"]] = ClaimHit(**data, match="fulltext")
    kept = [
        h
        for h in hits.values()
        if (kind is None or h.kind == kind) and (source_id is None or h.source_id == source_id)
    ]
    if mode == "fulltext":  # the index's order: its ties broken as in any shorter page
        return kept[:want]
    return sorted(kept, key=lambda h: (-h.score, h.claim_id))[:want]


def topic_claim_ids(
    db: Graph, topic: str, embed: Callable[[list[str]], np.ndarray], *, limit: int = 50
) -> list[str]:
    """The claims a topic's meaning reaches (vector search, cosine at least 0.35): how
    findings are filtered by topic in the CLI and the API. Not by words: the full-text index
    keeps stop words, so "recipes for the kitchen" matched any claim with "the" or "for"."""
    if not topic.strip():
        return []
    hits = search_claims(db, topic, embed, limit=limit, mode="vector")
    return [h.claim_id for h in hits if h.score >= TOPIC_MIN_SCORE]
