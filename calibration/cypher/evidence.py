"""Reads: each claim's facts and the findings that bear on it; what needs recomputing."""

from __future__ import annotations

from typing import LiteralString

# One record holding the whole batch's rows: a record per claim cost the driver (a Bolt message
# and two socket reads each, a Record object, its keys zipped) 3.7-5.0 s of CPU per 100k claims,
# the largest share of the updater's own time in a full recompute; one list of maps is decoded
# by the driver's Rust codec in one go.
CLAIM_EVIDENCE: LiteralString = """
UNWIND $ids AS id
MATCH (s:Source)-[:HAS_CLAIM]->(c:Claim {id: id})
USING INDEX c:Claim(id)
OPTIONAL MATCH (s)-[:IN_LINE]->(l:Line)
RETURN collect({
  id: c.id, kind: c.kind, hedge: c.hedge, hedge_cues: coalesce(c.hedge_cues, []),
  stated_probability: c.stated_probability, text: c.text, speaker: c.speaker,
  numbers_json: c.numbers_json,
  source_kind: s.kind, source_retracted: coalesce(s.retracted, false),
  line_id: l.id, old_p: c.confidence, old_low: c.confidence_low,
  old_high: c.confidence_high, old_sig: c.confidence_sig,
  old_inputs: c.confidence_inputs,
  stale: coalesce(c.confidence_stale, false),
  read_at: datetime.statement().epochMillis,
  evidence: COLLECT {
    MATCH (c)<-[r:ABOUT]-(f:Finding)
    OPTIONAL MATCH (f)-[:ABOUT]->(o:Claim) WHERE o.id <> c.id
    OPTIONAL MATCH (os:Source)-[:HAS_CLAIM]->(o)
    OPTIONAL MATCH (os)-[:IN_LINE]->(ol:Line)
    RETURN {finding_id: f.id, kind: f.kind, investigator: f.investigator,
            score: f.score, status: coalesce(f.status, 'open'),
            independent: f.independent, side: r.side, other_claim_id: o.id,
            other_source_id: os.id, other_line_id: ol.id,
            other_methods: COLLECT { MATCH (os)-[:USES_METHOD]->(m:Method)
                                     RETURN m.name },
            other_retracted: coalesce(os.retracted, false),
            other_summarises: CASE WHEN f.kind = 'contradicts' AND os IS NOT NULL
                                   THEN EXISTS { (os)-[:SUMMARISES]->(s) }
                                        AND NOT EXISTS { (s)-[:SUMMARISES]->(os) }
                                   ELSE false END}
  }
}) AS rows
"""

# One record with every id: a record per claim cost the driver 5 s per 100k claims.
ALL_CLAIM_IDS: LiteralString = "MATCH (c:Claim) RETURN collect(c.id) AS ids"

LAST_RUN: LiteralString = """
OPTIONAL MATCH (s:CalibrationState {name: $name})
RETURN toString(s.last_run) AS last_run
"""

# Claims to recompute since the last update: never derived, evidence removed (kg marks them
# `confidence_stale`), a finding written or reviewed, a retraction, or a source that moved to
# another line of research.
DIRTY_CLAIMS: LiteralString = """
MATCH (c:Claim)
WHERE c.confidence IS NULL OR c.confidence_stale = true
RETURN c.id AS id
UNION
MATCH (f:Finding) WHERE f.updated_at > datetime($since)
MATCH (f)-[:ABOUT]->(c:Claim)
RETURN c.id AS id
UNION
MATCH (f:Finding) WHERE f.reviewed_at > datetime($since)
MATCH (f)-[:ABOUT]->(c:Claim)
RETURN c.id AS id
UNION
MATCH (s:Source) WHERE s.retracted_at > datetime($since)
MATCH (s)-[:HAS_CLAIM]->(c:Claim)
RETURN c.id AS id
UNION
MATCH (s:Source) WHERE s.retracted_at > datetime($since)
MATCH (s)-[:HAS_CLAIM]->(:Claim)<-[:ABOUT]-(:Finding)-[:ABOUT]->(c:Claim)
RETURN c.id AS id
UNION
MATCH (s:Source)-[r:IN_LINE]->(:Line) WHERE r.since > datetime($since)
MATCH (s)-[:HAS_CLAIM]->(c:Claim)
RETURN c.id AS id
UNION
MATCH (s:Source)-[r:IN_LINE]->(:Line) WHERE r.since > datetime($since)
MATCH (s)-[:HAS_CLAIM]->(:Claim)<-[:ABOUT]-(:Finding)-[:ABOUT]->(c:Claim)
RETURN c.id AS id
"""

CLAIMS_OF_FINDING: LiteralString = """
MATCH (f:Finding {id: $id})-[:ABOUT]->(c:Claim)
RETURN c.id AS id
"""

CLAIMS_OF_SOURCE: LiteralString = """
MATCH (s:Source {id: $id})-[:HAS_CLAIM]->(c:Claim)
RETURN c.id AS id
UNION
MATCH (s:Source {id: $id})-[:HAS_CLAIM]->(:Claim)<-[:ABOUT]-(:Finding)-[:ABOUT]->(c:Claim)
RETURN c.id AS id
"""

VERDICTS: LiteralString = """
MATCH (f:Finding)
WHERE f.status IN ['confirmed', 'dismissed'] AND f.score IS NOT NULL AND f.kind IN $kinds
RETURN f.investigator AS investigator, f.kind AS kind, f.score AS score,
       f.status = 'confirmed' AS is_confirmed
"""

# Verdicts on kinds no map is fitted for (restatements, line-level findings), by kind: the
# report says they were seen and why they do not count.
UNFITTED_VERDICTS: LiteralString = """
MATCH (f:Finding)
WHERE f.status IN ['confirmed', 'dismissed'] AND NOT f.kind IN $kinds
RETURN f.kind AS kind, count(*) AS n ORDER BY kind
"""

CALIBRATION_MAPS: LiteralString = """
MATCH (m:CalibrationMap)
RETURN m.investigator AS investigator, m.method AS method, m.x AS x, m.y AS y, m.a AS a,
       m.b AS b, m.n AS n, m.positives AS positives
"""
