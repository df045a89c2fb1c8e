"""The main job's report as data: what was ingested, what the investigators found, and the
confidences of safety-critical claims. The CLI renders it; nothing here prints."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.ingest import IngestResult
from app.services import Services
from calibration.updater import UpdateReport
from consilience.vocabulary import FindingKind, FindingStatus
from investigators.nli.judge import Judge, JudgeParams
from queries.confidence import confidence_summary, list_confidences
from queries.findings import list_findings
from queries.models import ConfidenceRow, ConfidenceSummary, FindingRow, GraphStats
from queries.stats import graph_stats

REPORTED_KINDS: tuple[FindingKind, ...] = (
    FindingKind.CONTRADICTS,
    FindingKind.DISTORTS,
    FindingKind.CONVERGES_WITH,
    FindingKind.RESTATES,
)
"""The finding kinds the report lists, in order (line-level ones are counted, not listed)."""


class ConfidenceOverview(BaseModel):
    """Section 3: where the confidences of safety-critical claims stand."""

    summary: ConfidenceSummary = Field(description="Counts over all claims")
    updated: UpdateReport | None = Field(default=None, description="The update this run made")
    moved: list[ConfidenceRow] = Field(description="Safety-critical claims with evidence")
    highest: list[ConfidenceRow] = Field(description="Most confident safety-critical claims")
    lowest: list[ConfidenceRow] = Field(description="Least confident safety-critical claims")


class JudgeReliability(BaseModel):
    """How far the offline judge's scores can be trusted on real cross-paper pairs, from the
    fit that calibrated them (so the report can say so beside the findings)."""

    investigator: str = Field(description="The investigator these figures are about")
    fitted_on: str = Field(description="The labelled pairs the calibration was fitted on")
    auc_contradiction: float | None = Field(
        default=None, description="Contradiction score's ROC AUC on those pairs (0.5: chance)"
    )
    auc_convergence: float | None = Field(
        default=None, description="Convergence score's ROC AUC on those pairs (0.5: chance)"
    )
    audit_contradiction: tuple[int, int] | None = Field(
        default=None,
        description="(right, calls): contradiction calls of a main job that people read",
    )
    audit_convergence: tuple[int, int] | None = Field(
        default=None,
        description="(right, calls): convergence calls of a main job that people read",
    )


def judge_reliability() -> JudgeReliability:
    """The shipped judge's fit (`models/nli-minilm-l6/judge.json`); a missing file reads as
    unfitted."""
    params = JudgeParams.load()
    return JudgeReliability(
        investigator=Judge.name,
        fitted_on=params.fitted_on,
        auc_contradiction=params.calibration_auc_contradiction,
        auc_convergence=params.calibration_auc_convergence,
        audit_contradiction=params.audit_contradiction,
        audit_convergence=params.audit_convergence,
    )


class MainReport(BaseModel):
    """Everything the main job's report shows."""

    ingest: IngestResult = Field(description="Per-file outcomes and the investigation")
    stats: GraphStats = Field(description="The graph after the run")
    top_findings: dict[FindingKind, list[FindingRow]] = Field(
        description="The highest-scoring findings of each reported kind (5 each, no claim twice "
        "where the findings allow)"
    )
    confidences: ConfidenceOverview = Field(description="Section 3")
    judge: JudgeReliability | None = Field(
        default=None, description="How far the offline judge's scores can be trusted"
    )


def confidence_overview(svc: Services, updated: UpdateReport | None) -> ConfidenceOverview:
    graph = svc.graph()
    return ConfidenceOverview(
        summary=confidence_summary(graph),
        updated=updated,
        moved=list_confidences(graph, safety_critical=True, with_evidence=True, limit=10).items,
        highest=list_confidences(graph, safety_critical=True, order="highest", limit=5).items,
        lowest=list_confidences(graph, safety_critical=True, order="lowest", limit=5).items,
    )


TOP = 5
TOP_POOL = 100  # findings read per kind to choose the top ones from


def varied_top(items: list[FindingRow], n: int = TOP) -> list[FindingRow]:
    """The best `n` findings (in the given order) with no claim or line shown twice; when fewer
    than `n` have new sides, the best of the others fill the list. One claim the model misreads
    can be on many findings (one abstract sentence was on 7 of a run's 22 contradictions); the
    first screen shows that many different claims, and the rest are a `findings list` away.
    A finding a reviewer dismissed is no lead: it is never among them (red-teamed: one was
    shown first, under "treat these as leads to review")."""
    items = [f for f in items if f.status != FindingStatus.DISMISSED]
    seen: set[str] = set()
    fresh: list[int] = []
    for i, f in enumerate(items):
        keys = {k for side in (f.a, f.b) if (k := side.claim_id or side.line_id)}
        if not keys & seen:
            fresh.append(i)
            seen |= keys
            if len(fresh) == n:
                break
    shown = set(fresh)
    others = [i for i in range(len(items)) if i not in shown][: n - len(fresh)]
    return [items[i] for i in sorted(fresh + others)]


def main_report(svc: Services, result: IngestResult) -> MainReport:
    """Read back what the report needs after an ingest (with its investigation)."""
    graph = svc.graph()
    return MainReport(
        ingest=result,
        stats=graph_stats(graph),
        top_findings={
            k: varied_top(list_findings(graph, kind=k, limit=TOP_POOL).items)
            for k in REPORTED_KINDS
        },
        confidences=confidence_overview(svc, result.confidences),
        judge=judge_reliability(),
    )
