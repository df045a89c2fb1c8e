"""Reads of stored confidences and their history."""

from __future__ import annotations

from typing import LiteralString

# A claim no finding bears on has no stored evidence counts (the confidence writer, in kg):
# the `$with_evidence` filter reads an absent count as none, and `queries.confidence` reads
# them as 0.
# Stored confidences, highest or lowest first. One statement per direction: ordering by a
# CASE over $order forced a sort of every claim in range, while a plain `c.confidence DESC`
# (or ASC) reads the confidence index in order and stops after the page.
_CONFIDENCES: LiteralString = """
MATCH (s:Source)-[:HAS_CLAIM]->(c:Claim)
WHERE c.confidence IS NOT NULL
  AND ($critical IS NULL OR coalesce(c.safety_critical, false) = $critical)
  AND ($source_id IS NULL OR s.id = $source_id)
  AND c.confidence <= $max_p AND c.confidence >= $min_p
  AND (NOT $with_evidence OR c.confidence_lines > 0 OR c.confidence_oppose_lines > 0
       OR c.confidence_contested)
"""


# A page as ONE record holding every row as a map shaped like `queries.models.ConfidenceRow`
# (validated in one call): a record per claim cost the driver a Bolt message and a Record each,
# and the API's own CPU per page more than the statement's. Every listed claim has a stored
# confidence, so an absent evidence count is 0.
def _page(order: LiteralString) -> LiteralString:
    return (
        _CONFIDENCES
        + "WITH s, c ORDER BY "
        + order
        + """ SKIP $skip LIMIT $limit
WITH s, c ORDER BY """
        + order
        + """
RETURN collect({claim_id: c.id, quote: c.text, source_id: s.id, source_title: s.title,
       p: c.confidence, low: c.confidence_low, high: c.confidence_high,
       support_lines: coalesce(c.confidence_lines, 0),
       oppose_lines: coalesce(c.confidence_oppose_lines, 0),
       effective_lines: coalesce(c.confidence_effective_lines, 0),
       contested: coalesce(c.confidence_contested, false),
       safety_critical: coalesce(c.safety_critical, false),
       computed_at: toString(c.confidence_at)}) AS rows
"""
    )


CONFIDENCES_HIGHEST: LiteralString = _page("c.confidence DESC, c.id")
CONFIDENCES_LOWEST: LiteralString = _page("c.confidence, c.id")

CLAIM_CONFIDENCE: LiteralString = """
MATCH (s:Source)-[:HAS_CLAIM]->(c:Claim {id: $id})
USING INDEX c:Claim(id)
RETURN c.id AS claim_id, c.text AS quote, s.id AS source_id, s.title AS source_title,
       c.confidence AS p, c.confidence_low AS low, c.confidence_high AS high,
       c.confidence_lines AS support_lines, c.confidence_oppose_lines AS oppose_lines,
       c.confidence_effective_lines AS effective_lines,
       coalesce(c.confidence_contested, false) AS contested,
       coalesce(c.safety_critical, false) AS safety_critical,
       toString(c.confidence_at) AS computed_at, c.confidence_derivation AS derivation,
       COLLECT { MATCH (c)-[:HAD_CONFIDENCE]->(h:ConfidenceSnapshot)
                 RETURN {at: toString(h.at), p: h.p, low: h.low, high: h.high,
                         reason: h.reason} ORDER BY h.at }
       + CASE WHEN c.confidence_since IS NULL THEN []
              ELSE [{at: toString(c.confidence_since), p: c.confidence,
                     low: c.confidence_low, high: c.confidence_high,
                     reason: c.confidence_reason}] END AS history
"""

CONFIDENCE_SUMMARY: LiteralString = """
MATCH (c:Claim)
RETURN count(c) AS claims, count(c.confidence) AS scored,
       count(CASE WHEN c.safety_critical THEN 1 END) AS safety_critical,
       count(CASE WHEN c.confidence_contested THEN 1 END) AS contested
"""
