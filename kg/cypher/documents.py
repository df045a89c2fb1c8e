"""Writes for ingested documents: sources, passages, claims, files."""

from __future__ import annotations

from typing import LiteralString

from kg.cypher.verdict_key import archived_ids, drop_findings_about_gone

# A source read again says who wrote it, what it cites and uses, and where it is from, anew:
# edges to what it no longer states go (an author taken out of the front matter no longer
# puts the source in a line of research), and nodes left with no edge at all with them.
UPSERT_SOURCE: LiteralString = """
MERGE (s:Source {id: $id})
ON CREATE SET s.created_at = datetime()
SET s += $props, s.updated_at = datetime()
WITH s
CALL (s) {
  MATCH (s)-[r:AUTHORED_BY|CITES|USES_METHOD|USES_DATASET|FROM_ORGANISATION]->(x)
  WHERE NOT ((type(r) = 'AUTHORED_BY' AND x.name IN $authors)
          OR (type(r) = 'CITES' AND x.key IN $cites)
          OR (type(r) = 'USES_METHOD' AND x.name IN $methods)
          OR (type(r) = 'USES_DATASET' AND x.name IN $datasets)
          OR (type(r) = 'FROM_ORGANISATION' AND x.name = coalesce($organisation, '')))
  DELETE r
  WITH DISTINCT x
  WHERE NOT EXISTS { (x)--() }
  DELETE x
}
CALL (s) {
  MATCH (s)-[r:SUMMARISES {declared: 'detected-from-title'}]->()
  DELETE r
}
FOREACH (name IN $authors | MERGE (a:Author {name: name}) MERGE (s)-[:AUTHORED_BY]->(a))
FOREACH (key IN $cites | MERGE (w:Work {key: key}) MERGE (s)-[:CITES]->(w))
FOREACH (name IN $methods | MERGE (m:Method {name: name}) MERGE (s)-[:USES_METHOD]->(m))
FOREACH (name IN $datasets | MERGE (d:Dataset {name: name}) MERGE (s)-[:USES_DATASET]->(d))
"""

LINK_SOURCE_ORGANISATION: LiteralString = """
MATCH (s:Source {id: $id})
MERGE (o:Organisation {name: $organisation})
MERGE (s)-[:FROM_ORGANISATION]->(o)
"""

UPSERT_PASSAGES: LiteralString = """
MATCH (s:Source {id: $source_id})
UNWIND $rows AS row
MERGE (p:Passage {id: row.id})
SET p += row.props
MERGE (s)-[:HAS_PASSAGE]->(p)
"""

UPSERT_CLAIMS: LiteralString = """
MATCH (s:Source {id: $source_id})
UNWIND $rows AS row
MATCH (p:Passage {id: row.passage_id})
MERGE (c:Claim {id: row.id})
ON CREATE SET c.created_at = datetime()
SET c += row.props
MERGE (p)-[:CONTAINS]->(c)
MERGE (s)-[:HAS_CLAIM]->(c)
WITH c, row
CALL (c, row) {
  // a kept claim read again (a revised document, a new extractor): tags it no longer has
  OPTIONAL MATCH (c)-[r:MEASURES|HAS_ASPECT]->(t)
  WHERE (type(r) = 'MEASURES' AND NOT t.name IN coalesce(row.props.measured, []))
     OR (type(r) = 'HAS_ASPECT' AND NOT t.key IN coalesce(row.props.aspects, []))
  DELETE r
  WITH DISTINCT t WHERE t IS NOT NULL AND NOT EXISTS { (t)--() }
  DELETE t
}
FOREACH (m IN coalesce(row.props.measured, []) |
  MERGE (q:Measure {name: m})
  MERGE (c)-[:MEASURES]->(q))
FOREACH (k IN coalesce(row.props.aspects, []) |
  MERGE (a:Aspect {key: k})
  MERGE (c)-[:HAS_ASPECT]->(a))
WITH c, row
WHERE row.embedding IS NOT NULL
CALL db.create.setNodeVectorProperty(c, 'embedding', row.embedding)
"""

