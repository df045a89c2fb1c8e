"""The main job's report as data: what was ingested, what the investigators found, and the
confidences of safety-critical claims. The CLI renders it; nothing here prints."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.ingest import IngestResult
from app.services import Services
from calibration.updater import UpdateReport
from consilience.vocabulary import FindingKind
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


class MainReport(BaseModel):
    """Everything the main job's report shows."""

    ingest: IngestResult = Field(description="Per-file outcomes and the investigation")
    stats: GraphStats = Field(description="The graph after the run")
    top_findings: dict[FindingKind, list[FindingRow]] = Field(
        description="The highest-scoring findings of each reported kind (5 each)"
    )
    confidences: ConfidenceOverview = Field(description="Section 3")


def confidence_overview(svc: Services, updated: UpdateReport | None) -> ConfidenceOverview:
    graph = svc.graph()
    return ConfidenceOverview(
        summary=confidence_summary(graph),
        updated=updated,
        moved=list_confidences(graph, safety_critical=True, with_evidence=True, limit=10).items,
        highest=list_confidences(graph, safety_critical=True, order="highest", limit=5).items,
        lowest=list_confidences(graph, safety_critical=True, order="lowest", limit=5).items,
    )


def main_report(svc: Services, result: IngestResult) -> MainReport:
    """Read back what the report needs after an ingest (with its investigation)."""
    graph = svc.graph()
    return MainReport(
        ingest=result,
        stats=graph_stats(graph),
        top_findings={k: list_findings(graph, kind=k, limit=5).items for k in REPORTED_KINDS},
        confidences=confidence_overview(svc, result.confidences),
    )
