"""A named lock held for the length of one transaction (kg.locks)."""

from __future__ import annotations

from typing import LiteralString

# MERGE on a uniquely constrained name (schema: lock_name) is safe when two take it at once;
# the SET takes the node's write lock, held until the transaction ends.
TAKE: LiteralString = """
MERGE (l:Lock {name: $name})
SET l.held_at = datetime(), l.holder = $holder
"""
