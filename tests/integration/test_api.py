"""The HTTP API over real HTTP (uvicorn on a local port) against the real database."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from pydantic import SecretStr

from api.serve import free_port, running_api
from app.confidences import update_confidences
from app.investigate import build_runner
from app.services import Services
from consilience.settings import Settings
from tests.graph_reset import reset_graph
from tests.probe_documents import POST, REPLY

KEY = "test-key-0123456789"
AGREE = """# An independent replication

Linear probes detect deceptive behaviour in most of the transcripts we examined.
"""
CASE_YAML = (
    "title: t\nnodes:\n  G1: {{type: goal, text: g, children: [E1]}}\n"
    "  E1: {{type: evidence, quote: {quote}}}\n"
)
HOSTILE = [
    "') MATCH (n) DETACH DELETE n //",
    "x' OR 1=1 --",
    "}]->(x) CALL db.clearQueryCaches() //",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u202e\u0000 ünïcödé 中文 🙂",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "$limit",
]


def api_settings(base: Settings, **api: object) -> Settings:
    s = base.model_copy(deep=True)
    s.api.keys = [SecretStr(KEY)]
    for k, v in api.items():
        setattr(s.api, k, v)
    return s


def _error(r: httpx.Response, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and {"code", "message", "hint", "retryable"} == set(body["error"])
    assert "Traceback" not in r.text and 'File "' not in r.text
    return body["error"]


@pytest.fixture(scope="module")
def graph(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Services:
    svc = reset_graph(services)
    tmp = tmp_path_factory.mktemp("api-docs")
    for name, text in (("post.md", POST), ("reply.md", REPLY), ("agree.md", AGREE)):
        (tmp / name).write_text(text)
    svc.ingestor().ingest_paths([str(tmp)])
    svc.claim_index().sync(svc.graph())
    build_runner(svc).run()
    update_confidences(svc, everything=True)
    return svc


@pytest.fixture(scope="module")
def client(graph: Services) -> Iterator[httpx.Client]:
    with (
        running_api(api_settings(graph.settings, max_body_mb=2.0), graph) as url,
        httpx.Client(base_url=url, timeout=60) as c,
    ):
        yield c


def _count(svc: Services) -> tuple[int, int]:
    with svc.graph().write() as s:
        r = s.run("MATCH (n) RETURN count(n) AS n, COUNT { ()-[]->() } AS r").single()
    assert r is not None
    return int(r["n"]), int(r["r"])


def test_every_read_endpoint(client: httpx.Client) -> None:
    assert client.get("/health").json()["claims"] == 5
    stats = client.get("/stats").json()
    assert {n["label"]: n["count"] for n in stats["nodes"]}["Source"] == 3
    sources = client.get("/sources").json()["items"]
    post = next(s for s in sources if s["title"] == "Monitoring results")
    detail = client.get(f"/sources/{post['id']}").json()
    assert detail["line_id"] and detail["retracted"] is False
    hits = client.get("/claims/search", params={"q": "linear probes deception"}).json()
    assert hits and hits[0]["quote"].startswith("Linear probes")
    only = client.get("/claims/search", params={"q": "probes", "source_id": post["id"]}).json()
    assert only and {h["source_id"] for h in only} == {post["id"]}
    trail = client.get(f"/claims/{hits[0]['claim_id']}").json()
    assert trail["claim"]["quote"] == hits[0]["quote"]
    assert trail["confidence"]["p"] is not None and trail["confidence"]["derivation"]
    assert trail["findings"]
    contra = client.get("/findings", params={"kind": "contradicts"}).json()["items"]
    assert contra and all(f["kind"] == "contradicts" for f in contra)
    by_claim = client.get("/findings", params={"claim_id": hits[0]["claim_id"]}).json()["items"]
    assert by_claim and all(hits[0]["claim_id"] in (f["a"]["claim_id"], f["b"]["claim_id"])
                            for f in by_claim)  # fmt: skip
    topic = client.get("/findings", params={"topic": "logit monitor AUROC"}).json()["items"]
    assert topic and any("AUROC" in f["a"]["quote"] for f in topic)
    by_source = client.get("/findings", params={"source_id": post["id"]}).json()["items"]
    assert by_source
    line = client.get("/findings", params={"line_id": detail["line_id"]}).json()["items"]
    assert {f["id"] for f in line} == {f["id"] for f in by_source}
    assert client.get("/findings", params={"independent": "false"}).json()["items"] == []
    review = client.get("/findings/review").json()["items"]
    assert review and all(f["status"] == "open" for f in review)
    one = client.get(f"/findings/{contra[0]['id']}").json()
    assert one["id"] == contra[0]["id"] and one["rationale"]
    assert client.get("/lines").json()["items"]
    own = client.get(f"/lines/{detail['line_id']}").json()
    assert post["id"] in {m["id"] for m in own["members"]}
    assert all(m["reasons"] for m in own["members"])  # each source says why it is there
    assert _error(client.get("/lines/line_missing"), 404)["code"] == "not_found"
    # an API client is told where the ids are over HTTP too (red-teamed: only a CLI command)
    assert "GET /sources" in str(_error(client.get("/sources/src_missing"), 404)["hint"])
    conf = client.get("/confidences", params={"with_evidence": "true"}).json()["items"]
    assert conf and all(0 <= c["low"] <= c["p"] <= c["high"] <= 1 for c in conf)
    for order, sign in (("highest", -1), ("lowest", 1)):
        ranked = client.get("/confidences", params={"order": order, "limit": 1000}).json()
        keys = [(sign * c["p"], c["claim_id"]) for c in ranked["items"]]
        assert len(keys) > 1 and keys == sorted(keys), order
    case = {"yaml": CASE_YAML.format(quote="logit monitor achieves AUROC 0.79")}
    ev = client.post("/cases/evaluate", json=case).json()
    assert ev["root"] == "G1" and ev["nodes"][1]["leaf"]["claim"]["quote"].startswith("The logit")
    csv_text = client.post("/cases/evaluate", params={"format": "csv"}, json=case).text
    assert csv_text.startswith("id,type,")
    assert "Sn_E1" in client.post("/cases/evaluate", params={"format": "gsn"}, json=case).text
    # a warning (an undeveloped goal) reaches a CSV or GSN client too (red-teamed: only JSON)
    bare = {"case": {"title": "t", "nodes": {
        "G1": {"type": "goal", "text": "g", "children": ["E1", "G2"]},
        "G2": {"type": "goal", "text": "not argued yet"},
        "E1": {"type": "evidence", "quote": "logit monitor achieves AUROC 0.79"}}}}  # fmt: skip
    as_csv = client.post("/cases/evaluate", params={"format": "csv"}, json=bare)
    assert as_csv.headers["X-Case-Warning-Count"] == "1"
    assert "G2 is undeveloped" in json.loads(as_csv.headers["X-Case-Warnings"])[0]
    assert (
        client.post("/cases/evaluate", params={"format": "csv"}, json=case).headers[
            "X-Case-Warning-Count"
        ]
        == "0"
    )
    gsn = client.post("/cases/evaluate", params={"format": "gsn"}, json=bare).text
    assert "\n# warning: Goal G2 is undeveloped" in gsn
    nodes = {
        "G1": {"type": "goal", "text": "g", "children": ["E1"]},
        "E1": {"type": "evidence", "quote": "logit monitor achieves AUROC 0.79"},
    }
    as_obj = client.post("/cases/evaluate", json={"case": {"title": "t", "nodes": nodes}}).json()
    assert as_obj["p"] == ev["p"]
    spec = client.get("/openapi.json").json()
    assert "/findings/{finding_id}/verdict" in spec["paths"]


def test_read_endpoints_reveal_file_names_never_server_paths(
    client: httpx.Client, graph: Services
) -> None:
    """The sources were ingested from a temporary folder; over HTTP every path field, at any
    depth, is the file name alone (the CLI, over the same rows, shows the whole path)."""
    sources = client.get("/sources").json()["items"]
    post = next(s for s in sources if s["title"] == "Monitoring results")
    claim = client.get("/claims/search", params={"q": "linear probes deception"}).json()[0]
    finding = client.get("/findings").json()["items"][0]
    bodies = [
        client.get("/sources").text,
        client.get(f"/sources/{post['id']}").text,
        client.get("/claims/search", params={"q": "probes"}).text,
        client.get(f"/claims/{claim['claim_id']}").text,
        client.get("/findings").text,
        client.get(f"/findings/{finding['id']}").text,
        client.get("/findings/review").text,
        client.get("/stats").text,
    ]
    names = {"post.md", "reply.md", "agree.md"}
    seen: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("path", "source_path") and v is not None:
                    seen.add(v)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for body in bodies:
        walk(json.loads(body))
        assert "api-docs" not in body  # the temporary folder's name
    assert seen and seen <= names, seen
    with graph.graph().read() as s:  # the graph itself keeps the whole path
        stored = [r["p"] for r in s.run("MATCH (s:Source) RETURN s.path AS p")]
    assert stored and all("api-docs" in p for p in stored)
    # a case's `source` matches a title or a file name, never the folders above it (red-teamed:
    # the whole path was matched, so a caller could test guesses at the server's directories)
    quote = "logit monitor achieves AUROC 0.79"
    folder = str(Path(next(p for p in stored if p.endswith("post.md"))).parent)
    for source, status in (("post.md", 200), ("Monitoring", 200), (folder, 404), ("api-docs", 404)):
        nodes = {
            "G1": {"type": "goal", "text": "g", "children": ["E1"]},
            "E1": {"type": "evidence", "quote": quote, "source": source},
        }
        r = client.post("/cases/evaluate", json={"case": {"title": "t", "nodes": nodes}})
        assert r.status_code == status, (source, r.text)
        assert str(Path(folder).parent) not in r.text  # a 404 names the input, no path


def test_pagination_covers_everything_once(client: httpx.Client) -> None:
    for path, size in (("/findings", 1), ("/sources", 1), ("/lines", 1), ("/confidences", 2)):
        full = client.get(path, params={"limit": 1000}).json()["items"]
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, str | int] = {"limit": size}
            if cursor:
                params["cursor"] = cursor
            page = client.get(path, params=params).json()
            seen += [i.get("id") or i.get("claim_id") for i in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == len(full) > 0, path


def test_auth_on_writes_and_optional_reads(client: httpx.Client, graph: Services) -> None:
    fid = client.get("/findings", params={"kind": "contradicts"}).json()["items"][0]["id"]
    body = {"verdict": "dismissed", "reviewer": "alice", "reason": "different set-ups"}
    e = _error(client.post(f"/findings/{fid}/verdict", json=body), 401)
    assert e["code"] == "unauthorized" and "X-API-Key" in str(e["hint"])
    _error(client.post(f"/findings/{fid}/verdict", json=body, headers={"X-API-Key": "nope"}), 401)
    ok = client.post(f"/findings/{fid}/verdict", json=body, headers={"X-API-Key": KEY})
    assert ok.status_code == 200 and ok.json()["status"] == "dismissed"
    for path in ("/ingest/text", "/confidences/update", "/findings/verdicts"):
        _error(client.post(path, json={}), 401)
    bulk = {
        "verdicts": [
            # an id pasted with spaces around it is the id (it was "no such finding")
            {"id": f" {fid}\n", "verdict": "confirmed", "reviewer": "bob", "reason": "re-read"},
            {"id": "fnd_missing", "verdict": "confirmed", "reviewer": "bob"},
        ]
    }
    many = client.post("/findings/verdicts", json=bulk, headers={"X-API-Key": KEY})
    assert many.status_code == 200, many.text
    assert [(o["id"], o["recorded"]) for o in many.json()] == [
        (fid, True),
        ("fnd_missing", False),
    ]
    history = client.get(f"/findings/{fid}").json()["history"]
    assert [(h["reviewer"], h["status"]) for h in history][-2:] == [
        ("alice", "dismissed"),
        ("bob", "confirmed"),
    ]
    bad = {"verdicts": [{"id": fid, "verdict": "maybe", "reviewer": "bob"}]}
    _error(client.post("/findings/verdicts", json=bad, headers={"X-API-Key": KEY}), 422)
    upd = client.post(
        "/confidences/update", params={"everything": "true"}, headers={"X-API-Key": KEY}
    )
    assert upd.status_code == 200 and upd.json()["mode"] == "full"
    sid = client.get("/sources").json()["items"][0]["id"]
    _error(client.post(f"/sources/{sid}/retract", json={"reason": "x"}), 401)
    ret = client.post(
        f"/sources/{sid}/retract", json={"reason": "withdrawn"}, headers={"X-API-Key": KEY}
    )
    assert ret.status_code == 200 and ret.json()["mode"] == "retraction"
    shown = client.get(f"/sources/{sid}").json()
    assert (shown["retracted"], shown["retraction_reason"]) == (True, "withdrawn")
    back = client.post(f"/sources/{sid}/retract", json={"undo": True}, headers={"X-API-Key": KEY})
    shown = client.get(f"/sources/{sid}").json()  # no reason for a retraction no longer in force
    assert back.status_code == 200 and (shown["retracted"], shown["retraction_reason"]) == (
        False,
        None,
    )
    client.post(f"/sources/{sid}/retract", json={}, headers={"X-API-Key": KEY})
    assert client.get(f"/sources/{sid}").json()["retraction_reason"] is None  # none given: not ""
    client.post(f"/sources/{sid}/retract", json={"undo": True}, headers={"X-API-Key": KEY})
    other = client.get("/sources").json()["items"][1]["id"]
    link = {"source_id": other}
    _error(client.post(f"/sources/{sid}/summarises", json=link), 401)
    made = client.post(f"/sources/{sid}/summarises", json=link, headers={"X-API-Key": KEY})
    assert made.status_code == 200 and made.json()["linked"] is True
    assert made.json()["recomputed"]["mode"] == "summary"
    assert client.get(f"/sources/{sid}").json()["summarises"] == [other]
    gone = client.post(
        f"/sources/{sid}/summarises", json={**link, "undo": True}, headers={"X-API-Key": KEY}
    )
    assert gone.status_code == 200 and (gone.json()["linked"], gone.json()["removed"]) == (
        False,
        "user",
    )
    assert client.get(f"/sources/{sid}").json()["summarises"] == []
    assert client.get(f"/sources/{sid}").json()["not_summary_of"] == [other]
    with graph.graph().write() as s:  # the module's later tests see the graph as it was
        s.run("MATCH (s:Source {id: $id}) REMOVE s.not_summary_of", id=sid).consume()
    missing = {"source_id": "src_missing"}
    _error(client.post(f"/sources/{sid}/summarises", json=missing, headers={"X-API-Key": KEY}), 404)
    no_keys = graph.settings.model_copy(deep=True)
    no_keys.api.keys = []
    with running_api(no_keys, graph) as url:
        r = httpx.post(f"{url}/findings/{fid}/verdict", json=body, headers={"X-API-Key": KEY})
        assert _error(r, 403)["code"] == "forbidden"
        assert httpx.get(f"{url}/findings").status_code == 200
    with running_api(api_settings(graph.settings, keys_for_reads=True), graph) as url:
        _error(httpx.get(f"{url}/findings"), 401)
        assert httpx.get(f"{url}/findings", headers={"X-API-Key": KEY}).status_code == 200


def test_error_body_is_consistent(client: httpx.Client) -> None:
    assert _error(client.get("/findings/fnd_missing"), 404)["code"] == "not_found"
    assert _error(client.get("/claims/clm_missing"), 404)["code"] == "not_found"
    assert _error(client.get("/sources/src_missing"), 404)["code"] == "not_found"
    assert _error(client.get("/jobs/job_missing"), 404)["code"] == "not_found"
    assert _error(client.get("/nowhere"), 404)["code"] == "not_found"
    for params in ({"limit": 0}, {"kind": "bogus"}, {"min_score": 2}, {"cursor": "[1,"}):
        assert _error(client.get("/findings", params=params), 422)["code"] == "invalid_input"
    _error(client.get("/claims/search"), 422)
    _error(client.get("/claims/search", params={"q": "probes", "kind": "bogus"}), 422)  # was []
    _error(client.post("/cases/evaluate", json={"yaml": "nodes: ["}), 422)
    unknown = {"yaml": CASE_YAML.format(quote="words nobody wrote")}
    hint = _error(client.post("/cases/evaluate", json=unknown), 404)["hint"]
    assert "consilience search" in str(hint)
    _error(
        client.post(
            "/ingest/text",
            content=b"{not json",
            headers={"X-API-Key": KEY, "content-type": "application/json"},
        ),
        400,
    )  # fmt: skip  (README: cannot be parsed)
    assert _error(client.delete("/findings"), 405)["code"] == "method_not_allowed"


def test_hostile_inputs_through_every_parameter(client: httpx.Client, graph: Services) -> None:
    before = _count(graph)
    for bad in HOSTILE:
        for path, params in (
            ("/claims/search", {"q": bad}),
            ("/claims/search", {"q": "probes", "kind": bad, "source_id": bad}),
            ("/findings", {"claim_id": bad, "source_id": bad, "line_id": bad, "topic": bad}),
            ("/findings", {"cursor": bad}),
            ("/sources", {"cursor": bad}),
            ("/lines", {"cursor": bad}),
            ("/confidences", {"cursor": bad}),
        ):
            r = client.get(path, params=params)
            assert r.status_code in (200, 422), (path, bad, r.text)
        seg = quote(bad, safe="")
        for path in (f"/claims/{seg}", f"/findings/{seg}", f"/sources/{seg}", f"/jobs/{seg}"):
            r = client.get(path)
            assert r.status_code in (404, 422), (path, r.text)
        r = client.post("/cases/evaluate", json={"yaml": CASE_YAML.format(quote=repr(bad))})
        assert r.status_code in (404, 422), r.text
    huge = "probes " * 2000
    assert client.get("/claims/search", params={"q": huge}).status_code == 422
    assert client.get("/findings", params={"topic": huge}).status_code == 422
    assert _count(graph) == before  # nothing was written or deleted


def test_request_size_limits(client: httpx.Client) -> None:
    big = {"title": "big", "text": "x" * 3_000_000}
    e = _error(client.post("/ingest/text", json=big, headers={"X-API-Key": KEY}), 413)
    assert e["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds on the stream
        yield b'--zz\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
        for _ in range(40):
            yield b"y" * 100_000

    r = client.post("/ingest/file", content=chunks(), headers={"X-API-Key": KEY,
                    "content-type": "multipart/form-data; boundary=zz"})  # fmt: skip
    _error(r, 413)


def _wait(client: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError("job did not finish")


def test_ingest_jobs_and_idempotence(client: httpx.Client, graph: Services, tmp_path: Path) -> None:
    h = {"X-API-Key": KEY}
    text = "Linear probes rarely detect deceptive behaviour in long transcripts we examined."
    doc = {"title": "MATCH (n) DETACH DELETE n", "text": text, "format": "markdown"}
    r = client.post("/ingest/text", json=doc, headers=h)
    assert r.status_code == 202 and r.json()["status"] in ("queued", "running", "done")
    job = _wait(client, r.json()["id"])
    assert job["status"] == "done" and job["outcomes"][0]["status"] == "ingested"
    assert job["findings_withdrawn"] == 0  # reported (nothing of another version to withdraw)
    assert job["contradictions_folded"] == 0
    assert job["rechecked"] == 0 and job["notes"] == []  # every claim checked was new
    titles = [s["title"] for s in client.get("/sources", params={"limit": 100}).json()["items"]]
    assert "MATCH (n) DETACH DELETE n" in titles and _count(graph)[0] > 0
    n = _count(graph)
    again = _wait(client, client.post("/ingest/text", json=doc, headers=h).json()["id"])
    assert again["outcomes"][0]["status"] == "unchanged" and _count(graph) == n

    files = {"file": ("notes.md", b"# Upload\n\nThe logit monitor achieves AUROC 0.61 here.\n")}
    job = _wait(client, client.post("/ingest/file", files=files, data={"investigate": "false"},
                                    headers=h).json()["id"])  # fmt: skip
    assert job["status"] == "done" and job["outcomes"][0]["claims"] == 1
    junk = {"file": ("junk.pdf", bytes(range(256)) * 64)}
    bad = _wait(client, client.post("/ingest/file", files=junk, headers=h).json()["id"])
    assert bad["status"] == "failed" and bad["error"] and bad["hint"]
    _error(client.post("/ingest/file", files={"file": ("e.txt", b"")}, headers=h), 422)
    _error(client.post("/ingest/text", json={**doc, "text": "   "}, headers=h), 422)
    # a body that is not UTF-8: 400 with what to do (the hint was null)
    raw = b'{"title": "\xff", "text": "x"}'
    bad_body = _error(
        client.post("/ingest/text", content=raw, headers={**h, "content-type": "application/json"}),
        400,
    )
    assert bad_body["code"] == "bad_request" and "UTF-8 JSON" in str(bad_body["hint"])
    cut = b'{"title": "Cut short", "text": "x'  # red-teamed: 422 invalid_input
    cut_body = _error(
        client.post("/ingest/text", content=cut, headers={**h, "content-type": "application/json"}),
        400,
    )
    assert cut_body["code"] == "bad_request" and "not valid JSON" in str(cut_body["message"])


def test_posted_texts_keep_their_names_format_and_front_matter(client: httpx.Client) -> None:
    """Red-teamed: texts were named by their title's first 60 characters, so a second paper
    whose title began the same way replaced the first (`superseded: 1`, no warning); a title
    with no Latin letter lost the ".md" (read as plain text, its markup kept in the claims);
    and the title's heading went before the front matter, whose authors and date were lost."""
    h = {"X-API-Key": KEY}
    stem = "Evaluating membership inference attacks on large language models"
    posted = []
    for part, finding in (("1", "Loss attacks reach 0.6 AUC."), ("2", "Zlib attacks reach 0.7.")):
        doc = {"title": f"{stem}: part {part}", "text": finding, "investigate": False}
        posted.append(_wait(client, client.post("/ingest/text", json=doc, headers=h).json()["id"]))
    assert [j["status"] for j in posted] == ["done", "done"]
    assert posted[0]["inputs"] != posted[1]["inputs"]
    assert all(j["outcomes"][0]["superseded"] == 0 for j in posted)
    front = '---\ntitle: Dense probes\nauthors: ["Ann Author"]\ndate: 2024-01-02\n---\n\n'
    body = "# Results\n\nWe find that **dense probes** outperform sparse ones on every split.\n"
    doc = {"title": "Результаты", "format": "markdown", "text": front + body, "investigate": False}
    job = _wait(client, client.post("/ingest/text", json=doc, headers=h).json()["id"])
    assert job["status"] == "done" and job["inputs"][0].endswith(".md")
    assert job["outcomes"][0]["format"] == "markdown"
    items = client.get("/sources", params={"limit": 100}).json()["items"]
    titles = [s["title"] for s in items]
    assert f"{stem}: part 1" in titles and f"{stem}: part 2" in titles
    mine = next(s for s in items if s["title"] == "Dense probes")
    assert mine["authors"] == ["Ann Author"] and (mine["date"] or "").startswith("2024-01-02")
    hits = client.get("/claims/search", params={"q": "dense probes outperform", "limit": 5})
    quotes = [c["quote"] for c in hits.json()]
    assert any("dense probes outperform" in q for q in quotes)
    assert not any("**" in q for q in quotes)


