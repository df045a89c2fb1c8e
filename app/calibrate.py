"""The calibration workflow: learn score maps from human verdicts and, when storing them,
recompute every confidence with the new maps."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.confidences import update_confidences
from app.services import Services
from calibration.fit import CalibrationMap
from calibration.learn import learn
from calibration.report import CalibrationReport
from calibration.updater import UpdateReport


class CalibrationResult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    report: CalibrationReport = Field(description="Out-of-fold reliability per investigator")
    maps: list[CalibrationMap] = Field(description="The fitted maps, one per investigator")
    confidences: UpdateReport | None = Field(
        default=None, description="The full recompute after storing the maps (None: not stored)"
    )


def calibrate(
    svc: Services, method: Literal["isotonic", "platt"], *, store: bool
) -> CalibrationResult:
    """Fit (and with `store`, keep) each investigator's score map from the verdicts."""
    report, maps = learn(svc.graph(), method, store=store)
    updated = update_confidences(svc, everything=True) if store else None
    return CalibrationResult(report=report, maps=maps, confidences=updated)
