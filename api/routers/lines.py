from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.deps import Read, Svc, page_limit
from api.errors import ERROR_RESPONSES
from queries.graph import list_lines
from queries.models import LineRow, Page

router = APIRouter(prefix="/lines", tags=["graph"], dependencies=Read, responses=ERROR_RESPONSES)


@router.get("", response_model=Page[LineRow])
def lines(
    request: Request,
    svc: Svc,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[LineRow]:
    """Lines of research: sources grouped because they share authors, organisations,
    summary links, speakers or cited work (evidence within one line counts once)."""
    return list_lines(svc.graph(), limit=page_limit(request, limit), cursor=cursor)
