"""Reads for candidate retrieval: lexical, aspects, topics, claim order, sources."""

from __future__ import annotations

from typing import LiteralString

# One record of two parallel lists: a record per claim cost the driver about 0.2 ms each (a
# Bolt message and its socket reads), seconds per run at 100k claims.
CLAIM_SOURCES: LiteralString = """
MATCH (c:Claim)
RETURN collect(c.id) AS ids, collect(coalesce(c.source_id, '')) AS sources
"""

# What the learned ranker reads about the candidates it is given (investigators/retrieval/
# ranker.py), as one record of parallel lists (never null: a null would shift them).
CLAIM_TRAITS: LiteralString = """
UNWIND $ids AS id
MATCH (s:Source)-[:HAS_CLAIM]->(c:Claim {id: id})
RETURN collect(c.id) AS ids, collect(coalesce(size(c.text), 0)) AS lengths,
       collect(coalesce(c.kind, 'statement')) AS kinds,
       collect(coalesce(c.in_footnote, false)) AS footnotes,
       collect(coalesce(s.kind, 'unknown')) AS source_kinds
"""

# Every claim with its source's path: where labelled quotes are looked for (fit-ranker, bench).
CLAIMS_WITH_PATHS: LiteralString = """
MATCH (s:Source)-[:HAS_CLAIM]->(c:Claim)
RETURN c.id AS id, c.text AS text, s.path AS path
"""

CLAIM_TEXTS: LiteralString = """
UNWIND $ids AS id
MATCH (c:Claim {id: id})
RETURN c.id AS id, c.text AS text, c.source_id AS source_id, coalesce(c.aspects, []) AS aspects
"""

# Lucene BM25 on the claim text; queries are built from plain lower-case words only.
LEXICAL_NEIGHBOURS: LiteralString = """
UNWIND $rows AS row
CALL db.index.fulltext.queryNodes('claim_text', row.q, {limit: $k}) YIELD node, score
WITH row, node, score WHERE node.source_id <> row.source_id
RETURN row.id AS id, collect([node.id, score]) AS hits
"""

# Claims of other sources that share a rare aspect (degree = claims with that aspect).
ASPECT_NEIGHBOURS: LiteralString = """
UNWIND $ids AS id
MATCH (c:Claim {id: id})-[:HAS_ASPECT]->(a:Aspect)
WITH c, a, COUNT { (a)<-[:HAS_ASPECT]-(:Claim) } AS deg
WHERE deg > 1 AND deg <= $max_degree
MATCH (a)<-[:HAS_ASPECT]-(o:Claim)
WHERE o.source_id <> c.source_id
WITH c, o, sum(log(toFloat($n) / deg)) AS score
ORDER BY score DESC
WITH c, collect([o.id, score])[..$k] AS hits
RETURN c.id AS id, hits
"""

SOURCE_CLAIM_ORDER: LiteralString = """
UNWIND $sources AS sid
MATCH (c:Claim {source_id: sid})
WITH sid, c ORDER BY c.start
RETURN sid AS source_id, collect(c.id) AS ids
"""

TOPIC_CENTROIDS: LiteralString = """
MATCH (t:Topic) RETURN t.id AS id, t.centroid AS centroid, t.size AS size
"""

# The `limit` most similar partners in the topic (a topic may hold hundreds of claims: without
# an order the subset was arbitrary and runs were not reproducible), ties by id.
TOPIC_PARTNERS: LiteralString = """
UNWIND $ids AS id
MATCH (c:Claim {id: id})-[:ABOUT_TOPIC]->(t:Topic)
CALL (c, t) {
  MATCH (t)<-[:ABOUT_TOPIC]-(o:Claim) WHERE o.source_id <> c.source_id
  RETURN o.id AS other
  ORDER BY coalesce(vector.similarity.cosine(c.embedding, o.embedding), -1.0) DESC, o.id
  LIMIT $limit
}
RETURN c.id AS id, collect(other) AS others
"""
