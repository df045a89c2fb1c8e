"""Pages: every list query fetches limit + 1 rows; the extra row says there is a next page."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from consilience.errors import InvalidInputError
from queries.models import Page

T = TypeVar("T")


MAX_OFFSET = 2**62  # Neo4j's SKIP takes a signed 64-bit integer


def offset_of(cursor: str | None) -> int:
    """An offset cursor ("40", as next_cursor gave it); none starts at the beginning."""
    if not cursor:
        return 0
    if not (cursor.isascii() and cursor.isdigit()) or int(cursor) >= MAX_OFFSET:
        raise InvalidInputError(
            f"Malformed cursor {cursor[:40]!r}.", "Pass back next_cursor exactly as given."
        )
    return int(cursor)


def offset_page(rows: list[T], skip: int, limit: int) -> Page[T]:
    """Rows fetched from offset `skip` (up to limit + 1 of them) as a page."""
    more = len(rows) > limit
    return Page[T](items=rows[:limit], next_cursor=str(skip + limit) if more else None)


def keyset_page(rows: list[T], limit: int, key: Callable[[T], str]) -> Page[T]:
    """Rows after a keyset cursor (up to limit + 1); the next cursor is the last row's key."""
    items = rows[:limit]
    return Page[T](items=items, next_cursor=key(items[-1]) if len(rows) > limit else None)
