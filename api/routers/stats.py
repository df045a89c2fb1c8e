from __future__ import annotations

from fastapi import APIRouter

from api.deps import Read, Svc
from api.errors import ERROR_RESPONSES
from api.rendering import json_route
from queries.models import GraphStats
from queries.stats import graph_stats

router = APIRouter(tags=["graph"], dependencies=Read, responses=ERROR_RESPONSES)


@router.get("/stats", response_model=GraphStats)
@json_route
def stats(svc: Svc) -> GraphStats:
    """Counts of nodes and relationships, sources, claims by kind and hedge."""
    return graph_stats(svc.graph())
