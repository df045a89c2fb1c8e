"""Graph statistics."""

from __future__ import annotations

from kg.graph import Graph
from queries.cypher import stats as q
from queries.models import GraphStats, LabelCount, SourceRow


def graph_stats(db: Graph) -> GraphStats:
    """Counts of everything, per-source claim counts, and claim breakdowns."""
    with db.read() as s:
        nodes = [LabelCount(**r.data()) for r in s.run(q.NODE_COUNTS)]
        rels = [LabelCount(**r.data()) for r in s.run(q.REL_COUNTS)]
        sources = [SourceRow(**r.data()) for r in s.run(q.SOURCES)]
        kinds = [LabelCount(**r.data()) for r in s.run(q.CLAIMS_BY_KIND)]
        hedges = [LabelCount(**r.data()) for r in s.run(q.CLAIMS_BY_HEDGE)]
        rec = s.run(q.LOST_CONTENT_CLAIMS).single()
        lost = int(rec["count"]) if rec else 0
    return GraphStats(
        nodes=nodes,
        relationships=rels,
        sources=sources,
        claims_by_kind=kinds,
        claims_by_hedge=hedges,
        lost_content_claims=lost,
    )


def claim_count(db: Graph) -> int:
    """Claims in the graph (from the count store: cheap enough for a health check)."""
    with db.read() as s:
        rec = s.run(q.CLAIM_COUNT).single()
    return int(rec["count"]) if rec else 0
