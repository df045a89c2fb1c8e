from __future__ import annotations

from typing import LiteralString

from kg.cypher.verdict_key import quotes_key, unreviewed

CLAIM_VIEWS: LiteralString = """
UNWIND $ids AS id
MATCH (s:Source)-[:HAS_CLAIM]->(c:Claim {id: id})
OPTIONAL MATCH (s)-[:IN_LINE]->(l:Line)
RETURN c.id AS id, c.text AS text, c.normalized AS normalized, c.kind AS kind,
       c.hedge AS hedge, c.speaker AS speaker, c.stated_probability AS stated_probability,
       c.numbers_json AS numbers_json, coalesce(c.in_footnote, false) AS in_footnote,
       s.id AS source_id, s.title AS source_title, s.path AS source_path,
       s.kind AS source_kind, l.id AS line_id
"""

# checked_with: the preset that last checked the claim (null: never checked)
# A claim is checked when every investigator of the preset (`$parts`, "name@version") checked
# it at that version: also by a preset with more investigators (a run without the LLM key
# after runs with it need not check every claim again; with the key again, the claims the
# adjudicator has not seen are).
UNINVESTIGATED_CLAIMS: LiteralString = """
MATCH (c:Claim)
WHERE c.investigated_version IS NULL
   OR (c.investigated_version <> $version
       AND NOT all(p IN $parts WHERE p IN split(c.investigated_version, ',')))
RETURN c.id AS id, c.investigated_version AS checked_with
"""

ALL_CLAIMS: LiteralString = "MATCH (c:Claim) RETURN c.id AS id"


SOURCE_DEPENDENCIES: LiteralString = """
MATCH (s:Source)
RETURN s.id AS id, s.title AS title, s.kind AS kind,
       [(s)-[:AUTHORED_BY]->(a:Author) | a.name] AS authors,
       [(s)-[:FROM_ORGANISATION]->(o:Organisation) | o.name] AS orgs,
       [(s)-[:SUMMARISES]->(t:Source) | t.id] AS summarises,
       [(s)-[:CITES]->(w:Work) | w.key] AS cites,
       [(s)-[:USES_METHOD]->(m:Method) | m.name] AS methods,
       [(s)-[:USES_DATASET]->(d:Dataset) | d.name] AS datasets,
       coalesce(s.speakers, []) AS speakers
"""

FINDINGS_BETWEEN_LINES: LiteralString = """
MATCH (f:Finding)
WHERE f.kind IN ['contradicts', 'converges_with', 'restates'] AND f.status <> 'dismissed'
MATCH (f)-[:ABOUT {side: 'a'}]->(a:Claim)<-[:HAS_CLAIM]-(:Source)-[:IN_LINE]->(la:Line)
MATCH (f)-[:ABOUT {side: 'b'}]->(b:Claim)<-[:HAS_CLAIM]-(:Source)-[:IN_LINE]->(lb:Line)
RETURN f.id AS id, f.kind AS kind, f.score AS score, a.id AS a_id, b.id AS b_id,
       a.text AS a_text, b.text AS b_text, la.id AS a_line, lb.id AS b_line,
       la.name AS a_line_name, lb.name AS b_line_name
"""

# Line-level findings open again after a verdict taken back (kept by a verdict's refresh: the
# next run recomputes them and says which went)
REOPENED_OF: LiteralString = """
MATCH (f:Finding {investigator: $investigator})
WHERE f.status = 'open' AND f.verdict_history IS NOT NULL
RETURN f.id AS id
"""

QUANTITY_PARTNERS: LiteralString = """
UNWIND $ids AS id
MATCH (c:Claim {id: id})-[:MEASURES]->(m:Measure)
CALL (c, m) {
  MATCH (m)<-[:MEASURES]-(o:Claim) WHERE o.source_id <> c.source_id
  RETURN o.id AS other LIMIT $limit
}
RETURN c.id AS id, collect(DISTINCT other) AS others
"""

SOURCES_OF_CLAIMS: LiteralString = """
UNWIND $ids AS id
MATCH (s:Source)-[:HAS_CLAIM]->(c:Claim {id: id})
RETURN c.id AS id, s.id AS source_id, coalesce(s.n_claims, 0) AS n_claims
"""

EXISTING_SUMMARY_LINKS: LiteralString = """
MATCH (a:Source)-[:SUMMARISES]-(b:Source) RETURN a.id AS a, b.id AS b
"""


# Of these claim pairs ($rows: a, b, the ids of their findings, and the kind:investigator parts
# of the keys their archived verdicts would have), those where a human verdict bears on one of
# the findings: given (a status other than open, or a verdict history: one taken back), or
# archived with an earlier version of a document (it may be given back by this write). A
# verdict on a distortion that already held the contradiction (cue `contradicts-source`) was
# given with that reading in view: it does not hold the pair (review).
REVIEWED_PAIRS: LiteralString = (
    """
UNWIND $rows AS row
MATCH (a:Claim {id: row.a}), (b:Claim {id: row.b})
WITH row, """
    + quotes_key
    + """ AS quotes
WHERE EXISTS {
  MATCH (f:Finding) WHERE f.id IN row.ids
    AND NOT """
    + unreviewed
    + """
    AND NOT (f.kind = 'distorts' AND 'contradicts-source' IN coalesce(f.cues, []))
} OR EXISTS {
  MATCH (v:ArchivedVerdict)
  WHERE v.key IN [k IN row.keys | k + ':' + quotes] AND v.carried_to IS NULL
}
RETURN row.a AS a, row.b AS b
"""
)
