from __future__ import annotations

from typing import LiteralString

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

UNINVESTIGATED_CLAIMS: LiteralString = """
MATCH (c:Claim)
WHERE c.investigated_version IS NULL OR c.investigated_version <> $version
RETURN c.id AS id
"""

ALL_CLAIMS: LiteralString = "MATCH (c:Claim) RETURN c.id AS id"


SOURCE_DEPENDENCIES: LiteralString = """
MATCH (s:Source)
OPTIONAL MATCH (s)-[:AUTHORED_BY]->(a:Author)
OPTIONAL MATCH (s)-[:FROM_ORGANISATION]->(o:Organisation)
OPTIONAL MATCH (s)-[:SUMMARISES]->(t:Source)
RETURN s.id AS id, s.title AS title, s.kind AS kind, s.file_sha256 AS file,
       collect(DISTINCT a.name) AS authors, collect(DISTINCT o.name) AS orgs,
       collect(DISTINCT t.id) AS summarises
"""
