"""Reads for safety-case evaluation: resolving leaves and the evidence behind them."""

from __future__ import annotations

from typing import LiteralString

CLAIM_BY_ID: LiteralString = """
MATCH (s:Source)-[:HAS_CLAIM]->(c:Claim {id: $id})
USING INDEX c:Claim(id)
OPTIONAL MATCH (s)-[:IN_LINE]->(l:Line)
RETURN c.id AS claim_id, c.text AS quote, s.id AS source_id, s.title AS source_title,
       s.path AS source_path, l.id AS line_id, l.name AS line_name
"""

# `source` is words of the title or of the file's *name*, never of its folders: over the API a
# case is evaluated on the server, and matching the whole path let a caller test guesses at the
# server's directories one prefix at a time (red-teamed: "/tmp/r" resolved, "/home/alice/" not)
CLAIMS_BY_QUOTE: LiteralString = """
MATCH (s:Source)-[:HAS_CLAIM]->(c:Claim)
WHERE toLower(c.text) CONTAINS toLower($quote)
  AND ($source IS NULL OR toLower(s.title) CONTAINS toLower($source)
       OR toLower(last(split(replace(coalesce(s.path, ''), '\\\\', '/'), '/')))
          CONTAINS toLower($source))
OPTIONAL MATCH (s)-[:IN_LINE]->(l:Line)
RETURN c.id AS claim_id, c.text AS quote, s.id AS source_id, s.title AS source_title,
       s.path AS source_path, l.id AS line_id, l.name AS line_name
ORDER BY s.id, c.start
LIMIT 20
"""

LEAF_FINDINGS: LiteralString = """
MATCH (c:Claim {id: $id})<-[:ABOUT]-(f:Finding)-[:ABOUT]->(o:Claim)<-[:HAS_CLAIM]-(os:Source)
USING INDEX c:Claim(id)
WHERE o.id <> c.id
OPTIONAL MATCH (os)-[:IN_LINE]->(ol:Line)
RETURN f.id AS finding_id, f.kind AS kind, coalesce(f.status, 'open') AS status,
       f.score AS score, f.rationale AS rationale, o.id AS claim_id, o.text AS quote,
       os.id AS source_id, os.title AS source_title, os.path AS source_path,
       ol.id AS line_id, ol.name AS line_name
ORDER BY f.id
"""

LINE_NAMES: LiteralString = "MATCH (l:Line) RETURN l.id AS id, l.name AS name"
