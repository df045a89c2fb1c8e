from __future__ import annotations

from typing import LiteralString

VECTOR_SEARCH_CLAIMS: LiteralString = """
CALL db.index.vector.queryNodes('claim_embedding', $k, $vector) YIELD node AS c, score
MATCH (s:Source)-[:HAS_CLAIM]->(c)
RETURN c.id AS claim_id, c.text AS quote, score, c.kind AS kind, c.hedge AS hedge,
       c.speaker AS speaker, c.section AS section, c.page AS page, c.start AS start,
       c.end AS end,
       s.id AS source_id, s.title AS source_title, s.path AS source_path
ORDER BY score DESC
"""

# The words' hits with their similarity of meaning to the query, on the vector index's scale
# ((1 + cosine) / 2): one score orders the hits of both searches (`queries.search`).
FULLTEXT_SEARCH_CLAIMS_BY_MEANING: LiteralString = """
CALL db.index.fulltext.queryNodes('claim_text', $terms, {limit: $k}) YIELD node AS c
MATCH (s:Source)-[:HAS_CLAIM]->(c)
RETURN c.id AS claim_id, c.text AS quote,
       coalesce(vector.similarity.cosine(c.embedding, $vector), 0.0) AS score,
       c.kind AS kind, c.hedge AS hedge,
       c.speaker AS speaker, c.section AS section, c.page AS page, c.start AS start,
       c.end AS end,
       s.id AS source_id, s.title AS source_title, s.path AS source_path
"""

FULLTEXT_SEARCH_CLAIMS: LiteralString = """
CALL db.index.fulltext.queryNodes('claim_text', $terms, {limit: $k}) YIELD node AS c, score
MATCH (s:Source)-[:HAS_CLAIM]->(c)
RETURN c.id AS claim_id, c.text AS quote, score, c.kind AS kind, c.hedge AS hedge,
       c.speaker AS speaker, c.section AS section, c.page AS page, c.start AS start,
       c.end AS end,
       s.id AS source_id, s.title AS source_title, s.path AS source_path
ORDER BY score DESC
"""