# A human verdict outlives the text it was given on: when a finding that a reviewer confirmed
# or dismissed goes with a claim of a replaced document version, its verdict is archived under
# the finding's kind, investigator and the two quotes' hashes, and given back when the same
# investigator finds the same kind of finding between the same two quotes again
# (`kg.cypher.investigation.CARRY_VERDICTS`). Verdicts on claim-to-line findings are archived
# with no key: they are listed, never given back. Archiving a finding again (a file reverted,
# then revised once more) refreshes the entry with its latest verdict.
# A claim that goes takes its findings (reviewed ones archived, as above) and its confidence
# history with it.
_DROP_CLAIM: LiteralString = (
    drop_findings_about_gone
    + """
CALL (gone) {
  OPTIONAL MATCH (gone)-[:HAD_CONFIDENCE]->(h:ConfidenceSnapshot)
  DETACH DELETE h
}
CALL (gone) {
  OPTIONAL MATCH (gone)-[:ABOUT_TOPIC]->(t:Topic)
  SET t.stale = true
}
CALL (gone) {
  OPTIONAL MATCH (gone)-[r:MEASURES]->(m:Measure)
  DELETE r
  WITH DISTINCT m WHERE m IS NOT NULL AND NOT EXISTS { (m)--() }
  DELETE m
}
"""
)

# What a new reading of a source no longer has: passages outside `$passage_ids` (deleted; a
# claim in one that is still read is linked to its new passage by UPSERT_CLAIMS) and claims
# outside `$claim_ids`, whichever passage held them (a changed extractor drops claims from
# passages that stay).
DELETE_STALE_SPANS: LiteralString = (
    """
MATCH (s:Source {id: $source_id})
CALL (s) {
  MATCH (s)-[:HAS_PASSAGE]->(p:Passage) WHERE NOT p.id IN $passage_ids
  DETACH DELETE p
}
WITH s
OPTIONAL MATCH (s)-[:HAS_CLAIM]->(gone:Claim) WHERE NOT gone.id IN $claim_ids
"""
    + _DROP_CLAIM
    + """
DETACH DELETE gone
"""
    + archived_ids
)

# A File is a location (its absolute path); its content is sha256. Sources are content-
# addressed, so two files with the same text yield the same sources (no duplicates), and a
# source stays while any file still yields it.
UPSERT_FILE: LiteralString = """
MERGE (f:File {path: $path})
ON CREATE SET f.first_ingested_at = datetime()
SET f.sha256 = $sha256, f.size = $size, f.format = $format, f.status = 'complete',
    f.ingested_at = datetime(), f.n_sources = size($source_ids)
WITH f
CALL (f) {
  OPTIONAL MATCH (f)-[old:YIELDED]->(:Source)
  DELETE old
}
WITH f
UNWIND range(0, size($source_ids) - 1) AS i
MATCH (s:Source {id: $source_ids[i]})
MERGE (f)-[y:YIELDED]->(s)
SET y.index = i
"""

# Sources of these ids that another file already yields (the same text): one source for both.
OTHER_FILES_YIELDING: LiteralString = """
UNWIND $ids AS id
MATCH (f:File)-[:YIELDED]->(s:Source {id: id})
WHERE f.path <> $path
RETURN s.id AS id, s.title AS title, min(f.path) AS path, collect(f.sha256) AS shas
"""

# A source whose path names this file, which no longer yields it (edited or gone), though
# another file still does: its path becomes that file's (a.md and b.md identical, a.md deleted:
# GET /sources kept showing a.md).
# The source's title, authors and date were read from that file's bytes: where the file it
# now names has other bytes, its record forgets its hash, so the ingest or forget under way
# reads it again (`Ingestor.reread_pending`) and they become its own; a byte-identical copy
# says the same already.
REPOINT_SOURCES: LiteralString = """
MATCH (s:Source {path: $path})
WHERE NOT EXISTS { MATCH (:File {path: $path})-[:YIELDED]->(s) }
MATCH (other:File)-[:YIELDED]->(s)
WITH s, min(other.path) AS other
SET s.path = other
WITH s, other
MATCH (f:File {path: other}) WHERE f.sha256 <> coalesce(s.file_sha256, '')
SET f.sha256 = null
"""

SOURCE_TITLES: LiteralString = """
MATCH (s:Source) WHERE s.id IN $ids RETURN s.id AS id, s.title AS title
"""

