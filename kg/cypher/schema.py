"""Schema statements, run in order; every one is idempotent."""

from __future__ import annotations

from typing import LiteralString

SCHEMA_VERSION = 1

SCHEMA_STATEMENTS: tuple[LiteralString, ...] = (
    # Files were once keyed by content (a reverted file then matched its old, emptied
    # record): now by path. On a graph from before, keep the newest record per path.
    "DROP CONSTRAINT file_sha IF EXISTS",
    "MATCH (f:File) WITH f.path AS path, f ORDER BY f.ingested_at DESC "
    "WITH path, collect(f) AS files WHERE size(files) > 1 "
    "UNWIND files[1..] AS old DETACH DELETE old",
    "CREATE CONSTRAINT source_id IF NOT EXISTS FOR (s:Source) REQUIRE s.id IS UNIQUE",
    "CREATE CONSTRAINT passage_id IF NOT EXISTS FOR (p:Passage) REQUIRE p.id IS UNIQUE",
    "CREATE CONSTRAINT claim_id IF NOT EXISTS FOR (c:Claim) REQUIRE c.id IS UNIQUE",
    "CREATE CONSTRAINT file_path IF NOT EXISTS FOR (f:File) REQUIRE f.path IS UNIQUE",
    "CREATE INDEX file_sha256 IF NOT EXISTS FOR (f:File) ON (f.sha256)",
    "CREATE CONSTRAINT author_name IF NOT EXISTS FOR (a:Author) REQUIRE a.name IS UNIQUE",
    "CREATE CONSTRAINT org_name IF NOT EXISTS FOR (o:Organisation) REQUIRE o.name IS UNIQUE",
    "CREATE CONSTRAINT finding_id IF NOT EXISTS FOR (f:Finding) REQUIRE f.id IS UNIQUE",
    "CREATE CONSTRAINT line_id IF NOT EXISTS FOR (l:Line) REQUIRE l.id IS UNIQUE",
    "CREATE CONSTRAINT migration_name IF NOT EXISTS FOR (m:Migration) REQUIRE m.name IS UNIQUE",
    "CREATE CONSTRAINT measure_name IF NOT EXISTS FOR (m:Measure) REQUIRE m.name IS UNIQUE",
    "CREATE CONSTRAINT work_key IF NOT EXISTS FOR (w:Work) REQUIRE w.key IS UNIQUE",
    "CREATE CONSTRAINT method_name IF NOT EXISTS FOR (m:Method) REQUIRE m.name IS UNIQUE",
    "CREATE CONSTRAINT dataset_name IF NOT EXISTS FOR (d:Dataset) REQUIRE d.name IS UNIQUE",
    "CREATE CONSTRAINT calibration_map IF NOT EXISTS FOR (m:CalibrationMap) "
    "REQUIRE m.investigator IS UNIQUE",
    "CREATE CONSTRAINT calibration_state IF NOT EXISTS FOR (s:CalibrationState) "
    "REQUIRE s.name IS UNIQUE",
    "CREATE CONSTRAINT aspect_key IF NOT EXISTS FOR (a:Aspect) REQUIRE a.key IS UNIQUE",
    "CREATE CONSTRAINT topic_id IF NOT EXISTS FOR (t:Topic) REQUIRE t.id IS UNIQUE",
    "CREATE CONSTRAINT lock_name IF NOT EXISTS FOR (l:Lock) REQUIRE l.name IS UNIQUE",
    # cached LLM answers are looked up by id for every askable pair of a batch (thousands);
    # two concurrent runs could MERGE the same id twice before the constraint: keep one
    "MATCH (j:LLMJudgement) WITH j.id AS id, collect(j) AS js WHERE size(js) > 1 "
    "UNWIND js[1..] AS extra DETACH DELETE extra",
    "CREATE CONSTRAINT llm_judgement_id IF NOT EXISTS FOR (j:LLMJudgement) REQUIRE j.id IS UNIQUE",
    "CREATE CONSTRAINT archived_verdict IF NOT EXISTS FOR (v:ArchivedVerdict) "
    "REQUIRE v.finding_id IS UNIQUE",
    "CREATE INDEX archived_verdict_key IF NOT EXISTS FOR (v:ArchivedVerdict) ON (v.key)",
    "CREATE INDEX finding_updated IF NOT EXISTS FOR (f:Finding) ON (f.updated_at)",
    "CREATE INDEX finding_reviewed IF NOT EXISTS FOR (f:Finding) ON (f.reviewed_at)",
    "CREATE INDEX source_retracted IF NOT EXISTS FOR (s:Source) ON (s.retracted_at)",
    "CREATE INDEX claim_confidence IF NOT EXISTS FOR (c:Claim) ON (c.confidence)",
    # No index on `safety_critical`: the lists filter it through coalesce(), which no index
    # serves, and Bloom's weak-critical scene is served by `claim_confidence`. Keeping it cost
    # each write that sets the flag for the first time (or flips it) an index update: writing
    # all 100k confidences of bench/calibration's graph afresh (two thirds of its claims are
    # critical) took 9.5 s of server CPU with it and 8.5 s without (4 alternated rounds).
    "DROP INDEX claim_critical IF EXISTS",
    "CREATE INDEX snapshot_claim IF NOT EXISTS FOR (h:ConfidenceSnapshot) ON (h.claim_id)",
    "CREATE INDEX claim_source IF NOT EXISTS FOR (c:Claim) ON (c.source_id)",
    "CREATE INDEX claim_embed_key IF NOT EXISTS FOR (c:Claim) ON (c.embed_key)",
    "CREATE INDEX claim_kind IF NOT EXISTS FOR (c:Claim) ON (c.kind)",
    "CREATE INDEX claim_created IF NOT EXISTS FOR (c:Claim) ON (c.created_at)",
    "CREATE INDEX finding_kind IF NOT EXISTS FOR (f:Finding) ON (f.kind, f.status)",
    # the unfiltered findings list walks this index in order and stops at the page size
    "CREATE INDEX finding_score IF NOT EXISTS FOR (f:Finding) ON (f.score)",
    "CREATE INDEX source_path IF NOT EXISTS FOR (s:Source) ON (s.path)",
    "CREATE VECTOR INDEX claim_embedding IF NOT EXISTS FOR (c:Claim) ON c.embedding "
    "OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}",
    "CREATE FULLTEXT INDEX claim_text IF NOT EXISTS FOR (c:Claim) ON EACH [c.text]",
    "CREATE FULLTEXT INDEX source_title IF NOT EXISTS FOR (s:Source) ON EACH [s.title]",
)

