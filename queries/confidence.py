"""Claim confidences: lists, one claim with its derivation and history (read-only)."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import TypeAdapter

from consilience.errors import NotFoundError
from kg.graph import Graph
from queries.cypher import confidence as q
from queries.models import (
    ClaimConfidence,
    ConfidenceRow,
    ConfidenceSnapshotRow,
    ConfidenceSummary,
    Page,
)
from queries.paging import offset_of, offset_page

_COUNTS = ("support_lines", "oppose_lines", "effective_lines")
_ROWS: TypeAdapter[list[ConfidenceRow]] = TypeAdapter(list[ConfidenceRow])


def _counts(row: dict[str, Any]) -> dict[str, Any]:
    """A stored confidence's evidence counts, 0 where absent: the updater does not store them
    on a claim no finding bears on (the confidence writer, in kg). A claim without a stored
    confidence keeps them None."""
    if row.get("p") is not None:
        for k in _COUNTS:
            if row.get(k) is None:
                row[k] = 0
    return row


def list_confidences(
    db: Graph,
    *,
    safety_critical: bool | None = None,
    source_id: str | None = None,
    min_p: float = 0.0,
    max_p: float = 1.0,
    with_evidence: bool = False,
    order: Literal["highest", "lowest"] = "highest",
    limit: int = 50,
    cursor: str | None = None,
) -> Page[ConfidenceRow]:
    """Stored confidences, highest (or lowest) first; `with_evidence` keeps claims that other
    documents support, oppose or contradict. The cursor is the offset of the next page."""
    skip = offset_of(cursor)
    with db.read() as s:
        raw = s.run(
            q.CONFIDENCES_LOWEST if order == "lowest" else q.CONFIDENCES_HIGHEST,
            critical=safety_critical,
            source_id=source_id,
            min_p=min_p,
            max_p=max_p,
            with_evidence=with_evidence,
            skip=skip,
            limit=limit + 1,
        ).single(strict=True)["rows"]
    return offset_page(_ROWS.validate_python(raw), skip, limit)


def claim_confidence(db: Graph, claim_id: str) -> ClaimConfidence:
    """One claim's confidence, its derivation and its full history."""
    with db.read() as s:
        rec = s.run(q.CLAIM_CONFIDENCE, id=claim_id).single()
    if rec is None:
        raise NotFoundError(f"No claim {claim_id!r}.", "Find claims with `consilience search`.")
    d = rec.data()
    terms = json.loads(d.pop("derivation") or "[]")
    history = [ConfidenceSnapshotRow(**h) for h in d.pop("history")]
    return ClaimConfidence(**_counts(d), derivation=[t["detail"] for t in terms], history=history)


def confidence_summary(db: Graph) -> ConfidenceSummary:
    with db.read() as s:
        rec = s.run(q.CONFIDENCE_SUMMARY).single()
    assert rec is not None
    return ConfidenceSummary(**rec.data())
