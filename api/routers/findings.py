from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from api.deps import Read, Svc, Write, page_limit
from api.errors import ERROR_RESPONSES
from api.rendering import json_route
from app.verdicts import (
    REASON_MAX,
    REVIEWER_MAX,
    VerdictItem,
    VerdictOutcome,
    record_verdict,
    record_verdicts,
)
from consilience.vocabulary import FindingKind, FindingStatus, ReviewVerdict
from queries.findings import archived_verdicts, get_finding, list_findings, review_queue
from queries.models import ArchivedVerdictRow, FindingRow, Page
from queries.search import topic_claim_ids

router = APIRouter(prefix="/findings", tags=["findings"], responses=ERROR_RESPONSES)
FindingId = Annotated[str, Path(max_length=200, description="Finding id")]


@router.get("", response_model=Page[FindingRow], dependencies=Read)
@json_route
def findings(
    request: Request,
    svc: Svc,
    kind: FindingKind | None = None,
    status: FindingStatus | None = None,
    min_score: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
    independent: bool | None = None,
    claim_id: Annotated[
        str | None, Query(max_length=200, description="Touching this claim")
    ] = None,
    source_id: Annotated[
        str | None, Query(max_length=200, description="Touching this source")
    ] = None,
    line_id: Annotated[str | None, Query(max_length=200, description="Touching this line")] = None,
    topic: Annotated[
        str | None, Query(max_length=2000, description="About this topic (claim search)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    cursor: Annotated[str | None, Query(max_length=500, description="next_cursor")] = None,
) -> Page[FindingRow]:
    """Every kind of finding (between claims, between lines of research, and a claim against
    the one line its support comes from), best first, filtered; pass `next_cursor` back as
    `cursor` for the next page."""
    claim_ids = [claim_id] if claim_id else None
    if topic and topic.strip():
        found = topic_claim_ids(svc.graph(), topic, svc.embedder.embed)
        claim_ids = found + (claim_ids or [])
    return list_findings(
        svc.graph(),
        kind=kind,
        status=status,
        min_score=min_score,
        independent=independent,
        claim_ids=claim_ids,
        source_id=source_id,
        line_id=line_id,
        limit=page_limit(request, limit),
        cursor=cursor,
    )


@router.get("/review", response_model=Page[FindingRow], dependencies=Read)
@json_route
def awaiting_review(
    request: Request,
    svc: Svc,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[FindingRow]:
    """Open findings, the ones a human verdict is worth most on first: the judge least
    sure (score near 0.5), weighted up by each safety-critical claim the finding is about."""
    return review_queue(svc.graph(), limit=page_limit(request, limit), cursor=cursor)


@router.get("/archived", response_model=Page[ArchivedVerdictRow], dependencies=Read)
@json_route
def archived(
    request: Request,
    svc: Svc,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Page[ArchivedVerdictRow]:
    """Human verdicts kept after their quotes left the graph (a document was revised or
    removed), newest first; each comes back when the same two quotes are found again."""
    return archived_verdicts(svc.graph(), limit=page_limit(request, limit), cursor=cursor)


@router.get("/{finding_id}", response_model=FindingRow, dependencies=Read)
@json_route
def finding(finding_id: FindingId, svc: Svc) -> FindingRow:
    """One finding with both quotes, sources and rationale."""
    return get_finding(svc.graph(), finding_id)


class VerdictIn(BaseModel):
    verdict: ReviewVerdict = Field(
        description="The human verdict: confirmed, dismissed, or reopened (take one back)"
    )
    reviewer: str = Field(min_length=1, max_length=REVIEWER_MAX, examples=["alice"])
    reason: str = Field(default="", max_length=REASON_MAX, examples=["Different probe set-ups"])


class VerdictsIn(BaseModel):
    verdicts: list[VerdictItem] = Field(
        min_length=1, max_length=1000, description="Verdicts to record (at most 1,000)"
    )


@router.post("/verdicts", response_model=list[VerdictOutcome], dependencies=Write)
def verdicts(body: VerdictsIn, svc: Svc) -> list[VerdictOutcome]:
    """Record many verdicts at once. Each item is answered: recorded, or why not (an
    unknown finding does not stop the others). Every verdict is kept in its finding's
    history and updates the confidences it bears on."""
    return record_verdicts(svc, body.verdicts)


@router.post("/{finding_id}/verdict", response_model=FindingRow, dependencies=Write)
def verdict(finding_id: FindingId, body: VerdictIn, svc: Svc) -> FindingRow:
    """Record a human verdict; the confidences of the claims it is about are recomputed."""
    return record_verdict(svc, finding_id, body.verdict, body.reviewer, body.reason)