def test_a_job_says_early_why_it_checks_old_claims_again(
    client: httpx.Client, graph: Services
) -> None:
    """After an upgrade of the judge, one upload re-checks every claim checked before: the job
    says so (while it runs, in `notes`) and counts them (`rechecked`). The re-check itself puts
    every claim back on the current version, so the module's other tests see the graph they
    would have seen without this one (checked at the end)."""
    with graph.graph().write() as s:  # as if an older judge had checked the claims
        r = s.run(
            "MATCH (c:Claim) WHERE c.investigated_version IS NOT NULL "
            "SET c.investigated_version = 'nli-judge@0,summary-distortion@1' "
            "RETURN count(c) AS n"
        ).single()
    assert r is not None and r["n"] > 0
    doc = {"title": "Upgrade", "text": "Sparse probes detect sandbagging in most transcripts."}
    posted = client.post("/ingest/text", json=doc, headers={"X-API-Key": KEY})
    job = _wait(client, posted.json()["id"])
    assert job["status"] == "done" and job["rechecked"] == r["n"]
    assert len(job["notes"]) == 1 and job["notes"][0].startswith(
        f"{r['n']} claim(s) checked before by other versions of the investigators"
    )
    assert "(nli-judge: 0 → " in job["notes"][0]  # the whole new version: no part in common
    with graph.graph().read() as s:  # the re-check leaves the module's graph as it was
        left = s.run(
            "MATCH (c:Claim) WHERE c.investigated_version = 'nli-judge@0,summary-distortion@1' "
            "RETURN count(c) AS n"
        ).single()
    assert left is not None and left["n"] == 0


