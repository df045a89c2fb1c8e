"""A named lock held for the length of one transaction (kg.locks)."""

from __future__ import annotations

from typing import LiteralString

# The lock's node, made once (its name uniquely constrained: schema lock_name), committed on
# its own so that taking the lock never creates it (two creates at once can deadlock).
ENSURE: LiteralString = "MERGE (:Lock {name: $name})"

# Writing the node takes its write lock, held until the transaction ends (rolled back: the
# write itself means nothing). 0 rows: the node is gone (deleted by hand), nothing is locked.
TAKE: LiteralString = """
OPTIONAL MATCH (l:Lock {name: $name})
SET l.taken_at = datetime()
RETURN count(l) AS taken
"""
