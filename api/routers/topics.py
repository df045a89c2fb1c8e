from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from api.deps import Read, Svc, page_limit
from api.errors import ERROR_RESPONSES
from api.rendering import json_route
from queries.models import Page
from queries.topics import TopicDetail, TopicRow, list_topics, topic_positions

router = APIRouter(prefix="/topics", tags=["graph"], dependencies=Read, responses=ERROR_RESPONSES)


@router.get("", response_model=Page[TopicRow])
@json_route
def topics(
    request: Request,
    svc: Svc,
    min_sources: Annotated[int, Query(ge=1, le=1000)] = 2,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
) -> Page[TopicRow]:
    """Topics (clusters of claims answering one question) with claims from at least
    `min_sources` sources, most sources first."""
    return list_topics(
        svc.graph(), min_sources=min_sources, limit=page_limit(request, limit), cursor=cursor
    )


@router.get("/{topic_id}", response_model=TopicDetail)
@json_route
def topic(
    svc: Svc,
    topic_id: Annotated[str, Path(max_length=200)],
    per_source: Annotated[int, Query(ge=1, le=50)] = 5,
) -> TopicDetail:
    """Who says what on one topic: each source's claims, and the findings among them."""
    return topic_positions(svc.graph(), topic_id, per_source=per_source)
