"""Topics: the questions claims answer, and who says what on each."""

from __future__ import annotations

import json

from pydantic import Field

from consilience.errors import NotFoundError
from kg.graph import Graph
from queries.cypher import topics as q
from queries.models import Page, Row


class TopicRow(Row):
    id: str = Field(description="Topic id")
    label: str = Field(description="Readable label from its key phrases")
    key_phrases: list[str] = Field(description="The phrases the label is made of")
    n_claims: int = Field(description="Claims in the topic")
    n_sources: int = Field(description="Sources with claims in the topic")
    n_contradiction_sides: int = Field(description="Claims in it that a contradiction touches")


class TopicClaim(Row):
    id: str = Field(description="Claim id")
    text: str = Field(description="Exact quote")
    kind: str | None = Field(default=None, description="Claim kind")
    hedge: str | None = Field(default=None, description="Hedge strength")
    confidence: float | None = Field(default=None, description="Current confidence")


class TopicPosition(Row):
    source_id: str = Field(description="Source id")
    source_title: str = Field(description="Source title")
    claims: list[TopicClaim] = Field(description="Its claims on the topic, in text order")


class TopicFinding(Row):
    id: str = Field(description="Finding id")
    kind: str = Field(description="contradicts / converges_with / restates")
    score: float | None = Field(default=None, description="Calibrated score")
    a_text: str = Field(description="Side A quote")
    b_text: str = Field(description="Side B quote")


class TopicDetail(Row):
    id: str = Field(description="Topic id")
    label: str = Field(description="Readable label")
    key_phrases: list[str] = Field(description="Key phrases")
    positions: list[TopicPosition] = Field(description="Who says what, per source")
    findings: list[TopicFinding] = Field(description="Findings between its claims, best first")


def _cursor(cursor: str | None) -> tuple[int | None, str | None]:
    """'[n_sources, "topic_id"]' from the previous page; anything else starts at the top."""
    try:
        n, tid = json.loads(cursor or "")
        if isinstance(n, int) and isinstance(tid, str) and -(2**62) < n < 2**62:
            return n, tid
    except (ValueError, TypeError):
        pass
    return None, None


def list_topics(
    db: Graph, *, min_sources: int = 2, limit: int = 50, cursor: str | None = None
) -> Page[TopicRow]:
    """Topics with claims from at least `min_sources` sources, most sources first."""
    after_n, after_id = _cursor(cursor)
    with db.read() as s:
        rows = [
            TopicRow(**r.data())
            for r in s.run(
                q.LIST_TOPICS,
                min_sources=min_sources,
                after_n=after_n,
                after_id=after_id,
                limit=limit + 1,
            )
        ]
    items = rows[:limit]
    nxt = json.dumps([items[-1].n_sources, items[-1].id]) if len(rows) > limit else None
    return Page[TopicRow](items=items, next_cursor=nxt)


def topic_positions(
    db: Graph, topic_id: str, *, per_source: int = 5, findings: int = 20
) -> TopicDetail:
    """Who says what on one topic: each source's claims, then the findings among them."""
    with db.read() as s:
        rec = s.run(q.TOPIC_POSITIONS, id=topic_id, per_source=per_source).single()
        found = [
            TopicFinding(**r.data()) for r in s.run(q.TOPIC_FINDINGS, id=topic_id, limit=findings)
        ]
    if rec is None:
        raise NotFoundError(f"No topic {topic_id!r}.", "See `consilience topics list`.")
    return TopicDetail(**rec.data(), findings=found)
