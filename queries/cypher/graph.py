"""Reads of sources, claims and lines of research."""

from __future__ import annotations

from typing import LiteralString

GET_SOURCE: LiteralString = """
MATCH (s:Source {id: $id})
OPTIONAL MATCH (s)-[:IN_LINE]->(l:Line)
RETURN s.id AS id, s.title AS title, s.kind AS kind, s.path AS path, s.date AS date,
       coalesce(s.authors, []) AS authors, coalesce(s.n_claims, 0) AS n_claims,
       s.url AS url, s.organisation AS organisation, l.id AS line_id, l.name AS line_name,
       coalesce(s.retracted, false) AS retracted, s.retraction_reason AS retraction_reason,
       COLLECT { MATCH (s)-[:SUMMARISES]->(t:Source) RETURN t.id } AS summarises,
       COLLECT { MATCH (t:Source)-[:SUMMARISES]->(s) RETURN t.id } AS summarised_by,
       coalesce(s.not_summary_of, []) AS not_summary_of
"""

GET_CLAIM: LiteralString = """
MATCH (s:Source)-[:HAS_CLAIM]->(c:Claim {id: $id})
USING INDEX c:Claim(id)
OPTIONAL MATCH (s)-[:IN_LINE]->(l:Line)
RETURN c.id AS id, c.text AS quote, c.kind AS kind, c.hedge AS hedge,
       coalesce(c.hedge_cues, []) AS hedge_cues, c.speaker AS speaker, c.section AS section,
       c.page AS page, c.start AS start, c.end AS end, c.stated_probability AS stated_probability,
       c.numbers_json AS numbers_json, coalesce(c.lost_content, false) AS lost_content,
       s.id AS source_id, s.title AS source_title, s.path AS source_path, s.kind AS source_kind,
       l.id AS line_id, l.name AS line_name
"""

GET_LINE: LiteralString = """
MATCH (l:Line {id: $id})
RETURN l.id AS id, l.name AS name, coalesce(l.basis, []) AS basis,
       COLLECT {
         MATCH (s:Source)-[r:IN_LINE]->(l)
         RETURN {id: s.id, title: s.title, kind: s.kind, date: s.date,
                 authors: coalesce(s.authors, []), organisation: s.organisation,
                 n_claims: coalesce(s.n_claims, 0), reasons: coalesce(r.reasons, [])} AS m
         ORDER BY s.title
       } AS members,
       COUNT { MATCH (f:Finding)-[:ABOUT]->(l) } AS n_line_findings
"""

LIST_LINES: LiteralString = """
MATCH (l:Line)
WHERE ($after IS NULL OR l.id > $after)
  AND COUNT { (:Source)-[:IN_LINE]->(l) } >= $min_sources
RETURN l.id AS id, l.name AS name, coalesce(l.basis, []) AS basis,
       COLLECT { MATCH (s:Source)-[:IN_LINE]->(l) RETURN s.title ORDER BY s.title } AS sources,
       COUNT { MATCH (:Source)-[:IN_LINE]->(l) } AS n_sources,
       COUNT { MATCH (f:Finding)-[:ABOUT]->(l) } AS n_line_findings
ORDER BY l.id
LIMIT $limit
"""
