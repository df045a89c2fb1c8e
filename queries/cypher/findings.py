"""Reads of findings: filtered, keyset-paginated lists and single findings."""

from __future__ import annotations

from typing import LiteralString

# Top-k first (filters as EXISTS, no projection), then the two sides of only those k.
# A finding's sides are two claims, two lines of research (line_disagrees) or a claim and a
# line (evidence_concentrated); a claim side comes with its source.
_SIDES: LiteralString = """
MATCH (f)-[:ABOUT {side: 'a'}]->(a)
MATCH (f)-[:ABOUT {side: 'b'}]->(b)
OPTIONAL MATCH (a)<-[:HAS_CLAIM]-(sa:Source)
OPTIONAL MATCH (b)<-[:HAS_CLAIM]-(sb:Source)
RETURN f {.*} AS f,
       a {.id, .text, .speaker, .name, .size, .page,
          node: CASE WHEN a:Line THEN 'line' ELSE 'claim' END} AS a,
       b {.id, .text, .speaker, .name, .size, .page,
          node: CASE WHEN b:Line THEN 'line' ELSE 'claim' END} AS b,
       sa {.id, .title, .path} AS sa, sb {.id, .title, .path} AS sb
"""

# The filters every findings list shares (one place: the two lists differ only in how they
# find their candidate findings), then the page and both sides.
_FILTERED_PAGE: LiteralString = """
WHERE f.score >= $min_score
  AND ($kind IS NULL OR f.kind = $kind) AND ($status IS NULL OR f.status = $status)
  AND ($independent IS NULL OR f.independent = $independent)
  AND ($after IS NULL OR f.score < $after[0] OR (f.score = $after[0] AND f.id < $after[1]))
  AND ($source_id IS NULL
       OR EXISTS { (f)-[:ABOUT]->(:Claim)<-[:HAS_CLAIM]-(:Source {id: $source_id}) }
       OR EXISTS { (f)-[:ABOUT]->(:Line)<-[:IN_LINE]-(:Source {id: $source_id}) })
  AND ($line_id IS NULL
       OR EXISTS { (f)-[:ABOUT]->(:Claim)<-[:HAS_CLAIM]-(:Source)
                   -[:IN_LINE]->(:Line {id: $line_id}) }
       OR EXISTS { (f)-[:ABOUT]->(:Line {id: $line_id}) })
WITH f ORDER BY f.score DESC, f.id DESC LIMIT $limit
"""

_ORDERED: LiteralString = """
ORDER BY f.score DESC, f.id DESC
"""

LIST_FINDINGS: LiteralString = "\nMATCH (f:Finding)" + _FILTERED_PAGE + _SIDES + _ORDERED

# One finding in full: each claim side also with its section, the paragraph around it,
# and its source's authors and date.
GET_FINDING: LiteralString = """
MATCH (f:Finding {id: $id})
MATCH (f)-[:ABOUT {side: 'a'}]->(a)
MATCH (f)-[:ABOUT {side: 'b'}]->(b)
OPTIONAL MATCH (a)<-[:HAS_CLAIM]-(sa:Source)
OPTIONAL MATCH (b)<-[:HAS_CLAIM]-(sb:Source)
OPTIONAL MATCH (pa:Passage)-[:CONTAINS]->(a)
OPTIONAL MATCH (pb:Passage)-[:CONTAINS]->(b)
WITH f, a, b, sa, sb, head(collect(DISTINCT pa)) AS pa, head(collect(DISTINCT pb)) AS pb
RETURN f {.*} AS f,
       a {.id, .text, .speaker, .name, .size, .section, .page,
          node: CASE WHEN a:Line THEN 'line' ELSE 'claim' END,
          context: CASE WHEN pa IS NULL OR sa IS NULL THEN null
                        ELSE substring(sa.text, pa.start, pa.end - pa.start) END} AS a,
       b {.id, .text, .speaker, .name, .size, .section, .page,
          node: CASE WHEN b:Line THEN 'line' ELSE 'claim' END,
          context: CASE WHEN pb IS NULL OR sb IS NULL THEN null
                        ELSE substring(sb.text, pb.start, pb.end - pb.start) END} AS b,
       sa {.id, .title, .path, .authors, .date} AS sa,
       sb {.id, .title, .path, .authors, .date} AS sb
"""

LIST_FINDINGS_FOR_CLAIMS: LiteralString = (
    """
UNWIND $claim_ids AS cid
MATCH (c:Claim {id: cid})<-[:ABOUT]-(f:Finding)
USING INDEX c:Claim(id)
WITH DISTINCT f"""
    + _FILTERED_PAGE
    + _SIDES
    + _ORDERED
)

# The review queue: open findings by the expected value of a human verdict. A verdict is
# worth most where the judge is least sure (score near 0.5: uncertainty 1 - |2s - 1|) and
# where it moves most (each safety-critical claim the finding is about adds one).
REVIEW_QUEUE: LiteralString = (
    """
MATCH (f:Finding {status: 'open'})
WITH f, (1.0 - abs(2.0 * f.score - 1.0))
        * (1 + COUNT { (f)-[:ABOUT]->(c:Claim) WHERE c.safety_critical }) AS value
ORDER BY value DESC, f.score DESC, f.id DESC
SKIP $skip LIMIT $limit"""
    + _SIDES
    + """
ORDER BY value DESC, f.score DESC, f.id DESC
"""
)
