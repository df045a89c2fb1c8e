"""The confidence workflow: recompute what changed since the last update (or everything)."""

from __future__ import annotations

from app.services import Services
from calibration.updater import ConfidenceUpdater, UpdateReport


def update_confidences(svc: Services, *, everything: bool = False) -> UpdateReport:
    """Bring stored confidences up to date with findings, verdicts and retractions."""
    return ConfidenceUpdater(svc.graph()).update(everything=everything)
