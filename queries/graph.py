"""Sources, claims with their evidence trail, and lines of research."""

from __future__ import annotations

import json

from consilience.errors import NotFoundError
from kg.graph import Graph
from queries.confidence import claim_confidence
from queries.cypher import graph as q
from queries.cypher import stats as stats_q
from queries.findings import list_findings
from queries.models import (
    ClaimDetail,
    EvidenceTrail,
    LineDetail,
    LineRow,
    Page,
    SourceDetail,
    SourceRow,
)
from queries.paging import keyset_page, offset_of, offset_page


def list_sources(db: Graph, *, limit: int = 100, cursor: str | None = None) -> Page[SourceRow]:
    """Sources, largest first; the cursor is the offset of the next page."""
    skip = offset_of(cursor)
    with db.read() as s:
        rows = [SourceRow(**r.data()) for r in s.run(stats_q.SOURCES)]
    return offset_page(rows[skip : skip + limit + 1], skip, limit)


def get_source(db: Graph, source_id: str) -> SourceDetail:
    with db.read() as s:
        rec = s.run(q.GET_SOURCE, id=source_id).single()
    if rec is None:
        raise NotFoundError(
            f"No source {source_id!r}.",
            "`consilience sources list` (or GET /sources) lists their ids.",
        )
    return SourceDetail(**rec.data())


def get_claim(db: Graph, claim_id: str) -> ClaimDetail:
    with db.read() as s:
        rec = s.run(q.GET_CLAIM, id=claim_id).single()
    if rec is None:
        raise NotFoundError(f"No claim {claim_id!r}.", "Search claims to find their ids.")
    d = rec.data()
    d["numbers"] = json.loads(d.pop("numbers_json") or "[]")
    return ClaimDetail(**d)


def evidence_trail(db: Graph, claim_id: str, *, limit: int = 50) -> EvidenceTrail:
    """The claim, its confidence with derivation and history, and the findings about it."""
    with db.pinned() as one:  # three queries, one session
        claim = get_claim(one, claim_id)
        conf = claim_confidence(one, claim_id)
        findings = list_findings(one, claim_ids=[claim_id], limit=limit).items
    return EvidenceTrail(
        claim=claim, confidence=conf if conf.p is not None else None, findings=findings
    )


def get_line(db: Graph, line_id: str) -> LineDetail:
    """One line of research: each source with why it belongs (what it shares with another
    member of the line)."""
    with db.read() as s:
        rec = s.run(q.GET_LINE, id=line_id).single()
    if rec is None:
        raise NotFoundError(f"No line {line_id!r}.", "See `consilience lines list` for ids.")
    return LineDetail(**rec.data())


def list_lines(
    db: Graph, *, min_sources: int = 1, limit: int = 100, cursor: str | None = None
) -> Page[LineRow]:
    """Lines of research (groups of dependent sources) with at least `min_sources` sources,
    keyset-paginated by id."""
    with db.read() as s:
        rows = [
            LineRow(**r.data())
            for r in s.run(q.LIST_LINES, after=cursor, min_sources=min_sources, limit=limit + 1)
        ]
    return keyset_page(rows, limit, key=lambda r: r.id)
