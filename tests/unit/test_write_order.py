"""The order of statements in the findings write: superseded findings go after the upsert (a
finding found again is then at the current version and stays) and before the claims are
marked checked (a run stopped in between leaves them to be judged again). A fake transaction
records the statements; the real server runs the same code in the integration tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from consilience.vocabulary import FindingKind
from kg.cypher import investigation as q
from kg.graph import Graph
from kg.records import FindingRecord
from kg.writers import investigation_store


class _Result:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def consume(self) -> None:
        return None

    def single(self, strict: bool = False) -> dict[str, Any]:
        return self.rows[0]


class _Tx:
    def __init__(self) -> None:
        self.ran: list[str] = []

    def run(self, query: str, **params: Any) -> _Result:
        self.ran.append(query)
        if query == q.WITHDRAW_SUPERSEDED:
            return _Result([{"withdrawn": len(params["rows"])}])
        if query == q.WITHDRAW_FOLDED:
            return _Result([{"withdrawn": len(params["ids"])}])
        return _Result([])


class _Session:
    def __init__(self, tx: _Tx) -> None:
        self.tx = tx

    def execute_write(self, fn: Callable[[_Tx], Any]) -> Any:
        return fn(self.tx)


class _Graph:
    def __init__(self) -> None:
        self.tx = _Tx()

    @contextmanager
    def write(self) -> Iterator[_Session]:
        yield _Session(self.tx)


def test_withdrawal_runs_between_the_upsert_and_the_marking() -> None:
    g = _Graph()
    superseded = investigation_store.Superseded(
        {"nli-judge": "8+x"}, [("c1", "c2"), ("c3", "c4")], ["fnd_folded", "fnd_1"]
    )
    found = FindingRecord(
        id="fnd_1", a_id="c1", b_id="c2", kind=FindingKind.CONTRADICTS, score=0.9,
        rationale="r", investigator="nli-judge", version="8+x",
    )  # fmt: skip
    created, withdrawn, folded = investigation_store.write_judged(
        cast(Graph, g), [found], ["c1", "c2"], "8+x", superseded
    )
    # a folded id the write files again (fnd_1) is not withdrawn
    assert created == {"contradicts": 1} and withdrawn == 2 and folded == 1
    order = [
        name
        for query in g.tx.ran
        for name, text in (
            ("upsert", q.UPSERT_CLAIM_FINDINGS),
            ("fold", q.WITHDRAW_FOLDED),
            ("withdraw", q.WITHDRAW_SUPERSEDED),
            ("mark", q.MARK_INVESTIGATED),
        )
        if query == text
    ]
    assert order == ["upsert", "fold", "withdraw", "mark"]
    assert g.tx.ran.index(q.WITHDRAW_SUPERSEDED) > g.tx.ran.index(q.EXISTING_FINDINGS)


def test_a_plain_write_withdraws_nothing() -> None:
    g = _Graph()
    investigation_store.write_findings(cast(Graph, g), [], ["c1"], "8+x")
    assert q.WITHDRAW_SUPERSEDED not in g.tx.ran and q.MARK_INVESTIGATED in g.tx.ran
    assert q.WITHDRAW_FOLDED not in g.tx.ran
