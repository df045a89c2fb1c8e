from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from api.deps import Read, Svc, Write, page_limit
from api.errors import ERROR_RESPONSES
from api.rendering import json_route
from app.sources import SummaryLink, declare_summary, retract_source
from calibration.updater import UpdateReport
from queries.graph import get_source, list_sources
from queries.models import Page, SourceDetail, SourceRow

router = APIRouter(prefix="/sources", tags=["sources"], responses=ERROR_RESPONSES)
SourceId = Annotated[str, Path(max_length=200, description="Source id", examples=["src_1a2b"])]


@router.get("", response_model=Page[SourceRow], dependencies=Read)
@json_route
def sources(
    request: Request,
    svc: Svc,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[str | None, Query(max_length=20)] = None,
) -> Page[SourceRow]:
    """Sources, largest first."""
    return list_sources(svc.graph(), limit=page_limit(request, limit), cursor=cursor)


@router.get("/{source_id}", response_model=SourceDetail, dependencies=Read)
@json_route
def source(source_id: SourceId, svc: Svc) -> SourceDetail:
    """One source: metadata, line of research, summary links, retraction."""
    return get_source(svc.graph(), source_id)


class Retraction(BaseModel):
    reason: str = Field(default="", max_length=2000, description="Why", examples=["Withdrawn"])
    undo: bool = Field(default=False, description="Restore a retracted source")


@router.post("/{source_id}/retract", response_model=UpdateReport, dependencies=Write)
def retract(source_id: SourceId, body: Retraction, svc: Svc) -> UpdateReport:
    """Retract (or restore) a source; the confidences it touches are recomputed at once."""
    return retract_source(svc, source_id, body.reason, undo=body.undo)


class Summarises(BaseModel):
    source_id: str = Field(
        min_length=1, max_length=200, description="The source it summarises", examples=["src_9f"]
    )
    undo: bool = Field(
        default=False,
        description="It is no summary of that source: remove the link (declared or detected) "
        "and keep detection from making it again",
    )


@router.post("/{source_id}/summarises", response_model=SummaryLink, dependencies=Write)
def summarises(source_id: SourceId, body: Summarises, svc: Svc) -> SummaryLink:
    """Declare that this source summarises another (they are then never independent), or
    with `undo` that it does not; the confidences it bears on are recomputed at once."""
    return declare_summary(svc, source_id, body.source_id, undo=body.undo)
