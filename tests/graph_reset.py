"""Test settings for a throw-away server, and emptying the test graph (and its FAISS copy)
between tests and test modules."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pydantic import SecretStr

from app.services import Services
from consilience.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def throwaway_settings(data_dir: Path) -> Settings:
    """Settings for a server of the tests' own under `data_dir` (sharing the project's built
    jars), or for the disposable external server in CONSILIENCE_TEST_NEO4J_URI."""
    external = os.environ.get("CONSILIENCE_TEST_NEO4J_URI")  # noqa: TID251 - test wiring
    lib = ROOT / ".consilience" / "neo4j" / "lib"
    if external:
        password = os.environ.get("CONSILIENCE_TEST_NEO4J_PASSWORD", "")  # noqa: TID251
        s = Settings(data_dir=data_dir, neo4j_uri=external, neo4j_password=SecretStr(password))
    else:
        s = Settings(data_dir=data_dir)
    s.neo4j.lib_dir = lib if lib.exists() else None
    s.neo4j.heap = "768m"
    s.neo4j.uri = external or None
    return s


def reset_graph(svc: Services) -> Services:
    """Delete every node except the schema's migration records; drop the FAISS copy."""
    with svc.graph().write() as s:
        s.run(
            "MATCH (n) WHERE NOT n:Migration CALL (n) { DETACH DELETE n } IN TRANSACTIONS"
        ).consume()
    svc._index = None
    shutil.rmtree(svc.settings.faiss_dir, ignore_errors=True)
    return svc
