"""The database stopping mid-run: documents are whole or absent; rerunning finishes.

These tests stop and restart a server, so they run against a server of their own (its own
data folder and port): the session's server, and the other tests, never see the outage,
whatever order the tests run in."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services import Services, build_services
from kg.driver import managed_server
from tests.graph_reset import reset_graph, throwaway_settings


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    data_dir = tmp_path_factory.mktemp("outage-data")
    settings = throwaway_settings(data_dir)
    if settings.uses_external_db:
        pytest.skip("cannot stop an external server")
    server = managed_server(settings)
    server.start()
    svc = build_services(settings)
    try:
        yield svc
    finally:
        svc.close()
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture()
def clean_services(own_server: Services) -> Services:
    """This module's own server, emptied (shadows the session-wide fixture)."""
    return reset_graph(own_server)


def test_stop_mid_run_then_rerun_finishes(clean_services: Services, tmp_path: Path) -> None:
    settings = clean_services.settings
    if settings.uses_external_db:
        pytest.skip("cannot stop an external server")
    files = []
    for i in range(3):
        f = tmp_path / f"doc{i}.md"
        f.write_text(
            f"# Doc {i}\n\nProbes detect deception in experiment {i} of ours.\n\n"
            f"Monitoring will matter in scenario {i} for years.\n"
        )
        files.append(str(f))
    server = managed_server(settings)
    ing = clean_services.ingestor()
    seen: list[Path] = []

    def stop_after_first(f: Path) -> None:
        seen.append(f)
        if len(seen) == 1:  # the first file is written; the database goes before the next
            server.stop()

    try:
        outcomes = ing.ingest_paths(files, on_file=stop_after_first)
        assert [o.status for o in outcomes] == ["ingested", "failed", "failed"]
        assert "again to finish" in (outcomes[1].hint or "")
    finally:
        server.start()
    rerun = ing.ingest_paths(files)
    assert [o.status for o in rerun] == ["unchanged", "ingested", "ingested"]
    with clean_services.graph().write() as s:
        rec = s.run(
            "MATCH (s:Source) RETURN count(s) AS sources, COUNT { (:Claim) } AS claims"
        ).single()
    assert rec is not None and (rec["sources"], rec["claims"]) == (3, 6)


def test_api_answers_503_while_the_database_is_stopped(clean_services: Services) -> None:
    import httpx
    from pydantic import SecretStr

    from api.serve import running_api

    settings = clean_services.settings.model_copy(deep=True)
    if settings.uses_external_db:
        pytest.skip("cannot stop an external server")
    settings.api.keys = [SecretStr("outage-key-0123456789")]
    server = managed_server(settings)
    with running_api(settings, clean_services) as url:
        assert httpx.get(f"{url}/findings", timeout=60).status_code == 200
        server.stop()
        try:
            for path in ("/findings", "/health", "/stats"):
                r = httpx.get(f"{url}{path}", timeout=60)
                assert r.status_code == 503, (path, r.text)
                err = r.json()["error"]
                assert err["code"] == "database_unavailable" and err["retryable"] is True
            # a write is refused now, not accepted as a job that fails saying the database
            # "went away before the search index was brought up to date" (red-teamed)
            doc = {"title": "Down note", "text": "Probes detect deception in most runs."}
            head = {"X-API-Key": "outage-key-0123456789"}
            r = httpx.post(f"{url}/ingest/text", json=doc, headers=head, timeout=60)
            assert r.status_code == 503, r.text
            assert r.json()["error"]["code"] == "database_unavailable"
        finally:
            server.start()
        assert httpx.get(f"{url}/findings", timeout=60).status_code == 200


def _statuses_on_one_connection(url: str, paths: list[str]) -> list[int]:
    """Send requests one after another on ONE keep-alive connection; the statuses answered.
    A server that drops the connection after an error without saying `Connection: close`
    answers fewer than asked (clients see resets under load)."""
    import socket
    from urllib.parse import urlsplit

    u = urlsplit(url)
    got: list[int] = []
    with socket.create_connection((u.hostname, u.port), timeout=60) as s:
        f = s.makefile("rb")
        for path in paths:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: {u.hostname}\r\n\r\n".encode())
            status = f.readline()
            if not status:
                break
            headers: dict[str, str] = {}
            while (line := f.readline()) not in (b"\r\n", b""):
                k, _, v = line.decode("latin-1").partition(":")
                headers[k.strip().lower()] = v.strip()
            f.read(int(headers.get("content-length", "0")))
            got.append(int(status.split()[1]))
            if headers.get("connection", "").lower() == "close":
                break
    return got


def test_errors_keep_the_connection_usable(clean_services: Services) -> None:
    from fastapi import FastAPI

    from api.serve import running_api

    settings = clean_services.settings
    if settings.uses_external_db:
        pytest.skip("cannot stop an external server")

    def boom() -> None:
        raise RuntimeError("an internal detail the client must not see")

    def add_boom(app: FastAPI) -> None:
        app.add_api_route("/boom", boom)

    server = managed_server(settings)
    with running_api(settings, clean_services, configure=add_boom) as url:
        assert _statuses_on_one_connection(url, ["/boom", "/boom", "/health"]) == [500, 500, 200]
        server.stop()
        try:
            assert _statuses_on_one_connection(url, ["/findings", "/stats", "/findings"]) == [
                503,
                503,
                503,
            ]
        finally:
            server.start()


def test_forget_with_the_database_gone_says_so_and_a_rerun_finishes(
    clean_services: Services, tmp_path: Path
) -> None:
    """Planned, then the database stops: every file not removed is "failed" with what to do
    (no traceback, nothing half-done); once it is back, the same forget removes them all."""
    from ingest.forget import forget_files, plan_forget

    for i in range(2):
        (tmp_path / f"doc{i}.md").write_text(f"# Doc {i}\n\nProbes fail in experiment {i}.\n")
    clean_services.ingestor().ingest_paths([str(tmp_path)])
    driver = clean_services.graph()
    plan = plan_forget(driver, [str(tmp_path)])
    assert len(plan.files) == 2
    server = managed_server(clean_services.settings)
    server.stop()
    try:
        outcomes = forget_files(driver, plan)
    finally:
        server.start()
    assert [o.status for o in outcomes] == ["failed", "failed"]
    assert all("database went away" in (o.error or "") for o in outcomes)
    assert all("run the same command again" in (o.hint or "") for o in outcomes)
    again = forget_files(driver, plan_forget(driver, [str(tmp_path)]))
    assert [o.status for o in again] == ["removed", "removed"]
