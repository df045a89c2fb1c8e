"""Investigators by name, and named presets."""

from __future__ import annotations

from collections.abc import Callable

from investigators.base import Investigator
from investigators.contradiction import ContradictionInvestigator
from investigators.convergence import ConvergenceInvestigator
from investigators.distortion import DistortionInvestigator

INVESTIGATORS: dict[str, Callable[[], Investigator]] = {
    "contradiction-cues": ContradictionInvestigator,
    "convergence-similarity": ConvergenceInvestigator,
    "summary-distortion": DistortionInvestigator,
}
PRESETS: dict[str, tuple[str, ...]] = {
    "offline": ("contradiction-cues", "convergence-similarity", "summary-distortion"),
}


def preset(name: str = "offline") -> list[Investigator]:
    return [INVESTIGATORS[n]() for n in PRESETS[name]]
