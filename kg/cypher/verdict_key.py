"""The key an archived human verdict is found again by, as one Cypher expression shared by
the statement that archives it (kg.cypher.documents) and the one that gives it back
(kg.cypher.investigation): finding kind, investigator and the two quotes' hashes, in sorted
order. It reads `f` (the finding), `a` and `b` (its two claims, both with `text_sha`)."""

from __future__ import annotations

from typing import LiteralString

# An expression, not a statement (lower case: the schema test EXPLAINs upper-case constants).
key_of_finding: LiteralString = """f.kind + ':' + coalesce(f.investigator, '') + ':' +
  CASE WHEN a.text_sha <= b.text_sha THEN a.text_sha + ':' + b.text_sha
       ELSE b.text_sha + ':' + a.text_sha END"""
