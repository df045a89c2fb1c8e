"""Bloom search phrases: graph-returning queries (paths), one per phrase. The perspective
file is generated from these constants (`python -m queries.bloom`), never edited by hand."""

from __future__ import annotations

from typing import LiteralString

# Claims are filtered to those with such findings *before* the limit: a limit first kept 25
# arbitrary matching claims and often returned nothing while contradictions existed.
CONTRADICTIONS_OF_CLAIM: LiteralString = """
MATCH (c:Claim) WHERE (c.id = $claim OR toLower(c.text) CONTAINS toLower($claim))
  AND EXISTS { (c)<-[:ABOUT]-(f:Finding {kind: 'contradicts'})
               WHERE coalesce(f.status, 'open') <> 'dismissed' }
WITH c LIMIT 25
MATCH p = (c)<-[:ABOUT]-(f:Finding {kind: 'contradicts'})-[:ABOUT]->(o:Claim)
WHERE coalesce(f.status, 'open') <> 'dismissed'
MATCH q = (o)<-[:HAS_CLAIM]-(:Source)
RETURN p, q
"""

WHAT_SUPPORTS_CLAIM: LiteralString = """
MATCH (c:Claim) WHERE (c.id = $claim OR toLower(c.text) CONTAINS toLower($claim))
  AND EXISTS { (c)<-[:ABOUT]-(f:Finding {kind: 'converges_with'})
               WHERE coalesce(f.status, 'open') <> 'dismissed' }
WITH c LIMIT 25
MATCH p = (c)<-[:ABOUT]-(f:Finding)-[:ABOUT]->(o:Claim)
WHERE f.kind = 'converges_with' AND coalesce(f.status, 'open') <> 'dismissed'
MATCH q = (o)<-[:HAS_CLAIM]-(s:Source)
OPTIONAL MATCH r = (s)-[:IN_LINE]->(:Line)
RETURN p, q, r
"""

# Bloom passes the phrase's words straight in: they are lower-cased (so AND / OR / NOT are
# words, not Lucene operators) and Lucene's special characters are escaped, so "probes
# (linear)" or "AUROC: 0.79" search for those words instead of failing as bad syntax.
_LUCENE_ESCAPED: LiteralString = (
    "replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("
    "replace(replace(replace(replace(replace(replace(replace(replace(replace("
    "toLower($topic), '\\\\', '\\\\\\\\'), '+', '\\\\+'), '-', '\\\\-'), "
    "'&', '\\\\&'), '|', '\\\\|'), '!', '\\\\!'), '(', '\\\\('), ')', '\\\\)'), "
    "'{', '\\\\{'), '}', '\\\\}'), '[', '\\\\['), ']', '\\\\]'), '^', '\\\\^'), "
    "'\"', '\\\\\"'), '~', '\\\\~'), '*', '\\\\*'), '?', '\\\\?'), ':', '\\\\:'), '/', '\\\\/')"
)

# An empty phrase finds nothing (Lucene refused it: red-teamed).
CLAIMS_ABOUT_TOPIC: LiteralString = (
    """
WITH 1 AS one WHERE trim($topic) <> ''
CALL db.index.fulltext.queryNodes('claim_text', """
    + _LUCENE_ESCAPED
    + """) YIELD node, score
WITH node, score ORDER BY score DESC LIMIT 25
MATCH p = (node)<-[:HAS_CLAIM]-(:Source)
RETURN p
"""
)

OPEN_FINDINGS_IN_SOURCE: LiteralString = """
MATCH (s:Source) WHERE s.id = $source OR toLower(s.title) CONTAINS toLower($source)
WITH s LIMIT 5
MATCH p = (s)-[:HAS_CLAIM]->(:Claim)<-[:ABOUT]-(f:Finding)-[:ABOUT]->(:Claim)
WHERE coalesce(f.status, 'open') = 'open'
RETURN p LIMIT 300
"""

LINE_OF_SOURCE: LiteralString = """
MATCH (s:Source) WHERE s.id = $source OR toLower(s.title) CONTAINS toLower($source)
WITH s LIMIT 5
MATCH p = (s)-[:IN_LINE]->(l:Line)
OPTIONAL MATCH q = (l)<-[:IN_LINE]-(:Source)
OPTIONAL MATCH r = (l)<-[:ABOUT]-(:Finding)
RETURN p, q, r
"""

WEAK_SAFETY_CRITICAL_CLAIMS: LiteralString = """
MATCH (c:Claim) WHERE c.safety_critical = true AND c.confidence < $max_confidence
WITH c ORDER BY c.confidence LIMIT 50
MATCH p = (c)<-[:HAS_CLAIM]-(:Source)
OPTIONAL MATCH q = (c)<-[:ABOUT]-(:Finding)
RETURN p, q
"""

# Each finding once: side a to side b (both ways listed every path twice: red-teamed).
SUMMARY_DISTORTIONS: LiteralString = """
MATCH p = (:Source)-[:HAS_CLAIM]->(:Claim)<-[:ABOUT {side: 'a'}]-(f:Finding {kind: 'distorts'})
          -[:ABOUT {side: 'b'}]->(:Claim)<-[:HAS_CLAIM]-(:Source)
WHERE coalesce(f.status, 'open') <> 'dismissed'
RETURN p LIMIT 200
"""

# Who says what on a topic: the topic (by id or words of its label), each source's claims
# on it, and the findings between them.
POSITIONS_ON_TOPIC: LiteralString = """
MATCH (t:Topic) WHERE t.id = $topic OR toLower(t.label) CONTAINS toLower($topic)
WITH t ORDER BY coalesce(t.n_sources, 0) DESC LIMIT 3
MATCH p = (t)<-[:ABOUT_TOPIC]-(c:Claim)<-[:HAS_CLAIM]-(:Source)
OPTIONAL MATCH q = (c)<-[:ABOUT]-(f:Finding)-[:ABOUT]->(:Claim)-[:ABOUT_TOPIC]->(t)
WHERE coalesce(f.status, 'open') <> 'dismissed'
RETURN p, q LIMIT 300
"""
