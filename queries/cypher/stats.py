from __future__ import annotations

from typing import LiteralString

NODE_COUNTS: LiteralString = """
UNWIND ['Source','Passage','Claim','File','Author','Organisation','Finding','Line'] AS label
CALL (label) { MATCH (n) WHERE label IN labels(n) RETURN count(n) AS count }
RETURN label, count
"""

REL_COUNTS: LiteralString = """
UNWIND ['HAS_PASSAGE','CONTAINS','HAS_CLAIM','YIELDED','AUTHORED_BY','FROM_ORGANISATION',
        'SUMMARISES','ABOUT','IN_LINE'] AS label
CALL (label) { MATCH ()-[r]->() WHERE type(r) = label RETURN count(r) AS count }
RETURN label, count
"""

SOURCES: LiteralString = """
MATCH (s:Source)
RETURN s.id AS id, s.title AS title, s.kind AS kind, s.path AS path, s.date AS date,
       coalesce(s.authors, []) AS authors, coalesce(s.n_claims, 0) AS n_claims,
       coalesce(s.retracted, false) AS retracted
ORDER BY n_claims DESC, title
"""

CLAIMS_BY_KIND: LiteralString = """
MATCH (c:Claim) RETURN c.kind AS label, count(*) AS count ORDER BY count DESC
"""

CLAIMS_BY_HEDGE: LiteralString = """
MATCH (c:Claim) RETURN c.hedge AS label, count(*) AS count ORDER BY count DESC
"""

LOST_CONTENT_CLAIMS: LiteralString = """
MATCH (c:Claim {lost_content: true}) RETURN count(c) AS count
"""

CLAIM_COUNT: LiteralString = "RETURN COUNT { (:Claim) } AS count"
