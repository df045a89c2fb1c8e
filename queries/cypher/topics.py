"""Reads: topics and who says what on each."""

from __future__ import annotations

from typing import LiteralString

LIST_TOPICS: LiteralString = """
MATCH (t:Topic)
WITH t, coalesce(t.n_sources, 0) AS n_sources
WHERE n_sources >= $min_sources
  AND ($after_n IS NULL OR n_sources < $after_n OR (n_sources = $after_n AND t.id < $after_id))
ORDER BY n_sources DESC, t.id DESC
LIMIT $limit
RETURN t.id AS id, coalesce(t.label, '(unlabelled)') AS label,
       coalesce(t.key_phrases, []) AS key_phrases, coalesce(t.size, 0) AS n_claims,
       n_sources,
       // each claim once, however many contradictions touch it (red-teamed: it counted them)
       COUNT { MATCH (t)<-[:ABOUT_TOPIC]-(c:Claim)
               WHERE EXISTS { (c)<-[:ABOUT]-(f:Finding {kind: 'contradicts'})
                              WHERE coalesce(f.status, 'open') <> 'dismissed' } }
         AS n_contradiction_sides
"""

TOPIC_POSITIONS: LiteralString = """
MATCH (t:Topic {id: $id})<-[:ABOUT_TOPIC]-(c:Claim)<-[:HAS_CLAIM]-(s:Source)
WITH t, s, c ORDER BY c.start
WITH t, s, collect({id: c.id, text: c.text, kind: c.kind, hedge: c.hedge,
                    confidence: c.confidence})[..$per_source] AS claims
RETURN t.id AS id, coalesce(t.label, '(unlabelled)') AS label,
       coalesce(t.key_phrases, []) AS key_phrases,
       collect({source_id: s.id, source_title: s.title, claims: claims}) AS positions
"""

TOPIC_FINDINGS: LiteralString = """
MATCH (t:Topic {id: $id})<-[:ABOUT_TOPIC]-(a:Claim)<-[:ABOUT {side: 'a'}]-(f:Finding)
MATCH (f)-[:ABOUT {side: 'b'}]->(b:Claim)
WHERE coalesce(f.status, 'open') <> 'dismissed'
  AND f.kind IN ['contradicts', 'converges_with', 'restates']
RETURN f.id AS id, f.kind AS kind, f.score AS score, a.text AS a_text, b.text AS b_text
ORDER BY f.score DESC LIMIT $limit
"""
