"""Reads for topic assignment and labelling."""

from __future__ import annotations

from typing import LiteralString

CLAIMS_WITHOUT_TOPIC: LiteralString = """
UNWIND $ids AS id
MATCH (c:Claim {id: id}) WHERE NOT EXISTS { (c)-[:ABOUT_TOPIC]->(:Topic) }
RETURN c.id AS id
"""

TOPIC_ASPECTS: LiteralString = """
UNWIND $ids AS tid
MATCH (t:Topic {id: tid})<-[:ABOUT_TOPIC]-(c:Claim)
WITH t, collect(c) AS members, count(DISTINCT c.source_id) AS n_sources
UNWIND members AS c
MATCH (c)-[:HAS_ASPECT]->(a:Aspect)
WITH t, n_sources, a, count(*) AS n
WITH t, n_sources, a, n, COUNT { (a)<-[:HAS_ASPECT]-(:Claim) } AS deg
ORDER BY n DESC
WITH t, n_sources, collect([a.key, n, deg])[..60] AS aspects
RETURN t.id AS id, n_sources, aspects
"""

CLAIMS_WITHOUT_ASPECTS: LiteralString = """
UNWIND $ids AS id
MATCH (c:Claim {id: id}) WHERE c.aspects IS NULL
RETURN c.id AS id, c.text AS text
"""
