"""Writes of the investigation side: lines, findings, verdicts, the LLM response cache."""

from __future__ import annotations

from typing import LiteralString

from kg.cypher.verdict_key import (
    archive_finding,
    archived_ids,
    drop_findings_about_gone,
    key_of_finding,
    unreviewed,
)

MARK_INVESTIGATED: LiteralString = """
UNWIND $ids AS id
MATCH (c:Claim {id: id})
SET c.investigated_version = $version, c.investigated_at = datetime()
"""

# A run that could not conclude about these claims (an unanswered question, a failed end-of-run
# request): the next `investigate` takes them up again, also after `investigate --all`.
UNMARK_INVESTIGATED: LiteralString = """
UNWIND $ids AS id
MATCH (c:Claim {id: id})
REMOVE c.investigated_version, c.investigated_at
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
MERGE (s)-[r:IN_LINE]->(l)
ON CREATE SET r.since = datetime()
SET r.reasons = coalesce(line.member_reasons[sid], [])
"""

# A line of research left with no source goes, and so do the findings about it; a reviewed
# one is archived first (listed by `findings archived`, never given back: lines are regrouped
# on every run). Returns the archived finding ids.
DELETE_EMPTY_LINES: LiteralString = (
    """
MATCH (gone:Line) WHERE NOT EXISTS { (:Source)-[:IN_LINE]->(gone) }
"""
    + drop_findings_about_gone
    + """
DETACH DELETE gone
"""
    + archived_ids
)

EXISTING_FINDINGS: LiteralString = """
UNWIND $ids AS id
MATCH (f:Finding {id: id})
RETURN f.id AS id
"""

# A finding's two sides, as this reading has them. A finding's id does not depend on the
# order of its sides (`kg.ids.pair_id`), so a reading that turns them round (a summary
# distortion read the wrong way by an earlier version, then the right way) finds the same
# finding: the edges of the old order go first (they stayed beside the new ones: each claim
# on both sides, and the source's claim still charged with its summary's distortion).
_SIDES: LiteralString = """
WITH f, a, b
CALL (f, a, b) {
  MATCH (f)-[old:ABOUT]->(x)
  WHERE NOT ((old.side = 'a' AND x = a) OR (old.side = 'b' AND x = b))
  DELETE old
}
MERGE (f)-[:ABOUT {side: 'a'}]->(a)
MERGE (f)-[:ABOUT {side: 'b'}]->(b)
"""

# Labelled matches (index lookups): one constant per kind of side, chosen in kg only.
UPSERT_CLAIM_FINDINGS: LiteralString = (
    """
UNWIND $rows AS row
MATCH (a:Claim {id: row.a_id}), (b:Claim {id: row.b_id})
MERGE (f:Finding {id: row.id})
ON CREATE SET f.created_at = datetime(), f.status = 'open'
SET f += row.props, f.updated_at = datetime()
"""
    + _SIDES
)

UPSERT_LINE_FINDINGS: LiteralString = (
    """
UNWIND $rows AS row
MATCH (a:Line {id: row.a_id}), (b:Line {id: row.b_id})
MERGE (f:Finding {id: row.id})
ON CREATE SET f.created_at = datetime(), f.status = 'open'
SET f += row.props, f.updated_at = datetime()
"""
    + _SIDES
)

UPSERT_CLAIM_LINE_FINDINGS: LiteralString = (
    """
UNWIND $rows AS row
MATCH (a:Claim {id: row.a_id}), (b:Line {id: row.b_id})
MERGE (f:Finding {id: row.id})
ON CREATE SET f.created_at = datetime(), f.status = 'open'
SET f += row.props, f.updated_at = datetime()
"""
    + _SIDES
)

# Open findings of these investigators that a re-run replaces, except those it derived again
# ($keep: their ids; they are rewritten in place). An open one with a verdict history (a
# verdict taken back) has that history archived first, as a reviewed finding's is when its
# claims go: a claim-to-claim one found again takes it back (`CARRY_VERDICTS`). Without this,
# `--all` and the line analysis kept every reopened finding as it was, never recomputed: a
# line-level finding confirmed then reopened still counted a contradiction since dismissed.
# Their claims are marked for a confidence recompute. Returns how many went and the ids of
# those archived.
DELETE_OPEN_FINDINGS: LiteralString = (
    """
MATCH (f:Finding)
WHERE f.status = 'open' AND f.investigator IN $investigators AND NOT f.id IN $keep
CALL (f) {
  WITH f WHERE f.verdict_history IS NOT NULL
  OPTIONAL MATCH (f)-[:ABOUT {side: 'a'}]->(a)
  OPTIONAL MATCH (f)-[:ABOUT {side: 'b'}]->(b)
  """
    + archive_finding
    + """
  RETURN count(*) AS archived
}
OPTIONAL MATCH (f)-[:ABOUT]->(c:Claim)
SET c.confidence_stale = true
WITH DISTINCT f, CASE WHEN archived > 0 THEN f.id END AS archived
DETACH DELETE f
RETURN count(*) AS withdrawn, collect(archived) AS archived
"""
)

# The end of a withdrawal: the findings `f` deleted, their claims marked for a confidence
# recompute, how many went.
_WITHDRAW: LiteralString = """
WITH DISTINCT f
OPTIONAL MATCH (f)-[:ABOUT]->(c:Claim)
SET c.confidence_stale = true
WITH DISTINCT f
DETACH DELETE f
RETURN count(*) AS withdrawn
"""

