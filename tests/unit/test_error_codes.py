"""Errors reach API clients with the code of their kind, not only of their status."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.errors import install_error_handlers
from consilience.errors import DatabaseOutOfMemoryError, DatabaseUnavailableError


def _client() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/oom")
    def oom() -> None:
        raise DatabaseOutOfMemoryError("The database ran out of memory.", "Raise the heap.")

    @app.get("/down")
    def down() -> None:
        raise DatabaseUnavailableError("The database is not reachable.", "Start it.")

    return TestClient(app)


def test_out_of_memory_has_its_own_code_and_is_not_retryable() -> None:
    c = _client()
    r = c.get("/oom")
    assert r.status_code == 503
    e = r.json()["error"]
    assert e == {
        "code": "database_out_of_memory",
        "message": "The database ran out of memory.",
        "hint": "Raise the heap.",
        "retryable": False,
    }
    r = c.get("/down")
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "database_unavailable"
    assert r.json()["error"]["retryable"] is True


def test_an_errors_first_line_is_cut_at_its_start_or_kept_at_its_end() -> None:
    """One helper for the three layers that quote a library's error in their own message."""
    from consilience.errors import first_line

    long = OSError(f"[Errno 28] No space left on device: '/data/{'x' * 400}/index.faiss'\nmore")
    assert first_line(long, 40) == str(long).splitlines()[0][:40]
    assert first_line(long, keep_end=True).endswith("/index.faiss'")
    assert len(first_line(long, keep_end=True)) == 300
    assert first_line(ValueError("")) == "ValueError"
    assert first_line(ValueError("\nsecond line only")) == "ValueError"