def test_an_error_written_for_the_command_line_names_no_server_directory(graph: Services) -> None:
    """Found reading the error paths: with credentials Neo4j refuses, the API's 503 hint
    gave the managed server's password file by its full path on the server."""
    wrong = api_settings(graph.settings)
    s = graph.settings
    wrong.neo4j.uri = s.neo4j.uri if s.uses_external_db else graph.server().uri()
    wrong.neo4j.password = SecretStr("not-the-password")
    with running_api(wrong) as url:  # one failed login (three would lock the user 5 s)
        e = _error(httpx.get(f"{url}/findings"), 503)
    assert "refused the credentials" in str(e["message"])
    assert "password is in password" in str(e["hint"]), e
    assert str(s.data_dir) not in str(e) and str(s.neo4j_dir) not in str(e)


def test_database_unreachable_gives_503(graph: Services) -> None:
    down = api_settings(graph.settings)
    down.neo4j.uri = f"bolt://127.0.0.1:{free_port()}"
    down.neo4j.password = SecretStr("x")
    with running_api(down) as url:
        for r in (
            httpx.get(f"{url}/health"),
            httpx.get(f"{url}/findings"),
            httpx.post(f"{url}/ingest/text", json={"title": "t", "text": "x"},
                       headers={"X-API-Key": KEY}),
        ):  # fmt: skip
            e = _error(r, 503)
            assert e["code"] == "database_unavailable" and e["retryable"] is True
            assert "NEO4J_URI names a running Neo4j server" in str(e["hint"])  # it is set


