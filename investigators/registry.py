"""Investigators by name, and named presets ("offline", "with-llm")."""

from __future__ import annotations

from collections.abc import Callable

from consilience.llm import LLM
from investigators.base import Investigator
from investigators.contradiction import ContradictionInvestigator
from investigators.convergence import ConvergenceInvestigator
from investigators.distortion import DistortionInvestigator
from investigators.llm_adjudicator import JudgementCache, LLMAdjudicator

INVESTIGATORS: dict[str, Callable[[], Investigator]] = {
    "contradiction-cues": ContradictionInvestigator,
    "convergence-similarity": ConvergenceInvestigator,
    "summary-distortion": DistortionInvestigator,
}
PRESETS: dict[str, tuple[str, ...]] = {
    "offline": ("contradiction-cues", "convergence-similarity", "summary-distortion"),
}


def preset(
    name: str = "offline", *, llm: LLM | None = None, cache: JudgementCache | None = None
) -> list[Investigator]:
    """The offline investigators, plus the Claude adjudicator for "with-llm"."""
    chosen: list[Investigator] = [INVESTIGATORS[n]() for n in PRESETS["offline"]]
    if name == "with-llm":
        if llm is None or cache is None:
            raise ValueError("the with-llm preset needs an LLM and a cache")
        chosen.append(LLMAdjudicator(llm, cache))
    elif name != "offline":
        raise ValueError(f"unknown preset {name!r}")
    return chosen
