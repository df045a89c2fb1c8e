"""Archived human verdicts, as Cypher fragments shared by the statements that archive them
(kg.cypher.documents when claims go, kg.cypher.investigation when lines of research go) and
the one that gives them back (kg.cypher.investigation).

The key an archived verdict is found again by: finding kind, investigator and the two
quotes' hashes, in sorted order. It reads `f` (the finding), `a` and `b` (its two claims,
both with `text_sha`)."""

from __future__ import annotations

from typing import LiteralString

# Expressions, not statements (lower case: the schema test EXPLAINs upper-case constants).
# A finding (`f`) no human has given a verdict on: open, with no verdict history (one whose
# verdict was taken back is open again but keeps its history: it is kept, and archived, like a
# reviewed one). `NOT unreviewed` is reviewed.
unreviewed: LiteralString = "(f.status = 'open' AND f.verdict_history IS NULL)"
# The two quotes' part of the key (`a` and `b` are the claims): the key of a finding of kind K by
# investigator I between them is K + ':' + I + ':' + quotes_key.
quotes_key: LiteralString = """CASE WHEN a.text_sha <= b.text_sha THEN a.text_sha + ':' + b.text_sha
       ELSE b.text_sha + ':' + a.text_sha END"""
key_of_finding: LiteralString = (
    "f.kind + ':' + coalesce(f.investigator, '') + ':' +\n  " + quotes_key
)


# Archive the verdict on `f` (reviewed), whose sides `a` and `b` are claims or lines (either
# may be null): kind, investigator, status, reviewer, reason, history, both quotes (a line
# by its name) and the files the claims' documents came from (a verdict is given back only
# between the same two files: a reviewer's reason is about those documents). Only a finding
# between two claims gets a key; the others are listed, never given back. Archiving a finding
# again refreshes the entry with its latest verdict.
archive_finding: LiteralString = (
    """MERGE (v:ArchivedVerdict {finding_id: f.id})
  SET v.archived_at = datetime(), v.kind = f.kind, v.investigator = f.investigator,
      v.status = f.status, v.reviewer = f.reviewer, v.review_reason = f.review_reason,
      v.reviewed_at = f.reviewed_at, v.verdict_history = f.verdict_history,
      v.quote_a = CASE WHEN a:Line THEN 'line of research “' + coalesce(a.name, a.id) + '”'
                       ELSE a.text END,
      v.quote_b = CASE WHEN b:Line THEN 'line of research “' + coalesce(b.name, b.id) + '”'
                       ELSE b.text END,
      v.source_a = a.source_id, v.source_b = b.source_id,
      v.file_a = CASE WHEN a:Claim THEN head([(s:Source)-[:HAS_CLAIM]->(a) | s.path]) END,
      v.file_b = CASE WHEN b:Claim THEN head([(s:Source)-[:HAS_CLAIM]->(b) | s.path]) END,
      v.carried_to = null,
      v.carried_at = null,
      v.key = CASE WHEN a.text_sha IS NULL OR b.text_sha IS NULL THEN null ELSE
"""
    + key_of_finding
    + " END"
)


# Findings about `gone` (a claim or a line of research about to be deleted, or null): the
# reviewed ones archived (`archived`: their ids), then all of them deleted; the claims on their
# other side must be re-derived. Used by every statement that deletes claims or lines.
drop_findings_about_gone: LiteralString = (
    """
CALL (gone) {
  MATCH (gone)<-[:ABOUT]-(f:Finding)
  WHERE NOT """
    + unreviewed
    + """
  OPTIONAL MATCH (f)-[:ABOUT {side: 'a'}]->(a)
  OPTIONAL MATCH (f)-[:ABOUT {side: 'b'}]->(b)
  """
    + archive_finding
    + """
  RETURN collect(DISTINCT f.id) AS archived
}
CALL (gone) {
  OPTIONAL MATCH (gone)<-[:ABOUT]-(f:Finding)
  OPTIONAL MATCH (f)-[:ABOUT]->(o:Claim)
  SET o.confidence_stale = true
  DETACH DELETE f
}
"""
)

# After the deletes: the ids of the findings whose verdicts were archived, each once.
archived_ids: LiteralString = """
WITH collect(archived) AS lists
RETURN reduce(acc = [], l IN lists | acc + [x IN l WHERE NOT x IN acc]) AS archived
"""
