"""Findings: list (filtered, paginated), one finding, and the export record (read-only)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, LiteralString, TypedDict, Unpack, cast

from pydantic import TypeAdapter

from consilience.errors import InvalidInputError, NotFoundError
from kg.graph import Graph, values
from queries.cypher import findings as q
from queries.models import ArchivedVerdictRow, FindingRow, FindingSide, Page
from queries.paging import keyset_page, offset_of, offset_page

CONTEXT_CHARS = 1200


def _cap(text: str | None) -> str | None:
    if text is None or len(text) <= CONTEXT_CHARS:
        return text
    return text[: CONTEXT_CHARS - 1] + "…"


_ROWS: TypeAdapter[list[FindingRow]] = TypeAdapter(list[FindingRow])


def _rows(raw: list[dict[str, Any]]) -> list[FindingRow]:
    """FindingRows from the maps the statements of `queries.cypher.findings` shape: one
    validation of the whole list by pydantic's core. The verdict history is stored as JSON
    strings, decoded here (most findings have none); a side's paragraph is capped here."""
    for r in raw:
        if r["history"]:
            r["history"] = [json.loads(e) for e in r["history"]]
        for side in (r["a"], r["b"]):
            if "context" in side:
                side["context"] = _cap(side["context"])
    return _ROWS.validate_python(raw)


def _page_rows(db: Graph, query: LiteralString, params: dict[str, object]) -> list[FindingRow]:
    """The rows of a statement that returns them as one list, `rows`."""
    with db.read() as s:
        raw: list[dict[str, Any]] = s.run(query, params).single(strict=True)["rows"]
    return _rows(raw)


def _cursor(row: FindingRow) -> str:
    return json.dumps([row.score, row.id])


def _is_cursor(value: object) -> bool:
    """Whether a decoded cursor is [score, id] as `_cursor` wrote it."""
    if not isinstance(value, list):
        return False
    key = cast("list[object]", value)  # isinstance leaves the item type unknown
    return (
        len(key) == 2
        and isinstance(key[0], int | float)
        and not isinstance(key[0], bool)
        and abs(key[0]) < 2**62  # also rejects inf and nan (nan compares false)
        and isinstance(key[1], str)
    )


class FindingFilters(TypedDict, total=False):
    """The filters of `list_findings`, for `iter_findings`."""

    kind: str | None
    status: str | None
    min_score: float
    independent: bool | None
    claim_ids: list[str] | None
    source_id: str | None
    line_id: str | None


def list_findings(
    db: Graph,
    *,
    kind: str | None = None,
    status: str | None = None,
    min_score: float = 0.0,
    independent: bool | None = None,
    claim_ids: list[str] | None = None,
    source_id: str | None = None,
    line_id: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[FindingRow]:
    """Findings between claims, highest score first, keyset-paginated by an opaque cursor.

    Filters combine: kind, status, minimum score, independence, touching any of `claim_ids`
    (one claim, or the claims a topic search found), a source, or a line of research."""
    after: object = None
    if cursor:
        try:
            after = json.loads(cursor)
        except ValueError:
            after = None
        if not _is_cursor(after):
            raise InvalidInputError("Malformed cursor.", "Pass back next_cursor as given.")
    params: dict[str, object] = {
        "kind": kind,
        "status": status,
        "independent": independent,
        "after": after,
        "source_id": source_id,
        "line_id": line_id,
    }
    active = frozenset(name for name, value in params.items() if value is not None)
    query = q.list_findings(active, for_claims=claim_ids is not None)
    params.update(min_score=min_score, claim_ids=claim_ids, limit=limit + 1)
    return keyset_page(_page_rows(db, query, params), limit, key=_cursor)


def iter_findings(
    db: Graph, *, page_size: int = 500, **filters: Unpack[FindingFilters]
) -> Iterator[FindingRow]:
    """Every finding matching the filters, page by page."""
    cursor: str | None = None
    while True:
        page = list_findings(db, limit=page_size, cursor=cursor, **filters)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def review_queue(db: Graph, *, limit: int = 20, cursor: str | None = None) -> Page[FindingRow]:
    """Open findings, the ones a human verdict is worth most on first: the judge least sure
    (score near 0.5), weighted up by each safety-critical claim the finding is about. The
    cursor is the offset of the next page."""
    skip = offset_of(cursor)
    rows = _page_rows(db, q.REVIEW_QUEUE, {"skip": skip, "limit": limit + 1})
    return offset_page(rows, skip, limit)


def archived_verdicts(
    db: Graph, *, limit: int = 50, cursor: str | None = None
) -> Page[ArchivedVerdictRow]:
    """Human verdicts kept after their quotes left the graph, newest first; each says whether
    it was given back to a new finding on the same two quotes."""
    skip = offset_of(cursor)
    with db.read() as s:
        rows = [
            ArchivedVerdictRow(**values(r))
            for r in s.run(q.ARCHIVED_VERDICTS, skip=skip, limit=limit + 1)
        ]
    return offset_page(rows, skip, limit)


def get_finding(db: Graph, finding_id: str) -> FindingRow:
    with db.read() as s:
        rec = s.run(q.GET_FINDING, id=finding_id).single()
    if rec is None:
        raise missing_finding(db, finding_id)
    return _rows([rec["row"]])[0]


def missing_finding(db: Graph, finding_id: str) -> NotFoundError:
    """The error for a finding id that is not in the graph, saying where a reviewed one went
    (red-teamed: an id a revision had archived, or whose verdict went to a new finding, read
    only "No finding")."""
    with db.read() as s:
        rec = s.run(q.ARCHIVED_FINDING, id=finding_id).single()
    if rec is None:
        return NotFoundError(
            f"No finding {finding_id!r}.",
            "List findings to see their ids (`consilience findings list`, GET /findings).",
        )
    where = (
        f"its verdict was given back to finding {rec['carried_to']}"
        if rec["carried_to"]
        else "its verdict is kept, waiting for the same two quotes to be found again"
    )
    return NotFoundError(
        f"Finding {finding_id!r} is gone: one of its documents was revised or removed, or a "
        f"re-run did not find it again (archived {str(rec['archived_at'])[:19]}); {where}.",
        f"Use {rec['carried_to']} instead."
        if rec["carried_to"]
        else "`consilience findings archived` (GET /findings/archived) lists archived verdicts.",
    )


_EXPORTED_SIDE = {
    "node",
    "quote",
    "source_title",
    "source_path",
    "claim_id",
    "line_id",
    "speaker",
    "lost_content",
    "source_retracted",
}


def _export_side(side: FindingSide) -> dict[str, object]:
    return side.model_dump(include=_EXPORTED_SIDE)


def export_record(row: FindingRow) -> dict[str, object]:
    """The JSONL export shape: one finding per line."""
    return {
        "id": row.id,
        "kind": row.kind,
        "score": row.score,
        "status": row.status,
        "independent": row.independent,
        "independence_reason": row.independence_reason,
        "rationale": row.rationale,
        "investigator": row.investigator,
        "version": row.version,
        "model": row.model,
        "reviewer": row.reviewer,
        "review_reason": row.review_reason,
        # every verdict step and where a carried verdict came from (red-teamed: a reopen and
        # who gave the verdict first were lost in the export)
        "history": [h.model_dump() for h in row.history],
        "carried_from": row.carried_from,
        "cues": row.cues,
        "a": _export_side(row.a),
        "b": _export_side(row.b),
    }