# What a user said about a source outlives a revision of its file (red-teamed: editing a
# retracted paper un-retracted it, and a summary link the user declared went with the old
# version, both silently): the retraction in force, the summary links the user declared (both
# ways) and the "not a summary of" pairs go from the version replaced (`$old`) to the new one.
CARRY_SOURCE_STATE: LiteralString = """
MATCH (old:Source {id: $old}), (new:Source {id: $new})
WITH old, new, coalesce(old.retracted, false) AND NOT coalesce(new.retracted, false) AS retract
FOREACH (_ IN CASE WHEN retract THEN [1] ELSE [] END |
  SET new.retracted = true, new.retraction_reason = old.retraction_reason,
      new.retracted_at = datetime())
WITH old, new, retract
CALL (old, new) {
  OPTIONAL MATCH (old)-[:SUMMARISES {declared: 'user'}]->(t:Source) WHERE t <> new
  OPTIONAL MATCH (s:Source)-[:SUMMARISES {declared: 'user'}]->(old) WHERE s <> new
  WITH new, collect(DISTINCT t) AS targets, collect(DISTINCT s) AS summaries
  FOREACH (t IN targets | MERGE (new)-[r:SUMMARISES]->(t) SET r.declared = 'user')
  FOREACH (s IN summaries | MERGE (s)-[r:SUMMARISES]->(new) SET r.declared = 'user')
  RETURN size(targets) + size(summaries) AS links
}
WITH old, new, retract, links,
     [x IN coalesce(new.not_summary_of, []) WHERE x <> old.id]
     + [x IN coalesce(old.not_summary_of, []) WHERE NOT x IN coalesce(new.not_summary_of, [])]
     AS refusals
SET new.not_summary_of = CASE WHEN size(refusals) > 0 THEN refusals END
WITH old, new, retract, links
CALL (old, new) {
  OPTIONAL MATCH (s:Source) WHERE old.id IN coalesce(s.not_summary_of, [])
  FOREACH (_ IN CASE WHEN s IS NULL THEN [] ELSE [1] END |
    SET s.not_summary_of = [x IN s.not_summary_of WHERE x <> old.id] + new.id)
  RETURN count(s) AS refused
}
RETURN retract, old.retraction_reason AS reason, links, refused
"""

SOURCES_SUPERSEDED_BY_FILE: LiteralString = """
MATCH (f:File {path: $path})-[:YIELDED]->(s:Source)
WHERE NOT s.id IN $source_ids AND NOT EXISTS {
  MATCH (other:File)-[:YIELDED]->(s) WHERE other.path <> $path
}
RETURN s.id AS id
"""

# What extracted a file's claims (name@version of each extractor that did), for `f`.
_EXTRACTORS: LiteralString = """,
       COLLECT { MATCH (f)-[:YIELDED]->(:Source)-[:HAS_CLAIM]->(c:Claim)
                 RETURN DISTINCT c.extractor } AS extractors
"""

FILE_STATE: LiteralString = (
    """
MATCH (f:File {path: $path})
RETURN f.sha256 AS sha256, f.status = 'complete' AS complete, f.n_sources AS n_sources,
       [(f)-[y:YIELDED]->(s:Source) | s.id] AS source_ids,
       COUNT { (f)-[:YIELDED]->(:Source)-[:HAS_CLAIM]->(:Claim) } AS n_claims"""
    + _EXTRACTORS
)

# Another complete file with the same bytes whose sources are all still in the graph.
CONTENT_TWIN: LiteralString = (
    """
MATCH (f:File {sha256: $sha256})
WHERE f.status = 'complete' AND f.path <> $path
  AND COUNT { (f)-[:YIELDED]->(:Source) } = f.n_sources
WITH f ORDER BY f.ingested_at DESC LIMIT 1
MATCH (f)-[y:YIELDED]->(s:Source)
WITH f, y, s ORDER BY y.index
RETURN f.path AS path, f.format AS format, collect(s.id) AS source_ids,
       sum(COUNT { (s)-[:HAS_CLAIM]->(:Claim) }) AS n_claims"""
    + _EXTRACTORS
)

FILE_RECORDED: LiteralString = """
RETURN EXISTS { MATCH (:File {path: $path}) } AS held
"""

# Files whose record forgot its bytes' hash (REPOINT_SOURCES): to be read again.
FILES_TO_REREAD: LiteralString = """
MATCH (f:File) WHERE f.sha256 IS NULL
RETURN f.path AS path ORDER BY path
"""

FILES_UNDER: LiteralString = """
MATCH (f:File) WHERE f.path STARTS WITH $prefix
RETURN f.path AS path
"""

DELETE_FILE: LiteralString = """
MATCH (f:File {path: $path})
DETACH DELETE f
"""

# A source that goes takes the authors, cited works, methods, datasets and organisation that
# no other source names (Bloom and `sources` would list them with nothing behind them).
DELETE_SOURCE: LiteralString = (
    """
MATCH (s:Source {id: $id})
CALL (s) {
  MATCH (s)-[r:AUTHORED_BY|CITES|USES_METHOD|USES_DATASET|FROM_ORGANISATION]->(x)
  DELETE r
  WITH DISTINCT x WHERE NOT EXISTS { (x)--() }
  DELETE x
}
OPTIONAL MATCH (s)-[:HAS_PASSAGE]->(p:Passage)
OPTIONAL MATCH (p)-[:CONTAINS]->(gone:Claim)
"""
    + _DROP_CLAIM
    + """
DETACH DELETE gone, p, s
"""
    + archived_ids
)

