from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam

from api.deps import Read, Svc, page_limit
from api.errors import ERROR_RESPONSES
from api.rendering import json_route
from queries.graph import get_line, list_lines
from queries.models import LineDetail, LineRow, Page

router = APIRouter(prefix="/lines", tags=["graph"], dependencies=Read, responses=ERROR_RESPONSES)


@router.get("", response_model=Page[LineRow])
@json_route
def lines(
    request: Request,
    svc: Svc,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    min_sources: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Page[LineRow]:
    """Lines of research: sources grouped because they share authors, organisations,
    summary links, speakers or cited work (evidence within one line counts once)."""
    return list_lines(
        svc.graph(), min_sources=min_sources, limit=page_limit(request, limit), cursor=cursor
    )


@router.get("/{line_id}", response_model=LineDetail)
@json_route
def line(line_id: Annotated[str, PathParam(max_length=100)], svc: Svc) -> LineDetail:
    """One line of research: each source, and why it belongs (what it shares with another
    member)."""
    return get_line(svc.graph(), line_id)