def test_ingest_text_over_the_source_limit_is_refused_before_any_job(
    client: httpx.Client, graph: Services
) -> None:
    before = _count(graph)
    old = graph.settings.max_source_chars
    graph.settings.max_source_chars = 50_000  # the server's own limit, below the body limit
    try:
        big = {"title": "big", "text": "Probes work. " * 10_000}
        e = _error(client.post("/ingest/text", json=big, headers={"X-API-Key": KEY}), 413)
    finally:
        graph.settings.max_source_chars = old
    assert "50,000" in str(e["message"]) and "CONSILIENCE_MAX_SOURCE_CHARS" in str(e["hint"])
    assert _count(graph) == before


def test_cases_with_shared_subgoals_and_long_chains_evaluate(client: httpx.Client) -> None:
    quote = "Linear probes detect deceptive behaviour in most transcripts we examined."
    nodes: dict[str, object] = {"E": {"type": "evidence", "quote": quote, "source": "Monitoring"}}
    for i in range(30):  # 2**30 root-to-leaf paths
        nxt = f"G{i + 1}" if i + 1 < 30 else "E"
        nodes[f"G{i}"] = {"type": "goal", "text": "g", "children": [f"A{i}", f"B{i}"],
                          "combine": "any-of"}  # fmt: skip
        nodes[f"A{i}"] = {"type": "goal", "text": "a", "children": [nxt]}
        nodes[f"B{i}"] = {"type": "goal", "text": "b", "children": [nxt]}
    r = client.post("/cases/evaluate", json={"case": {"title": "t", "root": "G0", "nodes": nodes}})
    assert r.status_code == 200, r.text
    ev = r.json()
    assert 0 <= ev["p"] <= 1 and any("more than one goal" in w for w in ev["warnings"])
    chain: dict[str, object] = {"E": {"type": "evidence", "quote": quote, "source": "Monitoring"}}
    for i in range(1500):
        chain[f"G{i}"] = {
            "type": "goal",
            "text": "g",
            "children": [f"G{i + 1}" if i < 1499 else "E"],
        }
    r = client.post("/cases/evaluate", json={"case": {"title": "t", "root": "G0", "nodes": chain}})
    assert r.status_code == 200, r.text
    twice = {"G": {"type": "goal", "text": "g", "children": ["E", "E"]}, "E": chain["E"]}
    _error(client.post("/cases/evaluate", json={"case": {"title": "t", "nodes": twice}}), 422)


def test_odd_cursors_and_keys_are_client_errors(client: httpx.Client) -> None:
    for cursor in ("²", str(2**63), "9" * 19):
        _error(client.get("/sources", params={"cursor": cursor}), 422)
    for cursor in (f'[{2**63}, "x"]', '[1e400, "x"]', '[NaN, "x"]'):
        _error(client.get("/findings", params={"cursor": cursor}), 422)
    r = client.post("/confidences/update", headers={b"X-API-Key": "clé".encode()})
    _error(r, 401)
