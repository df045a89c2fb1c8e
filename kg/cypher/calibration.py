"""Writes of the calibration side: confidences with history, fitted maps, retractions."""

from __future__ import annotations

from typing import LiteralString

# The claim holds its current confidence with when it took these numbers
# (`confidence_since`) and why (`confidence_reason`); a change first archives the numbers it
# replaces as a `(:ConfidenceSnapshot)` (ARCHIVE_CONFIDENCES, run before SET_CONFIDENCES in
# the same transaction, with only the rows whose numbers changed), so the history is the
# snapshots plus the current state and a claim's first derivation writes no snapshot at all
# (it used to copy every claim's numbers into a snapshot; bench/calibration's first full
# recompute at 100k claims went from 16.7-17.5 s to 14.6-15.0 s; done as a per-row CALL
# subquery inside the SET, the archive cost more than it saved). A claim stored before this scheme
# (numbers but no `confidence_since`) has its current numbers in its latest snapshot already:
# nothing is archived for it. An archived snapshot's derivation is the last one stored with
# those numbers (a rewrite that changes only the derivation does not archive).
ARCHIVE_CONFIDENCES: LiteralString = """
UNWIND $ids AS id
MATCH (c:Claim {id: id})
WHERE c.confidence_since IS NOT NULL
CREATE (h:ConfidenceSnapshot {claim_id: id, at: c.confidence_since, p: c.confidence,
        low: c.confidence_low, high: c.confidence_high, reason: c.confidence_reason,
        derivation: c.confidence_derivation})
CREATE (c)-[:HAD_CONFIDENCE]->(h)
"""

SET_CONFIDENCES: LiteralString = """
UNWIND $rows AS row
MATCH (c:Claim {id: row.id})
SET c.confidence = row.p, c.confidence_low = row.low, c.confidence_high = row.high,
    c.confidence_lines = row.support_lines, c.confidence_oppose_lines = row.oppose_lines,
    c.confidence_effective_lines = row.effective_lines,
    c.confidence_contested = row.contested, c.confidence_derivation = row.derivation,
    c.confidence_evidence = row.n_findings, c.safety_critical = row.safety_critical,
    c.confidence_sig = row.sig, c.confidence_inputs = row.inputs,
    c.confidence_at = datetime(),
    c.confidence_since = CASE WHEN row.changed THEN datetime() ELSE c.confidence_since END,
    c.confidence_reason = CASE WHEN row.changed THEN row.reason ELSE c.confidence_reason END
REMOVE c.confidence_stale
"""

SET_CALIBRATION_STATE: LiteralString = """
MERGE (s:CalibrationState {name: $name})
SET s.last_run = datetime($at)
"""

PUT_CALIBRATION_MAP: LiteralString = """
MERGE (m:CalibrationMap {investigator: $investigator})
SET m.method = $method, m.x = $x, m.y = $y, m.a = $a, m.b = $b, m.n = $n,
    m.positives = $positives, m.fitted_at = datetime()
"""

DELETE_CALIBRATION_MAPS: LiteralString = """
MATCH (m:CalibrationMap) WHERE NOT m.investigator IN $keep DETACH DELETE m
"""

SET_RETRACTION: LiteralString = """
MATCH (s:Source {id: $id})
SET s.retracted = $retracted, s.retraction_reason = $reason, s.retracted_at = datetime()
RETURN s.id AS id
"""
