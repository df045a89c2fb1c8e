"""What happens when a researcher confirms or dismisses a finding, in one place.

1. The verdict is stored on the finding with the reviewer, the reason and the time, and
   appended to the finding's verdict history (earlier reviewers' verdicts are kept).
2. The confidences of exactly the claims the finding is about are recomputed: a confirmed
   contradiction now opposes, a dismissed one stops counting.
3. Verdicts are the ground truth `consilience calibration fit` learns from (the next fit
   reads them from the graph; nothing else is updated here).
"""

from __future__ import annotations

from app.services import Services
from calibration.updater import ConfidenceUpdater
from consilience.errors import InvalidInputError, NotFoundError
from consilience.vocabulary import ReviewVerdict
from kg import investigation_store
from queries.findings import get_finding
from queries.models import FindingRow


def record_verdict(
    svc: Services, finding_id: str, verdict: ReviewVerdict, reviewer: str, reason: str
) -> FindingRow:
    """Store a human verdict on a finding and update the confidences it bears on."""
    if not reviewer.strip():
        raise InvalidInputError("A verdict needs a reviewer.", "Pass --reviewer NAME.")
    graph = svc.graph()
    if not investigation_store.set_verdict(graph, finding_id, verdict, reviewer, reason):
        raise NotFoundError(f"No finding {finding_id!r}.", "List findings to see their ids.")
    ConfidenceUpdater(graph).after_verdict(finding_id)  # exactly the claims it is about
    return get_finding(graph, finding_id)
