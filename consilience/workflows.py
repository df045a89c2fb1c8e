"""Multi-step jobs shared by the CLI and the API: investigate, then update confidences."""

from __future__ import annotations

from collections.abc import Callable

from consilience.services import Services
from investigators.runner import RunReport


def investigate(
    svc: Services,
    *,
    everything: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> RunReport:
    """Sync the FAISS copy, run the investigators (with the LLM when one is configured) over
    new claims (or all), and say what was skipped."""
    from investigators.dimensions import DimensionProposer
    from investigators.llm_cache import GraphJudgementCache
    from investigators.registry import preset
    from investigators.runner import Runner

    svc.claim_index().sync(svc.driver())
    cache = GraphJudgementCache(svc.driver())
    investigators = preset("with-llm", llm=svc.llm, cache=cache) if svc.llm else preset("offline")
    proposer = DimensionProposer(svc.llm, cache) if svc.llm else None
    runner = Runner(svc.driver(), svc.claim_index(), investigators, proposer=proposer)
    report = runner.run(everything=everything, on_progress=on_progress)
    if not svc.settings.anthropic_api_key:
        report.skipped.append(
            "LLM adjudicator and missing-dimension proposals: "
            "ANTHROPIC_API_KEY is not set (offline only)"
        )
    return report
