"""Write paths for the investigation side (findings, lines, verdicts, LLM cache)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, LiteralString

from neo4j import ManagedTransaction

from kg.cypher import investigation as q
from kg.graph import Graph, Rows
from kg.records import FindingRecord


def write_lines(driver: Graph, lines: Sequence[Mapping[str, object]]) -> list[str]:
    """Replace the lines of research: each source in exactly one line. A line left with no
    source goes with its findings; returns the ids of those a human had reviewed (their
    verdicts are archived)."""

    def drop_empty(tx: ManagedTransaction) -> list[str]:
        rec = tx.run(q.DELETE_EMPTY_LINES).single()
        return list(rec["archived"]) if rec else []

    with driver.write() as s:
        s.execute_write(lambda tx: tx.run(q.UPSERT_LINES, lines=lines).consume())
        return s.execute_write(drop_empty)


FindingSides = Literal["claim-claim", "line-line", "claim-line"]
_UPSERT: dict[str, LiteralString] = {
    "claim-claim": q.UPSERT_CLAIM_FINDINGS,
    "line-line": q.UPSERT_LINE_FINDINGS,
    "claim-line": q.UPSERT_CLAIM_LINE_FINDINGS,
}


def write_findings(
    driver: Graph,
    findings: Sequence[FindingRecord],
    checked: list[str],
    version: str,
    batch: int = 1000,
    sides: FindingSides = "claim-claim",
) -> dict[str, int]:
    """Upsert findings (keeping any human verdict) and mark the checked claims, together.
    A new finding between two quotes a reviewer already judged on an earlier version of their
    document takes that verdict back (`ArchivedVerdict`). Returns the findings this write
    *created*, by kind: a finding found again (by another investigator, from the other side,
    or in an earlier run) is updated, not counted."""
    return _write(driver, findings, checked, version, batch, sides, None)[0]


@dataclass(frozen=True)
class Superseded:
    """Findings to withdraw with a write: the unreviewed ones between these claim pairs, just
    judged again, that one of these investigators (name -> current version) made at another
    version and the write did not find again; and the unreviewed findings with these ids
    (`folded`: contradictions the write files inside a distortion of the same pair instead)."""

    current: Mapping[str, str]
    pairs: Sequence[tuple[str, str]]
    folded: Sequence[str] = ()


def write_judged(
    driver: Graph,
    findings: Sequence[FindingRecord],
    checked: list[str],
    version: str,
    superseded: Superseded,
    batch: int = 1000,
) -> tuple[dict[str, int], int, int]:
    """`write_findings` for claim-to-claim findings, withdrawing the superseded ones in the
    same transaction (after the upsert, so a finding found again is kept, at its new version;
    before the claims are marked checked, so a run stopped between the two cannot leave a
    checked claim with an old version's finding). Returns (created by kind, withdrawn as
    superseded, withdrawn as folded); the claims of withdrawn findings are marked for a
    confidence recompute."""
    return _write(driver, findings, checked, version, batch, "claim-claim", superseded)


def _write(
    driver: Graph,
    findings: Sequence[FindingRecord],
    checked: list[str],
    version: str,
    batch: int,
    sides: FindingSides,
    superseded: Superseded | None,
) -> tuple[dict[str, int], int, int]:
    upsert = _UPSERT[sides]
    rows = [f.row() for f in findings]
    kinds: dict[str, str] = {}
    for f in findings:
        kinds.setdefault(f.id, f.kind.value)
    pairs = [[a, b] for a, b in superseded.pairs] if superseded else []
    current = dict(superseded.current) if superseded else {}
    folded = sorted(set(superseded.folded) - set(kinds)) if superseded else []
    pair_batch = 5 * batch  # a pair row is two ids: smaller than a finding row

    def tx_fn(tx: ManagedTransaction) -> tuple[set[str], int, int]:
        existing = {rec["id"] for rec in tx.run(q.EXISTING_FINDINGS, ids=sorted(kinds))}
        for i in range(0, len(rows), batch):
            tx.run(upsert, rows=Rows(rows[i : i + batch])).consume()
        new = sorted(set(kinds) - existing)
        if sides == "claim-claim" and new:  # verdicts given on an earlier version come back
            tx.run(q.CARRY_VERDICTS, ids=new).consume()
        n_folded = 0
        if folded:  # first: a folded one an older version made counts as folded
            n_folded = int(tx.run(q.WITHDRAW_FOLDED, ids=folded).single(strict=True)["withdrawn"])
        withdrawn = 0
        for i in range(0, len(pairs), pair_batch):
            rows_i = Rows(pairs[i : i + pair_batch])
            rec = tx.run(q.WITHDRAW_SUPERSEDED, rows=rows_i, current=current).single(strict=True)
            withdrawn += int(rec["withdrawn"])
        if checked:
            tx.run(q.MARK_INVESTIGATED, ids=checked, version=version).consume()
        return existing, withdrawn, n_folded

    with driver.write() as s:
        existing, withdrawn, n_folded = s.execute_write(tx_fn)
    created: dict[str, int] = {}
    for fid, kind in kinds.items():
        if fid not in existing:
            created[kind] = created.get(kind, 0) + 1
    return created, withdrawn, n_folded


def mark_checked(driver: Graph, ids: list[str], version: str) -> None:
    """These claims were checked by the preset `version` (all of it)."""
    if ids:
        with driver.write() as s:
            s.run(q.MARK_INVESTIGATED, ids=ids, version=version).consume()


def mark_unchecked(driver: Graph, ids: list[str]) -> None:
    """These claims are investigated again by the next run (their run could not conclude)."""
    if ids:
        with driver.write() as s:
            s.run(q.UNMARK_INVESTIGATED, ids=ids).consume()


def delete_open_findings(
    driver: Graph, investigators: list[str], keep: Sequence[str] = ()
) -> tuple[int, list[str]]:
    """Drop the open findings of these investigators (a full re-run replaces them) except
    those with an id in `keep` (derived again: rewritten in place). One whose verdict was taken
    back has its verdict history archived first. Returns (how many went, the ids of those
    archived)."""
    with driver.write() as s:
        rec = s.execute_write(
            lambda tx: tx.run(
                q.DELETE_OPEN_FINDINGS, investigators=investigators, keep=list(keep)
            ).single(strict=True)
        )
    return int(rec["withdrawn"]), list(rec["archived"])


def any_superseded(driver: Graph, current: dict[str, str]) -> bool:
    """Whether any unreviewed finding of these investigators (name -> current version) was
    made at another version."""
    with driver.read() as s:
        return bool(s.run(q.ANY_SUPERSEDED, current=current).single(strict=True)["any"])


def set_verdict(driver: Graph, finding_id: str, status: str, reviewer: str, reason: str) -> bool:
    """Record a human verdict; False when there is no such finding, or when `status` is
    'open' (a verdict taken back) and the finding is open already."""
    entry = json.dumps({"status": status, "reviewer": reviewer, "reason": reason})
    head = entry[:-1] + ', "at": "'  # the server's clock completes the entry

    with driver.write() as s:
        rec = s.execute_write(
            lambda tx: tx.run(
                q.SET_VERDICT,
                id=finding_id,
                status=status,
                reviewer=reviewer,
                reason=reason,
                entry_head=head,
            ).single()
        )
    return rec is not None


def get_llm_judgements(driver: Graph, ids: list[str]) -> dict[str, str]:
    """Cached LLM responses (JSON text) by cache id."""
    with driver.read() as s:
        return {r["id"]: r["response"] for r in s.run(q.GET_LLM_JUDGEMENTS, ids=ids)}


def put_llm_judgements(driver: Graph, rows: list[dict[str, str]]) -> None:
    with driver.write() as s:
        s.execute_write(lambda tx: tx.run(q.PUT_LLM_JUDGEMENTS, rows=Rows(rows)).consume())


def replace_llm_judgements(
    driver: Graph, rows: Sequence[Mapping[str, object]]
) -> dict[str, str | None]:
    """Each row's response, kept where its entry is still `expected` (None: absent) or absent;
    every row's entry after the write (the one another job kept, where it changed)."""
    with driver.write() as s:
        return s.execute_write(
            lambda tx: {
                r["id"]: r["response"] for r in tx.run(q.REPLACE_LLM_JUDGEMENTS, rows=Rows(rows))
            }
        )


def set_missing_dimensions(driver: Graph, rows: list[dict[str, object]]) -> None:
    """Store proposed missing dimensions on claims (names list + full JSON + producer)."""
    with driver.write() as s:
        s.execute_write(lambda tx: tx.run(q.SET_MISSING_DIMENSIONS, rows=Rows(rows)).consume())