AWAIT_INDEXES: LiteralString = "CALL db.awaitIndexes($timeout_s)"

RECORD_MIGRATION: LiteralString = """
MERGE (m:Migration {name: $name})
ON CREATE SET m.applied_at = datetime(), m.version = $version
RETURN m.applied_at AS applied_at
"""

APPLIED_MIGRATIONS: LiteralString = "MATCH (m:Migration) RETURN m.name AS name ORDER BY m.version"

# Earlier versions deleted claims without their confidence history (snapshots left unattached).
DROP_ORPHAN_SNAPSHOTS: LiteralString = """
MATCH (h:ConfidenceSnapshot) WHERE NOT EXISTS { (:Claim)-[:HAD_CONFIDENCE]->(h) }
DETACH DELETE h
"""

# Authors, cited works, methods, datasets, organisations and measured quantities that no
# source or claim names any more (forgotten sources left them before DELETE_SOURCE took them).
DROP_ORPHAN_TAGS: LiteralString = """
MATCH (x:Author|Work|Method|Dataset|Organisation|Measure) WHERE NOT EXISTS { (x)--() }
DELETE x
"""

# Sources recorded before their path was made absolute kept the path as typed ("mia/x.md"):
# each takes the path of a file that yields it, the one that path names where it can tell.
ABSOLUTE_SOURCE_PATHS: LiteralString = """
MATCH (f:File)-[:YIELDED]->(s:Source)
WHERE s.path IS NOT NULL AND NOT EXISTS { MATCH (:File {path: s.path})-[:YIELDED]->(s) }
WITH s, f.path AS p ORDER BY p
WITH s, collect(p) AS paths
WITH s, [p IN paths WHERE p ENDS WITH '/' + s.path] + paths AS ranked
SET s.path = ranked[0]
"""

# Claims written before quotes were hashed (`text_sha`, see kg.ids.quote_sha): read in one
# pass, hashed in Python (Cypher has no sha256 without plugins), written back in batches.
CLAIMS_WITHOUT_TEXT_SHA: LiteralString = """
MATCH (c:Claim) WHERE c.text_sha IS NULL AND c.text IS NOT NULL
RETURN c.id AS id, c.text AS text
"""

SET_TEXT_SHA: LiteralString = """
UNWIND $rows AS row
MATCH (c:Claim {id: row.id})
SET c.text_sha = row.sha
"""
