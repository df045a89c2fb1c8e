"""Writes of the calibration side: confidences with history, fitted maps, retractions."""

from __future__ import annotations

from typing import LiteralString

SET_CONFIDENCES: LiteralString = """
UNWIND $rows AS row
MATCH (c:Claim {id: row.id})
SET c.confidence = row.p, c.confidence_low = row.low, c.confidence_high = row.high,
    c.confidence_lines = row.support_lines, c.confidence_oppose_lines = row.oppose_lines,
    c.confidence_effective_lines = row.effective_lines,
    c.confidence_contested = row.contested, c.confidence_derivation = row.derivation,
    c.confidence_evidence = row.n_findings, c.safety_critical = row.safety_critical,
    c.confidence_sig = row.sig, c.confidence_inputs = row.inputs,
    c.confidence_at = datetime()
REMOVE c.confidence_stale
WITH c, row WHERE row.changed
CREATE (h:ConfidenceSnapshot {claim_id: row.id, at: datetime(), p: row.p, low: row.low,
        high: row.high, reason: row.reason, derivation: row.derivation})
CREATE (c)-[:HAD_CONFIDENCE]->(h)
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
