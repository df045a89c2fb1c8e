"""Emptying the test graph (and its FAISS copy) between tests and test modules."""

from __future__ import annotations

import shutil

from app.services import Services


def reset_graph(svc: Services) -> Services:
    """Delete every node except the schema's migration records; drop the FAISS copy."""
    with svc.graph().write() as s:
        s.run(
            "MATCH (n) WHERE NOT n:Migration CALL (n) { DETACH DELETE n } IN TRANSACTIONS"
        ).consume()
    svc._index = None
    shutil.rmtree(svc.settings.faiss_dir, ignore_errors=True)
    return svc
