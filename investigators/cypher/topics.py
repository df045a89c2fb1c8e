"""Reads for topic assignment and labelling."""

from __future__ import annotations

from typing import LiteralString

CLAIMS_WITHOUT_TOPIC: LiteralString = """
UNWIND $ids AS id
MATCH (c:Claim {id: id}) WHERE NOT EXISTS { (c)-[:ABOUT_TOPIC]->(:Topic) }
RETURN c.id AS id
"""

TOPIC_MEMBERS: LiteralString = """
UNWIND $ids AS tid
MATCH (t:Topic {id: tid})<-[:ABOUT_TOPIC]-(c:Claim)
RETURN tid AS id, collect(c.id) AS claims
"""

TOPIC_ASPECTS: LiteralString = """
UNWIND $ids AS tid
MATCH (t:Topic {id: tid})<-[:ABOUT_TOPIC]-(c:Claim)
WITH t, collect(c) AS members, count(DISTINCT c.source_id) AS n_sources
UNWIND members AS c
OPTIONAL MATCH (c)-[:HAS_ASPECT]->(a:Aspect)
WITH t, n_sources, a, count(a) AS n
WITH t, n_sources, a, n,
     CASE WHEN a IS NULL THEN 0 ELSE COUNT { (a)<-[:HAS_ASPECT]-(:Claim) } END AS deg
ORDER BY n DESC
WITH t, n_sources, collect(CASE WHEN a IS NULL THEN null ELSE [a.key, n, deg] END)[..60] AS aspects
RETURN t.id AS id, n_sources, aspects
"""

CLAIMS_WITHOUT_ASPECTS: LiteralString = """
UNWIND $ids AS id
MATCH (c:Claim {id: id}) WHERE c.aspects IS NULL
RETURN c.id AS id, c.text AS text
"""
