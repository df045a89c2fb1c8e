"""The architecture's checkable promises (issue #11): one graph handle, a read-only query
side, one vocabulary, and the database setting reaching every session."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import pytest
from neo4j import READ_ACCESS, WRITE_ACCESS, Driver
from neo4j.exceptions import ServiceUnavailable

from consilience.errors import DatabaseUnavailableError
from consilience.settings import Settings
from consilience.vocabulary import FindingKind, FindingStatus, JudgementKind
from kg.graph import Graph

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("consilience", "kg", "ingest", "investigators", "calibration", "queries", "app")
FRONT = ("cli", "api", "bench", "training", "tests")


def _sources(*folders: str) -> Iterator[tuple[Path, str]]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path, path.read_text(encoding="utf-8")


def test_no_session_is_opened_outside_the_graph_handle() -> None:
    pattern = re.compile(r"\.session\(|execute_query\(")
    offenders = [
        str(p.relative_to(ROOT))
        for p, text in _sources(*PACKAGES, *FRONT)
        if pattern.search(text) and p != ROOT / "kg" / "graph.py" and p != Path(__file__)
    ]
    assert offenders == []


def test_the_query_side_never_writes() -> None:
    pattern = re.compile(r"execute_write|\bwrite\(\)|kg\.writers|from kg import [\w, ]*writers")
    offenders = [
        str(p.relative_to(ROOT)) for p, text in _sources("queries") if pattern.search(text)
    ]
    assert offenders == []


def test_finding_kinds_and_statuses_are_spelled_only_in_the_vocabulary() -> None:
    words = [k.value for k in (*FindingKind, *JudgementKind)]
    words += [FindingStatus.CONFIRMED, FindingStatus.DISMISSED, "(reported view)"]
    literal = re.compile("[\"']({})[\"']".format("|".join(re.escape(w) for w in words)))
    offenders = [
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for p, text in _sources(*PACKAGES, "cli", "api")
        if p.name != "vocabulary.py" and "cypher" not in p.parts  # Cypher spells them too
        for m in literal.finditer(text)
    ]
    assert offenders == []


class _Session:
    """Stands in for a neo4j Session: a context manager whose body may raise."""

    def __enter__(self) -> _Session:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


class _Driver:
    """Records the options of every session it opens (the Driver.session signature)."""

    def __init__(self) -> None:
        self.opened: list[dict[str, Any]] = []

    def session(self, **config: Any) -> _Session:
        self.opened.append(config)
        return _Session()

    def close(self) -> None:
        return None


def test_every_session_carries_the_database_and_the_routing() -> None:
    driver = _Driver()
    graph = Graph(cast(Driver, driver), "claims")  # a recording stand-in for Driver.session
    with graph.read():
        pass
    with graph.write():
        pass
    assert driver.opened == [
        {"database": "claims", "default_access_mode": READ_ACCESS},
        {"database": "claims", "default_access_mode": WRITE_ACCESS},
    ]


def test_an_outage_inside_a_session_becomes_database_unavailable() -> None:
    graph = Graph(cast(Driver, _Driver()), None)  # a stand-in: Graph only opens sessions
    with pytest.raises(DatabaseUnavailableError) as exc, graph.read():
        raise ServiceUnavailable("connection refused")
    assert exc.value.retryable and "consilience db start" in exc.value.hint
    assert isinstance(exc.value.__cause__, ServiceUnavailable)


def test_neo4j_database_is_read_from_the_standard_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEO4J_DATABASE", "claims")
    assert Settings().neo4j.database == "claims"
