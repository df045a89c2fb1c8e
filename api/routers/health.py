from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import Svc
from api.errors import ERROR_RESPONSES
from consilience import __version__
from queries.stats import claim_count

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = Field(description="ok", examples=["ok"])
    version: str = Field(description="Consilience version")
    claims: int = Field(description="Claims in the graph")


@router.get("/health", response_model=Health, responses={503: ERROR_RESPONSES[503]})
def health(svc: Svc) -> Health:
    """Liveness and database reachability (503 with the error body when the graph is down)."""
    return Health(status="ok", version=__version__, claims=claim_count(svc.graph()))
