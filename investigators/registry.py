"""Investigators by name, and named presets ("offline", "with-llm")."""

from __future__ import annotations

from collections.abc import Callable

from consilience.llm import LLM
from investigators.base import Investigator
from investigators.distortion import DistortionInvestigator
from investigators.llm_adjudicator import JudgementCache, LLMAdjudicator
from investigators.nli.judge import Judge
from investigators.nli_judge import NLIJudgeInvestigator

# The cue detector (investigators.contradiction) and the similarity convergence check
# (investigators.convergence) are kept for explanation and as bench/judgement's baseline;
# the calibrated NLI judge decides.
PRESETS: dict[str, tuple[str, ...]] = {
    "offline": ("nli-judge", "summary-distortion"),
    "with-llm": ("nli-judge", "summary-distortion", "llm-adjudicator"),
}


def preset(
    name: str = "offline",
    *,
    judge: Judge,
    llm: LLM | None = None,
    cache: JudgementCache | None = None,
    llm_budget: int = 200,
    llm_band: tuple[float, float] = (0.2, 0.8),
    llm_find_share: float = 0.5,
    llm_ranker: bool = True,
    usd_per_mtok: tuple[float, float] = (3.0, 15.0),
    announce: Callable[[str], None] | None = None,
) -> list[Investigator]:
    """The offline investigators, plus the Claude adjudicator for "with-llm"."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose from {sorted(PRESETS)}")
    chosen: list[Investigator] = [NLIJudgeInvestigator(judge), DistortionInvestigator()]
    if name == "with-llm":
        if llm is None or cache is None:
            raise ValueError("the with-llm preset needs an LLM and a cache")
        chosen.append(
            LLMAdjudicator(
                llm,
                cache,
                judge=judge,
                budget=llm_budget,
                band=llm_band,
                find_share=llm_find_share,
                ranker=llm_ranker,
                usd_per_mtok=usd_per_mtok,
                announce=announce,
            )
        )
    return chosen
