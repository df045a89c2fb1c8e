"""What happens when a researcher confirms or dismisses a finding, in one place.

1. The verdict is stored on the finding with the reviewer, the reason and the time, and
   appended to the finding's verdict history (earlier reviewers' verdicts are kept).
2. The confidences of exactly the claims the finding is about are recomputed: a confirmed
   contradiction now opposes, a dismissed one stops counting.
3. Verdicts are the ground truth `consilience calibration fit` learns from (the next fit
   reads them from the graph; nothing else is updated here).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.services import Services
from calibration.updater import ConfidenceUpdater
from consilience.errors import InvalidInputError, NotFoundError
from consilience.vocabulary import ReviewVerdict
from kg.writers import investigation_store
from queries.findings import get_finding
from queries.models import FindingRow


def record_verdict(
    svc: Services, finding_id: str, verdict: ReviewVerdict, reviewer: str, reason: str
) -> FindingRow:
    """Store a human verdict on a finding and update the confidences it bears on."""
    if not reviewer.strip():
        raise InvalidInputError(
            "A verdict needs a reviewer.",
            "Name who reviewed it (`--reviewer NAME` on the command line, `reviewer` in the API).",
        )
    graph = svc.graph()
    if not investigation_store.set_verdict(graph, finding_id, verdict, reviewer, reason):
        raise NotFoundError(f"No finding {finding_id!r}.", "List findings to see their ids.")
    ConfidenceUpdater(graph).after_verdict(finding_id)  # exactly the claims it is about
    return get_finding(graph, finding_id)


class VerdictItem(BaseModel):
    """One verdict of a batch (a line of a JSONL/CSV file, an item of the API's list)."""

    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=200, description="Finding id")
    verdict: ReviewVerdict = Field(description="confirmed or dismissed")
    reviewer: str = Field(min_length=1, max_length=200, description="Who decided")
    reason: str = Field(default="", max_length=5000, description="Why")


class VerdictOutcome(BaseModel):
    """What happened to one verdict of a batch."""

    id: str = Field(description="Finding id")
    recorded: bool = Field(description="Whether the verdict was stored")
    error: str | None = Field(default=None, description="Why not (e.g. no such finding)")


def record_verdicts(svc: Services, items: list[VerdictItem]) -> list[VerdictOutcome]:
    """Record many verdicts; one that fails (unknown finding) is reported and the rest are
    still recorded. Each goes through `record_verdict`, so each keeps its history and
    updates exactly the confidences it bears on."""
    out: list[VerdictOutcome] = []
    for item in items:
        try:
            record_verdict(svc, item.id, item.verdict, item.reviewer, item.reason)
            out.append(VerdictOutcome(id=item.id, recorded=True))
        except (NotFoundError, InvalidInputError) as exc:  # an outage is not a bad item
            out.append(VerdictOutcome(id=item.id, recorded=False, error=exc.message))
    return out
