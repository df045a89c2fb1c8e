"""Write paths for calibration: confidences (history kept), fitted maps, retractions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import ManagedTransaction

from kg.cypher import calibration as q
from kg.graph import Graph, Rows
from kg.records import ConfidenceRecord

# The evidence counts of a claim no finding bears on (most claims of a large graph) are not
# stored: absent means none, and the readers (`queries.confidence`) read them as 0. Five fewer
# properties on each such claim cut the database's time to write the confidences of 100k
# claims by ~10% (bench/calibration's warm full recompute, alternated runs: 5.0 against 5.7 s
# of server CPU); a claim whose last finding went has them removed.
_EVIDENCE_COUNTS = ("support_lines", "oppose_lines", "effective_lines", "contested", "n_findings")


def _stored(record: ConfidenceRecord) -> dict[str, object]:
    """The record as `SET_CONFIDENCES` takes it (a null removes the property)."""
    row = record.model_dump()
    if record.n_findings == 0:
        for k in _EVIDENCE_COUNTS:
            row[k] = None
    return row


def write_confidences(driver: Graph, records: Sequence[ConfidenceRecord], batch: int = 2000) -> int:
    """Store confidences; returns how many were written. A claim whose stored numbers differ
    from the record's first has them archived as a timestamped snapshot; a record read before
    the stored confidence's inputs were is not written (both decided under the claim's lock,
    in `SET_CONFIDENCES`). Each batch is one transaction."""

    def tx_fn(tx: ManagedTransaction, chunk: list[dict[str, object]]) -> int:
        return int(tx.run(q.SET_CONFIDENCES, rows=Rows(chunk)).single(strict=True)["written"])

    rows = [_stored(r) for r in records]
    written = 0
    with driver.write() as s:
        for i in range(0, len(rows), batch):
            written += s.execute_write(tx_fn, rows[i : i + batch])
    return written


def set_state(driver: Graph, name: str, at_iso: str) -> None:
    """Remember when a full or incremental update last started."""
    with driver.write() as s:
        s.execute_write(lambda tx: tx.run(q.SET_CALIBRATION_STATE, name=name, at=at_iso).consume())


def put_maps(driver: Graph, maps: list[dict[str, Any]]) -> None:
    """Replace the fitted score maps (investigators without one fall back to raw scores)."""

    def tx_fn(tx: ManagedTransaction) -> None:
        for m in maps:
            tx.run(q.PUT_CALIBRATION_MAP, **m).consume()
        tx.run(q.DELETE_CALIBRATION_MAPS, keep=[m["investigator"] for m in maps]).consume()

    with driver.write() as s:
        s.execute_write(tx_fn)


def set_retraction(driver: Graph, source_id: str, retracted: bool, reason: str) -> bool | None:
    """Mark a source retracted (or restore a retracted one): whether it was retracted before,
    None when there is no such source."""
    with driver.write() as s:
        rec = s.execute_write(
            lambda tx: tx.run(
                q.SET_RETRACTION, id=source_id, retracted=retracted, reason=reason
            ).single()
        )
    return None if rec is None else bool(rec["was"])
