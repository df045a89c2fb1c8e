"""Shared fixtures. Integration tests use a real, throw-away Neo4j server started by the
project's own server manager (sharing the project's built jars), the real embedding model
and real documents. Set CONSILIENCE_TEST_NEO4J_URI to use a disposable external server
instead: the tests wipe it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services import Services, build_services
from consilience.settings import Settings
from tests.graph_reset import reset_graph, throwaway_settings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
DATA = Path(__file__).resolve().parent / "data"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        kind = "integration" if "/integration/" in str(item.fspath) else "unit"
        item.add_marker(getattr(pytest.mark, kind))


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    data_dir = tmp_path_factory.mktemp("consilience-data")
    s = throwaway_settings(data_dir)
    server = None
    if not s.uses_external_db:
        from kg.driver import managed_server

        server = managed_server(s)
        server.start()
    yield s
    if server is not None:
        server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def services(settings: Settings) -> Iterator[Services]:
    svc = build_services(settings)
    yield svc
    svc.close()


@pytest.fixture()
def clean_services(services: Services) -> Services:
    """Services over an emptied graph and FAISS index."""
    return reset_graph(services)


@pytest.fixture(scope="session")
def corpus_files() -> list[Path]:
    files = sorted(CORPUS.glob("*.txt"))
    if not files:
        pytest.skip(f"corpus not found at {CORPUS}")
    return files


@pytest.fixture()
def cli_services(clean_services: Services, monkeypatch: pytest.MonkeyPatch) -> Services:
    """A clean graph that `consilience …` commands run in-process (CliRunner) also reach."""
    s = clean_services.settings
    monkeypatch.setenv("CONSILIENCE_DATA_DIR", str(s.data_dir))
    if s.neo4j.lib_dir:
        monkeypatch.setenv("CONSILIENCE_NEO4J__LIB_DIR", str(s.neo4j.lib_dir))
    if s.uses_external_db and s.neo4j.uri:
        monkeypatch.setenv("NEO4J_URI", s.neo4j.uri)
    return clean_services
