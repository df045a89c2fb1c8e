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

MARK_INVESTIGATED: LiteralString = """
UNWIND $ids AS id
MATCH (c:Claim {id: id})
SET c.investigated_version = $version, c.investigated_at = datetime()
"""

CLAIMS_MEASURING: LiteralString = """
UNWIND $quantities AS q
MATCH (c:Claim) WHERE q IN c.measured AND c.has_numbers
RETURN q AS quantity, collect(c.id)[..$limit] AS ids
"""

SOURCE_DEPENDENCIES: LiteralString = """
MATCH (s:Source)
OPTIONAL MATCH (s)-[:AUTHORED_BY]->(a:Author)
OPTIONAL MATCH (s)-[:FROM_ORGANISATION]->(o:Organisation)
OPTIONAL MATCH (s)-[:SUMMARISES]->(t:Source)
RETURN s.id AS id, s.title AS title, s.kind AS kind, s.file_sha256 AS file,
       collect(DISTINCT a.name) AS authors, collect(DISTINCT o.name) AS orgs,
       collect(DISTINCT t.id) AS summarises
"""

UPSERT_LINES: LiteralString = """
UNWIND $lines AS line
MERGE (l:Line {id: line.id})
SET l.name = line.name, l.size = size(line.members), l.basis = line.basis
WITH l, line
UNWIND line.members AS sid
MATCH (s:Source {id: sid})
OPTIONAL MATCH (s)-[old:IN_LINE]->(other:Line) WHERE other.id <> l.id
DELETE old
MERGE (s)-[:IN_LINE]->(l)
"""

DELETE_EMPTY_LINES: LiteralString = """
MATCH (l:Line) WHERE NOT EXISTS { (:Source)-[:IN_LINE]->(l) } DETACH DELETE l
"""

UPSERT_FINDINGS: LiteralString = """
UNWIND $rows AS row
MATCH (a {id: row.a_id}), (b {id: row.b_id})
MERGE (f:Finding {id: row.id})
ON CREATE SET f.created_at = datetime(), f.status = 'open'
SET f += row.props, f.updated_at = datetime()
MERGE (f)-[ra:ABOUT {side: 'a'}]->(a)
MERGE (f)-[rb:ABOUT {side: 'b'}]->(b)
"""

DELETE_OPEN_FINDINGS: LiteralString = """
MATCH (f:Finding) WHERE f.status = 'open' AND f.investigator IN $investigators
DETACH DELETE f
"""
