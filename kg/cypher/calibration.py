"""Writes of the calibration side: confidences with history, fitted maps, retractions."""

from __future__ import annotations

from typing import LiteralString

# The claim holds its current confidence with when it took these numbers
# (`confidence_since`) and why (`confidence_reason`); a change first archives the numbers it
# replaces as a `(:ConfidenceSnapshot)`, so the history is the snapshots plus the current state
# and a claim's first derivation writes no snapshot at all. Everything here is decided under
# the claim's write lock (`SET c.id = c.id` takes it and changes nothing; the stored values are
# read after it), not from what the updater read before deriving:
# - the newest read wins: each row carries when its inputs were read (`read_at`, the server's
#   clock, epoch ms) and is dropped when the stored confidence was derived from a later read
#   (`confidence_read`). A full update that read a claim before a verdict and writes after the
#   verdict's own update would otherwise put back the numbers the verdict replaced. A stored
#   read time in the future (the server's clock was set back) does not hold writes off;
# - whether the numbers change: two updates that read the same numbers and derive the same new
#   ones archive the old numbers once, and the second keeps the first's `confidence_since`.
# The archive is a FOREACH over zero or one item per row (a per-row CALL subquery cost more).
# Deciding the archive here rather than in a separate statement (from the updater's read) made
# the write of 100k claims on a warm server 0.0-1.3 s (up to ~20%) longer in alternated runs.
# A claim stored before this scheme (numbers but no `confidence_since`) has its current
# numbers in its latest snapshot already: nothing is archived for it. An archived snapshot's
# derivation is the last one stored with those numbers (a rewrite that changes only the
# derivation does not archive). Returns how many rows were written.
SET_CONFIDENCES: LiteralString = """
UNWIND $rows AS row
MATCH (c:Claim {id: row.id})
SET c.id = c.id
WITH c, row WHERE c.confidence_read IS NULL OR c.confidence_read <= row.read_at
                  OR c.confidence_read > datetime.statement().epochMillis
SET c.confidence_at = datetime(), c.confidence_read = row.read_at
WITH c, row,
     c.confidence IS NULL OR c.confidence_low IS NULL OR c.confidence_high IS NULL
       OR abs(c.confidence - row.p) > 1e-6 OR abs(c.confidence_low - row.low) > 1e-6
       OR abs(c.confidence_high - row.high) > 1e-6 AS changed
FOREACH (_ IN CASE WHEN changed AND c.confidence_since IS NOT NULL THEN [1] ELSE [] END |
  CREATE (h:ConfidenceSnapshot {claim_id: c.id, at: c.confidence_since, p: c.confidence,
          low: c.confidence_low, high: c.confidence_high, reason: c.confidence_reason,
          derivation: c.confidence_derivation})
  CREATE (c)-[:HAD_CONFIDENCE]->(h))
SET c.confidence_since = CASE WHEN changed THEN datetime() ELSE c.confidence_since END,
    c.confidence_reason = CASE WHEN changed THEN row.reason ELSE c.confidence_reason END,
    c.confidence = row.p, c.confidence_low = row.low, c.confidence_high = row.high,
    c.confidence_lines = row.support_lines, c.confidence_oppose_lines = row.oppose_lines,
    c.confidence_effective_lines = row.effective_lines,
    c.confidence_contested = row.contested, c.confidence_derivation = row.derivation,
    c.confidence_evidence = row.n_findings, c.safety_critical = row.safety_critical,
    c.confidence_sig = row.sig, c.confidence_inputs = row.inputs
REMOVE c.confidence_stale
RETURN count(*) AS written
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

# Restoring a source that is not retracted changes nothing (`was` says so). The reason is that
# of the retraction in force: none once restored, none when none was given (it was "" then, and
# a restored source kept the restore's "" beside `retracted: false`). `retracted_at` is when the
# state last changed (confidence updates since then read it).
SET_RETRACTION: LiteralString = """
MATCH (s:Source {id: $id})
WITH s, coalesce(s.retracted, false) AS was
FOREACH (_ IN CASE WHEN $retracted OR was THEN [1] ELSE [] END |
  SET s.retracted = $retracted, s.retracted_at = datetime(),
      s.retraction_reason = CASE WHEN $retracted AND trim($reason) <> '' THEN $reason END)
RETURN s.id AS id, was
"""