LINK_SUMMARIES: LiteralString = """
MATCH (s:Source)
WHERE s.summary_of_title IS NOT NULL OR s.summary_of_url IS NOT NULL
MATCH (t:Source)
WHERE t.id <> s.id AND (
  (s.summary_of_url IS NOT NULL AND t.url = s.summary_of_url) OR
  (s.summary_of_title IS NOT NULL AND toLower(t.title) = toLower(s.summary_of_title)))
  AND NOT EXISTS { (t)-[:SUMMARISES]->(s) }  // never both ways (review)
  AND NOT t.id IN coalesce(s.not_summary_of, [])  // a user undid this link
MERGE (s)-[r:SUMMARISES]->(t)
ON CREATE SET r.declared = 'detected-from-title'
RETURN count(r) AS linked
"""

# The link the other way round (the source declared a summary of its summary) is not made:
# `reverse` says so, and nothing is written. A detected link ($how not 'user') is not made
# where a user undid it (`refused`); a user's declaration lifts that.
DECLARE_SUMMARY: LiteralString = """
MATCH (s:Source {id: $summary_id}), (t:Source {id: $source_id})
WITH s, t, EXISTS { (t)-[:SUMMARISES]->(s) } AS reverse,
     $how <> 'user' AND t.id IN coalesce(s.not_summary_of, []) AS refused
CALL (s, t, reverse, refused) {
  WITH s, t WHERE NOT reverse AND NOT refused
  MERGE (s)-[r:SUMMARISES]->(t)
  // a user's link stays the user's when detection finds it too
  SET r.declared = CASE WHEN r.declared = 'user' THEN 'user' ELSE $how END
  WITH s, t, r
  CALL (s, t) {
    WITH s, t WHERE t.id IN coalesce(s.not_summary_of, [])
    SET s.not_summary_of = [x IN s.not_summary_of WHERE x <> t.id]
  }
  RETURN count(r) AS made
}
RETURN made AS linked, reverse, refused
"""

# A user's "not a summary": the link goes (however it was made) and the pair is remembered
# in s.not_summary_of, so neither detection (title, overlap) makes it again. `was` is how the
# removed link had been made (null: there was none); `reverse`: there was none, but the
# other way round there is (the ids were given in the wrong order?): nothing is written.
UNDECLARE_SUMMARY: LiteralString = """
MATCH (s:Source {id: $summary_id}), (t:Source {id: $source_id})
OPTIONAL MATCH (s)-[r:SUMMARISES]->(t)
WITH s, t, r, CASE WHEN r IS NULL THEN null ELSE coalesce(r.declared, 'unknown') END AS was,
     r IS NULL AND EXISTS { (t)-[:SUMMARISES]->(s) } AS reverse
CALL (s, t, r, reverse) {
  WITH s, t, r WHERE NOT reverse
  DELETE r
  SET s.not_summary_of = [x IN coalesce(s.not_summary_of, []) WHERE x <> t.id] + t.id
}
RETURN was, reverse
"""

CLAIM_IDS_WITHOUT_EMBEDDING: LiteralString = """
MATCH (c:Claim) WHERE c.embedding IS NULL RETURN c.id AS id, c.text AS text
"""

SET_EMBEDDINGS: LiteralString = """
UNWIND $rows AS row
MATCH (c:Claim {id: row.id})
CALL db.create.setNodeVectorProperty(c, 'embedding', row.embedding)
"""

ALL_CLAIM_EMBEDDINGS: LiteralString = """
MATCH (c:Claim) WHERE c.embedding IS NOT NULL
RETURN c.id AS id, c.embedding AS embedding ORDER BY c.id
"""

# One record with every id (a record per claim is slow in the driver at 100k claims).
ALL_CLAIM_IDS: LiteralString = (
    "MATCH (c:Claim) WHERE c.embedding IS NOT NULL RETURN collect(c.id) AS ids"
)

# The vectors already in the graph for these embedding keys (kg.ids.embed_key): a claim read
# again (an extractor upgrade, --force, the unchanged sentences of a revised document) keeps its
# vector instead of being embedded again.
EMBEDDINGS_BY_KEY: LiteralString = """
UNWIND $keys AS k
CALL {
  WITH k
  MATCH (c:Claim {embed_key: k}) WHERE c.embedding IS NOT NULL
  RETURN c.embedding AS embedding LIMIT 1
}
RETURN k AS key, embedding
"""

CLAIM_EMBEDDINGS_BY_ID: LiteralString = """
UNWIND $ids AS id
MATCH (c:Claim {id: id})
WHERE c.embedding IS NOT NULL
RETURN c.id AS id, c.embedding AS embedding
"""
