"""Reads of findings: filtered, keyset-paginated lists and single findings."""

from __future__ import annotations

from typing import LiteralString

# Top-k first (filters as EXISTS, no projection), then the two sides of only those k.
LIST_FINDINGS: LiteralString = """
MATCH (f:Finding)
WHERE ($kind IS NULL OR f.kind = $kind) AND ($status IS NULL OR f.status = $status)
  AND f.score >= $min_score AND ($independent IS NULL OR f.independent = $independent)
  AND ($after IS NULL OR f.score < $after[0] OR (f.score = $after[0] AND f.id < $after[1]))
  AND EXISTS { (f)-[:ABOUT {side: 'a'}]->(:Claim) }
  AND EXISTS { (f)-[:ABOUT {side: 'b'}]->(:Claim) }
  AND ($source_id IS NULL
       OR EXISTS { (f)-[:ABOUT]->(:Claim)<-[:HAS_CLAIM]-(:Source {id: $source_id}) })
  AND ($line_id IS NULL
       OR EXISTS { (f)-[:ABOUT]->(:Claim)<-[:HAS_CLAIM]-(:Source)
                   -[:IN_LINE]->(:Line {id: $line_id}) })
WITH f ORDER BY f.score DESC, f.id DESC LIMIT $limit
MATCH (f)-[:ABOUT {side: 'a'}]->(a:Claim)<-[:HAS_CLAIM]-(sa:Source)
MATCH (f)-[:ABOUT {side: 'b'}]->(b:Claim)<-[:HAS_CLAIM]-(sb:Source)
RETURN f {.*} AS f, a {.id, .text, .speaker} AS a, b {.id, .text, .speaker} AS b,
       sa {.id, .title, .path} AS sa, sb {.id, .title, .path} AS sb
ORDER BY f.score DESC, f.id DESC
"""

GET_FINDING: LiteralString = """
MATCH (f:Finding {id: $id})
MATCH (f)-[:ABOUT {side: 'a'}]->(a:Claim)<-[:HAS_CLAIM]-(sa:Source)
MATCH (f)-[:ABOUT {side: 'b'}]->(b:Claim)<-[:HAS_CLAIM]-(sb:Source)
RETURN f {.*} AS f, a {.id, .text, .speaker} AS a, b {.id, .text, .speaker} AS b,
       sa {.id, .title, .path} AS sa, sb {.id, .title, .path} AS sb
"""

LIST_FINDINGS_FOR_CLAIMS: LiteralString = """
UNWIND $claim_ids AS cid
MATCH (c:Claim {id: cid})<-[:ABOUT]-(f:Finding)
USING INDEX c:Claim(id)
WITH DISTINCT f
WHERE ($kind IS NULL OR f.kind = $kind) AND ($status IS NULL OR f.status = $status)
  AND f.score >= $min_score AND ($independent IS NULL OR f.independent = $independent)
  AND ($after IS NULL OR f.score < $after[0] OR (f.score = $after[0] AND f.id < $after[1]))
MATCH (f)-[:ABOUT {side: 'a'}]->(a:Claim)<-[:HAS_CLAIM]-(sa:Source)
MATCH (f)-[:ABOUT {side: 'b'}]->(b:Claim)<-[:HAS_CLAIM]-(sb:Source)
WHERE ($source_id IS NULL OR sa.id = $source_id OR sb.id = $source_id)
  AND ($line_id IS NULL OR EXISTS { (sa)-[:IN_LINE]->(:Line {id: $line_id}) }
       OR EXISTS { (sb)-[:IN_LINE]->(:Line {id: $line_id}) })
RETURN f {.*} AS f, a {.id, .text, .speaker} AS a, b {.id, .text, .speaker} AS b,
       sa {.id, .title, .path} AS sa, sb {.id, .title, .path} AS sb
ORDER BY f.score DESC, f.id DESC
LIMIT $limit
"""
