"""Writes for topics and aspects."""

from __future__ import annotations

from typing import LiteralString

UPSERT_TOPICS: LiteralString = """
UNWIND $rows AS row
MERGE (t:Topic {id: row.id})
ON CREATE SET t.created_at = datetime()
SET t.centroid = row.centroid, t.size = row.size, t.updated_at = datetime()
"""

SET_TOPIC_CENTROIDS: LiteralString = """
UNWIND $rows AS row
MATCH (t:Topic {id: row.id})
SET t.centroid = row.centroid, t.updated_at = datetime()
"""

LINK_TOPIC_MEMBERS: LiteralString = """
UNWIND $rows AS row
MATCH (c:Claim {id: row.claim_id}), (t:Topic {id: row.topic_id})
OPTIONAL MATCH (c)-[old:ABOUT_TOPIC]->(o:Topic) WHERE o.id <> t.id
DELETE old
MERGE (c)-[:ABOUT_TOPIC]->(t)
"""

SET_TOPIC_LABELS: LiteralString = """
UNWIND $rows AS row
MATCH (t:Topic {id: row.id})
SET t.label = row.label, t.key_phrases = row.key_phrases, t.n_sources = row.n_sources
"""

# Topics that lost claims (their documents edited or forgotten; kg marks them `stale`): their
# size now. Their labels and source counts are then redone (`topic_runner.label_topics`).
REFRESH_STALE_TOPICS: LiteralString = """
MATCH (t:Topic {stale: true})
SET t.size = COUNT { (:Claim)-[:ABOUT_TOPIC]->(t) }
RETURN t.id AS id, t.size AS size
"""

# Marked redone once their centroids and labels are written (a failure before leaves them
# marked, for the next run).
CLEAR_STALE_TOPICS: LiteralString = """
UNWIND $ids AS tid
MATCH (t:Topic {id: tid})
REMOVE t.stale
"""

DELETE_EMPTY_TOPICS: LiteralString = """
MATCH (t:Topic) WHERE NOT EXISTS { (:Claim)-[:ABOUT_TOPIC]->(t) } DETACH DELETE t
"""

SET_ASPECTS: LiteralString = """
UNWIND $rows AS row
MATCH (c:Claim {id: row.id})
SET c.aspects = row.aspects
FOREACH (k IN row.aspects | MERGE (a:Aspect {key: k}) MERGE (c)-[:HAS_ASPECT]->(a))
"""

DELETE_ORPHAN_ASPECTS: LiteralString = """
MATCH (a:Aspect) WHERE NOT EXISTS { (:Claim)-[:HAS_ASPECT]->(a) } DETACH DELETE a
"""
