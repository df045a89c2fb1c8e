from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from api.deps import Read, Svc, Write, page_limit
from api.errors import ERROR_RESPONSES
from api.rendering import json_route
from app.confidences import update_confidences
from calibration.updater import UpdateReport
from queries.confidence import list_confidences
from queries.models import ConfidenceRow, Page

router = APIRouter(prefix="/confidences", tags=["calibration"], responses=ERROR_RESPONSES)


@router.get("", response_model=Page[ConfidenceRow], dependencies=Read)
@json_route
def confidences(
    request: Request,
    svc: Svc,
    safety_critical: bool | None = None,
    with_evidence: bool = False,
    order: Literal["highest", "lowest"] = "highest",
    min_p: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
    max_p: Annotated[float, Query(ge=0.0, le=1.0)] = 1.0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[str | None, Query(max_length=20, pattern=r"^\d*$")] = None,
) -> Page[ConfidenceRow]:
    """Stored claim confidences (probability with a 90% interval)."""
    return list_confidences(
        svc.graph(),
        safety_critical=safety_critical,
        with_evidence=with_evidence,
        order=order,
        min_p=min_p,
        max_p=max_p,
        limit=page_limit(request, limit),
        cursor=cursor,
    )


@router.post("/update", response_model=UpdateReport, dependencies=Write)
def update(svc: Svc, everything: bool = False) -> UpdateReport:
    """Recompute the confidences that changed since the last update (or all)."""
    return update_confidences(svc, everything=everything)