# Whether any unreviewed finding of these investigators (name -> current version) was made
# at another version: a graph where none was skips the per-batch withdrawal below.
ANY_SUPERSEDED: LiteralString = (
    """
RETURN EXISTS {
  MATCH (f:Finding)
  WHERE """
    + unreviewed
    + """ AND f.investigator IN keys($current)
    AND coalesce(f.version, '') <> $current[f.investigator]
} AS any
"""
)

# Unreviewed findings between the two claims of a pair the run's investigators were just shown
# ($rows: [a id, b id]), made by one of them at another version: the current version judged
# the pair and did not find them again. Without this, re-judging after a model change left
# the old version's findings beside the new ones (a pair called a contradiction by one version
# and a convergence by the next kept both).
WITHDRAW_SUPERSEDED: LiteralString = (
    """
UNWIND $rows AS p
MATCH (a:Claim {id: p[0]})<-[:ABOUT]-(f:Finding)-[:ABOUT]->(b:Claim {id: p[1]})
WHERE """
    + unreviewed
    + """ AND f.investigator IN keys($current)
  AND coalesce(f.version, '') <> $current[f.investigator]"""
    + _WITHDRAW
)

# Unreviewed findings with these ids: contradictions the write files inside a distortion of
# the same two claims instead (`investigators.distortion.fold_contradictions`), filed on their
# own by an earlier run. A reviewed one is kept: its verdict is the user's.
WITHDRAW_FOLDED: LiteralString = (
    """
UNWIND $ids AS id
MATCH (f:Finding {id: id})
WHERE """
    + unreviewed
    + _WITHDRAW
)

# New claim-to-claim findings whose kind, investigator and two quotes (hashes of the exact
# text) match an archived verdict not yet given back (the finding was reviewed on an earlier
# version of a document), between claims of the same two files, take that verdict back, with
# its history: the latest verdict for a finding, one finding for a verdict (red-teamed: a
# verdict was given to every new pair of the same two sentences, papers the reviewer never
# saw among them). A verdict archived before files were recorded matches on quotes alone.
CARRY_VERDICTS: LiteralString = (
    """
UNWIND $ids AS id
MATCH (a:Claim)<-[:ABOUT {side: 'a'}]-(f:Finding {id: id})-[:ABOUT {side: 'b'}]->(b:Claim)
WHERE f.status = 'open' AND a.text_sha IS NOT NULL AND b.text_sha IS NOT NULL
WITH f, """
    + key_of_finding
    + """ AS key,
     head([(s:Source)-[:HAS_CLAIM]->(a) | s.path]) AS fa,
     head([(s:Source)-[:HAS_CLAIM]->(b) | s.path]) AS fb
MATCH (v:ArchivedVerdict {key: key}) WHERE v.carried_to IS NULL
  AND (v.file_a IS NULL OR (v.file_a = fa AND v.file_b = fb) OR (v.file_a = fb AND v.file_b = fa))
WITH f, v ORDER BY v.archived_at DESC, v.reviewed_at DESC, v.finding_id
WITH f, collect(v)[0] AS v
ORDER BY f.id
WITH v, collect(f)[0] AS f
SET f.status = v.status, f.reviewer = v.reviewer, f.review_reason = v.review_reason,
    f.reviewed_at = v.reviewed_at, f.verdict_history = v.verdict_history,
    f.carried_from = v.finding_id,
    v.carried_to = f.id, v.carried_at = datetime()
RETURN count(f) AS carried
"""
)

# The latest verdict is on the finding; every verdict is kept, in order, in its history
# (JSON entries: a second reviewer no longer silently replaces the first one's reason).
# Reopening ($status 'open') an open finding writes nothing: two reopens at once add one step.
SET_VERDICT: LiteralString = """
MATCH (f:Finding {id: $id})
WHERE NOT ($status = 'open' AND coalesce(f.status, 'open') = 'open')
WITH f, datetime() AS now
SET f.status = $status, f.reviewer = $reviewer, f.review_reason = $reason,
    f.reviewed_at = now,
    f.verdict_history = coalesce(f.verdict_history, []) +
      [$entry_head + toString(now) + '"}']
RETURN f.id AS id
"""

GET_LLM_JUDGEMENTS: LiteralString = """
UNWIND $ids AS id
MATCH (j:LLMJudgement {id: id})
RETURN j.id AS id, j.response AS response
"""

PUT_LLM_JUDGEMENTS: LiteralString = """
UNWIND $rows AS row
MERGE (j:LLMJudgement {id: row.id})
ON CREATE SET j.created_at = datetime()
SET j.response = row.response, j.model = row.model, j.prompt_version = row.prompt_version
"""

# A count of misses (`investigators.llm_cache.count_misses`) written only where the entry is
# still the one read before (`expected`), or absent: an answer another job kept in between is
# never replaced by a count. The node is write-locked first (SET/REMOVE of a property), so the
# comparison reads the entry as it is when the write happens, not as it was before another
# transaction committed (Neo4j's read-committed isolation; its documented guard against lost
# updates). Every row's entry after the write is returned.
REPLACE_LLM_JUDGEMENTS: LiteralString = """
UNWIND $rows AS row
MERGE (j:LLMJudgement {id: row.id})
ON CREATE SET j.created_at = datetime()
SET j._lock = true
REMOVE j._lock
WITH j, row, coalesce(j.response IS NULL OR j.response = row.expected, false) AS free
FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
  SET j.response = row.response, j.model = row.model, j.prompt_version = row.prompt_version)
RETURN j.id AS id, j.response AS response
"""

SET_MISSING_DIMENSIONS: LiteralString = """
UNWIND $rows AS row
MATCH (c:Claim {id: row.id})
SET c.safety_critical = true, c.missing_dimensions = row.dimensions,
    c.missing_dimensions_json = row.json, c.missing_dimensions_by = row.by
"""
