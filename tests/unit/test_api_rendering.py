"""The fast read-route renderer: one thread hop, pydantic's JSON, file names only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel
from pydantic_core import PydanticSerializationError

from api.rendering import json_route
from queries.models import PRIVATE_PATHS, Page, ServerPath, SourceRow
from queries.paging import offset_page


class _NegativeError(Exception):
    pass


class _Leaky(BaseModel):
    source_path: str | None = None


class _Nested(BaseModel):
    rows: list[_Leaky]


def test_a_path_field_not_declared_private_is_refused_when_the_route_is_built() -> None:
    def leaky() -> Page[_Nested]:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match=r"_Leaky\.source_path"):
        json_route(leaky)


def test_an_injected_response_is_refused_since_its_headers_would_be_lost() -> None:
    def with_headers(response: Response) -> SourceRow:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="would be lost"):
        json_route(with_headers)


def test_paths_become_file_names_and_errors_reach_the_handlers() -> None:
    class Declared(BaseModel):
        path: ServerPath = None

    app = FastAPI()

    @app.get("/rows", response_model=Page[SourceRow])
    @json_route
    def rows(n: int = 1) -> Page[SourceRow]:
        if n < 0:
            raise _NegativeError("negative")
        row = SourceRow(id="s1", title="t", kind="paper", path="/srv/private/dir/paper.md")
        return offset_page([row] * n, 0, n)  # as the queries build their pages

    @app.get("/loose", response_model=Page[SourceRow])
    @json_route
    def loose() -> Page[SourceRow]:
        rows: Any = {"items": [{"id": "s", "title": "t", "kind": "k", "path": "/srv/a.md"}]}
        return rows  # not the declared model: refused, never written as it is

    @app.exception_handler(_NegativeError)
    def _bad(request: object, exc: _NegativeError) -> object:
        from fastapi.responses import JSONResponse

        return JSONResponse({"error": str(exc)}, status_code=422)

    client = TestClient(app)
    body = client.get("/rows", params={"n": 2})
    assert body.status_code == 200 and body.headers["content-type"] == "application/json"
    assert [r["path"] for r in json.loads(body.text)["items"]] == ["paper.md", "paper.md"]
    assert client.get("/rows", params={"n": "x"}).status_code == 422  # parameters still checked
    assert client.get("/rows", params={"n": -1}).json() == {"error": "negative"}
    with pytest.raises(PydanticSerializationError):  # a 500 in the app, the path never sent
        client.get("/loose")
    spec = client.get("/openapi.json").json()["paths"]["/rows"]["get"]
    assert spec["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "Page_SourceRow_"
    )
    # a Windows path too; outside the API (the CLI) the same row keeps its whole path
    windows = Declared(path="C:\\data\\x.md")
    assert json.loads(windows.model_dump_json(context={PRIVATE_PATHS: True})) == {"path": "x.md"}
    assert windows.model_dump()["path"] == windows.path == "C:\\data\\x.md"
    assert (
        json.loads(SourceRow(id="s", title="t", kind="k", path="/a/b.md").model_dump_json())["path"]
        == "/a/b.md"
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("the password is in /tmp/p/.consilience/neo4j/password.", "the password is in password."),
        ("no such file '/usr/share/my docs/x.md'", "no such file 'x.md'"),
        ("Make “/usr/lib/a b/faiss” writable", "Make “faiss” writable"),
        ("cannot read file:///usr/share/my%20docs/x.md (denied)", "cannot read x.md (denied)"),
        ("see file:///nonexistent-root/a/b", "see file:///nonexistent-root/a/b"),
        # not paths on this server: routes, URLs, relative paths, fractions
        ("POST /sources/{id}/summarises", "POST /sources/{id}/summarises"),
        ("See the OpenAPI docs at /docs.", "See the OpenAPI docs at /docs."),
        ("Neo4j is not reachable at bolt://127.0.0.1:7687/db", "Neo4j is not reachable at bolt://127.0.0.1:7687/db"),
        ("./rel/a and ~/b/c and 3/4/5", "./rel/a and ~/b/c and 3/4/5"),
    ],
)  # fmt: skip
def test_an_error_text_names_server_files_by_name_only(text: str, shown: str) -> None:
    from api.errors import error_response

    body = json.loads(bytes(error_response(503, text, text).body))["error"]
    assert (body["message"], body["hint"]) == (shown, shown)


def test_a_home_folder_with_a_space_is_hidden_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """From review: a path stopped at the first space, so "/Users/Jo Smith/…/password" showed
    "Smith/…/password" (macOS home folders hold spaces)."""
    from api.private_paths import paths_hidden

    monkeypatch.setenv("HOME", "/Users/Jo Smith")
    hint = "the password is in /Users/Jo Smith/proj/.consilience/neo4j/password)."
    assert paths_hidden(hint) == "the password is in password)."
    assert paths_hidden("see /Users/Jo Smithers/x") == "see /Users/Jo Smithers/x"  # not home


def test_hiding_paths_never_fails_an_error_response(monkeypatch: pytest.MonkeyPatch) -> None:
    """From review: with the working folder deleted under the server (or no home for its
    uid), Path.cwd()/Path.home() raised inside the error handler: every error naming a "/"
    became a 500. And a quoted path ran through other opening quotes (quadratic on a run of
    unclosed “/)."""
    from pathlib import Path

    from api.errors import error_response
    from api.private_paths import paths_hidden

    def gone() -> Path:
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(Path, "cwd", staticmethod(gone))
    monkeypatch.setattr(Path, "home", staticmethod(gone))
    body = json.loads(bytes(error_response(422, "bad", "See /docs and /tmp/a/b.").body))
    assert body["error"]["hint"] == "See /docs and b."
    # an opening quote ends a quoted path (the rescans came from paths running through them)
    assert paths_hidden("“/tmp/a “/tmp/x/y”") == "“a “y”"  # was "“y”": one path over both
    assert paths_hidden("“/" * 2_000) == "“/" * 2_000


def test_a_job_carries_what_the_cli_prints_after_a_run() -> None:
    """Red-teamed: a job whose Claude questions all failed ended "done" with no findings and
    no notes, where the CLI printed the warning and how many claims were left unchecked."""
    from api.jobs import Job
    from api.routers.ingest import _report
    from app.ingest import IngestResult
    from investigators.runner import RunReport

    run = RunReport(
        claims_checked=17, left_unchecked=17, candidate_pairs=40, findings={}, lines=3,
        warnings=["Claude gave no usable answer to 9 of 9 question(s)"],
        skipped=["llm-adjudicator: no key"],
    )  # fmt: skip
    job = Job(id="job_1", kind="ingest", status="running", created_at="2026-12-07T00:00:00Z")
    _report(job, IngestResult(outcomes=[], investigation=run))
    assert job.left_unchecked == 17
    assert "warning: Claude gave no usable answer to 9 of 9 question(s)" in job.notes
    assert not any("no key" in n for n in job.notes)  # said on every keyless job: noise
    assert any(n.startswith("17 claims left unchecked") for n in job.notes)
