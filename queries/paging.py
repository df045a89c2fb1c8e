"""Pages: every list query fetches limit + 1 rows; the extra row says there is a next page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from consilience.errors import InvalidInputError
from queries.models import Page

T = TypeVar("T")


MAX_OFFSET = 2**62  # Neo4j's SKIP takes a signed 64-bit integer

# One parametrised class for every page. `Page[T]` at run time built a pydantic class whenever
# its weakly cached one had been collected, in practice on most API requests (py-spy under
# bench/api): GET /findings took 5.27 ms of the API's CPU a request with it, 4.32 ms without.
# The rows are typed by their own model; the route's response model (`Page[FindingRow]`, ...)
# documents and serialises the page.
_PAGE = Page[Any]


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
    page = _PAGE(items=rows[:limit], next_cursor=str(skip + limit) if more else None)
    return cast("Page[T]", page)


def keyset_page(rows: list[T], limit: int, key: Callable[[T], str]) -> Page[T]:
    """Rows after a keyset cursor (up to limit + 1); the next cursor is the last row's key."""
    items = rows[:limit]
    page = _PAGE(items=items, next_cursor=key(items[-1]) if len(rows) > limit else None)
    return cast("Page[T]", page)
