from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from api.deps import Read, Svc, page_limit
from api.errors import ERROR_RESPONSES
from api.rendering import json_route
from kg.models import ClaimKind
from queries.graph import evidence_trail
from queries.models import ClaimHit, EvidenceTrail
from queries.search import search_claims

router = APIRouter(prefix="/claims", tags=["claims"], dependencies=Read, responses=ERROR_RESPONSES)


@router.get("/search", response_model=list[ClaimHit])
@json_route
def search(
    request: Request,
    svc: Svc,
    q: Annotated[
        str, Query(min_length=1, max_length=2000, description="Text", examples=["probe AUROC"])
    ],
    mode: Literal["vector", "fulltext", "both"] = "both",
    kind: Annotated[ClaimKind | None, Query(examples=["finding"])] = None,
    source_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 10,
) -> list[ClaimHit]:
    """Claims by meaning (vector index) and by words (full-text index), filtered."""
    return search_claims(
        svc.graph(),
        q,
        svc.embedder.embed,
        limit=page_limit(request, limit),
        mode=mode,
        kind=kind.value if kind else None,
        source_id=source_id,
    )


@router.get("/{claim_id}", response_model=EvidenceTrail)
@json_route
def claim(
    claim_id: Annotated[str, Path(max_length=200, examples=["clm_03248b11f219bed1337f71f4"])],
    svc: Svc,
) -> EvidenceTrail:
    """One claim with its confidence (derivation, history) and every finding about it."""
    return evidence_trail(svc.graph(), claim_id)
