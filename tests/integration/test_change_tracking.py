"""Change tracking as a state machine (file path x content hash x sources), against the real
server: after any sequence of create / edit / revert / copy / delete / re-ingest, the graph
equals a fresh ingest of the final files. Plus the red-team steps of issue #13, one by one."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from app.ingest import forget, forget_plan
from app.services import Services
from consilience.vocabulary import FindingKind
from ingest.claims.base import ClaimExtractor, ExtractedClaim
from ingest.claims.rules import RuleExtractor
from ingest.document import PlacedBlock
from ingest.pipeline import Ingestor
from kg.faiss_index import ClaimIndex
from kg.models import SourceKind
from kg.records import FindingRecord
from kg.writers import investigation_store
from tests.graph_reset import reset_graph

VERSIONS = [
    "# Probe study\n\nLinear probes detect deceptive behaviour in 80% of transcripts we read.\n",
    "# Probe study\n\nLinear probes detect deceptive behaviour in 55% of transcripts we read.\n",
    "# Monitor audit\n\nTrusted monitors catch most sabotage attempts in our coding tasks.\n",
    "# Two findings\n\nSandbagging is rare in frontier models we tested this year.\n\n"
    "Evaluation awareness rises with model scale in every family we measured.\n",
]
NAMES = ["a.md", "b.md", "sub/c.md"]


def snapshot(svc: Services) -> tuple[list[str], list[str], list[tuple[str, str, tuple[str, ...]]]]:
    with svc.graph().write() as s:
        sources = sorted(r["id"] for r in s.run("MATCH (s:Source) RETURN s.id AS id"))
        claims = sorted(r["id"] for r in s.run("MATCH (c:Claim) RETURN c.id AS id"))
        files = sorted(
            (r["path"], r["sha"], tuple(sorted(r["src"])))
            for r in s.run(
                "MATCH (f:File) RETURN f.path AS path, f.sha256 AS sha, "
                "[(f)-[:YIELDED]->(x:Source) | x.id] AS src"
            )
        )
    return sources, claims, files


def _write(folder: Path, name: str, text: str) -> None:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.sampled_from(NAMES), st.integers(0, len(VERSIONS) - 1)),
        st.tuples(st.just("copy"), st.sampled_from(NAMES), st.sampled_from(NAMES)),
        st.tuples(st.just("delete"), st.sampled_from(NAMES), st.just(0)),
        st.tuples(st.just("ingest"), st.just(""), st.just(0)),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_any_history_ends_as_a_fresh_ingest(
    clean_services: Services, ops: list[tuple[str, str, int | str]]
) -> None:
    svc = reset_graph(clean_services)
    folder = Path(tempfile.mkdtemp(prefix="ct-"))
    try:
        ing = svc.ingestor()
        for op, x, y in ops:
            if op == "write" and isinstance(y, int):
                _write(folder, x, VERSIONS[y])
            elif op == "copy" and isinstance(y, str) and (folder / x).exists() and x != y:
                _write(folder, y, (folder / x).read_text())
            elif op == "delete":
                (folder / x).unlink(missing_ok=True)
            elif op == "ingest":
                ing.ingest_paths([str(folder)])
        ing.ingest_paths([str(folder)])
        after_history = snapshot(svc)
        again = ing.ingest_paths([str(folder)])
        assert all(o.status == "unchanged" for o in again), [(o.path, o.status) for o in again]
        assert snapshot(svc) == after_history
        reset_graph(svc)
        ing.ingest_paths([str(folder)])
        assert after_history == snapshot(svc), ops
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _claims(svc: Services) -> set[str]:
    with svc.graph().write() as s:
        return {r["t"] for r in s.run("MATCH (c:Claim) RETURN c.text AS t")}


def test_reverting_a_file_restores_the_old_version(
    clean_services: Services, tmp_path: Path
) -> None:
    ing = clean_services.ingestor()
    f = tmp_path / "a.md"
    f.write_text(VERSIONS[0])
    assert ing.ingest_file(f).status == "ingested"
    f.write_text(VERSIONS[1])
    assert ing.ingest_file(f).status == "ingested"
    f.write_text(VERSIONS[0])  # revert: used to be "unchanged, 0 sources" with v2 kept
    out = ing.ingest_file(f)
    assert out.status == "ingested" and out.sources == 1 and out.superseded == 1
    assert any("80%" in t for t in _claims(clean_services))
    assert not any("55%" in t for t in _claims(clean_services))


def test_what_a_user_said_about_a_source_holds_for_its_revised_version(
    clean_services: Services, tmp_path: Path
) -> None:
    """Red-teamed: editing a retracted paper un-retracted it, and a summary link the user
    declared went with the old version (the pair counted as independent again), silently."""
    from app.sources import retract_source
    from kg.writers import store

    svc = clean_services
    ing = svc.ingestor()
    paper, digest, other = tmp_path / "a.md", tmp_path / "digest.md", tmp_path / "other.md"
    paper.write_text(VERSIONS[0])
    digest.write_text("# Digest\n\nProbes caught deception in most transcripts, a lab says.\n")
    other.write_text(VERSIONS[2])
    ing.ingest_paths([str(paper), str(digest), str(other)])

    def source_of(path: Path) -> dict[str, Any]:
        with svc.graph().read() as s:
            rec = s.run(
                "MATCH (:File {path: $p})-[:YIELDED]->(s:Source) RETURN s {.*} AS s",
                p=str(path.resolve()),
            ).single()
        assert rec is not None
        return dict(rec["s"])

    old = source_of(paper)["id"]
    retract_source(svc, old, "the authors withdrew it")
    assert store.declare_summary(svc.graph(), source_of(digest)["id"], old) == "linked"
    assert store.undeclare_summary(svc.graph(), source_of(other)["id"], old) == ""
    paper.write_text(VERSIONS[1])  # revised
    out = ing.ingest_file(paper)
    assert out.status == "ingested" and out.superseded == 1
    assert "its retraction (the authors withdrew it) holds for the new version" in out.warnings
    assert "2 summary declaration(s) of yours hold for the new version" in out.warnings
    new = source_of(paper)
    assert new["id"] != old and new["retracted"] is True
    assert new["retraction_reason"] == "the authors withdrew it"
    with svc.graph().read() as s:
        linked = s.run(
            "MATCH (d:Source)-[r:SUMMARISES]->(:Source {id: $id}) "
            "RETURN d.id AS d, r.declared AS how",
            id=new["id"],
        ).data()
    assert linked == [{"d": source_of(digest)["id"], "how": "user"}]
    assert source_of(other)["not_summary_of"] == [new["id"]]
    paper.write_text(VERSIONS[0])  # reverted: still what the user said
    assert ing.ingest_file(paper).status == "ingested"
    assert source_of(paper)["retracted"] is True


def test_editing_one_of_two_identical_files_keeps_the_other(
    clean_services: Services, tmp_path: Path
) -> None:
    ing = clean_services.ingestor()
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text(VERSIONS[2])
    b.write_text(VERSIONS[2])
    assert [o.status for o in ing.ingest_paths([str(tmp_path)])] == ["ingested", "unchanged"]
    a.write_text(VERSIONS[3])
    outs = {Path(o.path).name: o for o in ing.ingest_paths([str(tmp_path)])}
    assert outs["a.md"].status == "ingested" and outs["a.md"].superseded == 0  # b still has it
    assert outs["b.md"].status == "unchanged" and outs["b.md"].sources == 1
    assert any("sabotage" in t for t in _claims(clean_services))
    assert ing.ingest_file(b).claims == 1
    # the shared source names a file that still yields it (it named a.md, now another text)
    assert _source_paths(clean_services, "sabotage") == [str(b.resolve())]
    a.write_text(VERSIONS[2])  # identical again, then a.md deleted: b.md still yields it
    ing.ingest_paths([str(tmp_path)])
    a.unlink()
    outs = {Path(o.path).name: o.status for o in ing.ingest_paths([str(tmp_path)])}
    assert outs == {"a.md": "removed", "b.md": "unchanged"}
    assert _source_paths(clean_services, "sabotage") == [str(b.resolve())]


def test_a_source_ingested_by_a_relative_path_records_the_absolute_one(
    clean_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Red-teamed: a source kept the path as typed ("mia/x.md"), relative to wherever the
    ingest ran, while its file's record is absolute: an export's paths did not resolve from
    anywhere else, and when a file with an identical copy left, the shared source kept naming it
    (the re-pointing matches the file's absolute path)."""
    ing = clean_services.ingestor()
    (tmp_path / "docs").mkdir()
    a, b = tmp_path / "docs" / "a.md", tmp_path / "docs" / "b.md"
    a.write_text(VERSIONS[2])
    b.write_text(VERSIONS[2])
    monkeypatch.chdir(tmp_path)
    assert [o.status for o in ing.ingest_paths(["docs/a.md"])] == ["ingested"]
    assert _source_paths(clean_services, "sabotage") == [str(a.resolve())]
    ing.ingest_paths(["docs/b.md"])
    a.unlink()
    outs = {Path(o.path).name: o.status for o in ing.ingest_paths(["docs"])}
    assert outs == {"a.md": "removed", "b.md": "unchanged"}
    assert _source_paths(clean_services, "sabotage") == [str(b.resolve())]


def _source_paths(svc: Services, word: str) -> list[str]:
    """The path of each source with a claim containing `word`."""
    with svc.graph().write() as s:
        return sorted(
            r["p"]
            for r in s.run(
                "MATCH (s:Source)-[:HAS_CLAIM]->(c:Claim) WHERE c.text CONTAINS $w "
                "RETURN DISTINCT s.path AS p",
                w=word,
            )
        )


def test_a_file_gone_from_the_folder_leaves_the_graph(
    clean_services: Services, tmp_path: Path
) -> None:
    ing = clean_services.ingestor()
    (tmp_path / "a.md").write_text(VERSIONS[0])
    (tmp_path / "b.md").write_text(VERSIONS[2])
    ing.ingest_paths([str(tmp_path)])
    (tmp_path / "b.md").unlink()
    outs = ing.ingest_paths([str(tmp_path)])
    removed = [o for o in outs if o.status == "removed"]
    assert len(removed) == 1 and removed[0].path.endswith("b.md") and removed[0].superseded == 1
    assert not any("sabotage" in t for t in _claims(clean_services))


def test_odd_folders_and_names_ingest(clean_services: Services, tmp_path: Path) -> None:
    """A dot-folder in the user's path, '[' in a name, a symlink, deep HTML and one bad UTF-8
    byte, all in one folder: each gets the right result and the rest is still processed."""
    folder = tmp_path / ".config" / "papers"
    folder.mkdir(parents=True)
    (folder / "draft [v2].md").write_text(VERSIONS[0])
    (folder / "deep.html").write_text(
        "<html><body>" + "<div>" * 3000 + "<p>Trusted monitors catch most sabotage attempts "
        "in coding tasks.</p>" + "</div>" * 3000 + "</body></html>"
    )
    (folder / "latin.md").write_bytes(VERSIONS[3].encode() + b"\xff Caf\xc3\xa9.\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (folder / "link.txt").symlink_to(secret)
    outs = {Path(o.path).name: o for o in clean_services.ingestor().ingest_paths([str(folder)])}
    assert outs["draft [v2].md"].status == "ingested"
    assert outs["deep.html"].status == "ingested" and outs["deep.html"].claims == 1
    assert outs["latin.md"].status == "ingested"
    assert outs["latin.md"].warnings and "UTF-8" in outs["latin.md"].warnings[0]
    assert outs["link.txt"].status == "refused"
    assert not any("root:x" in t for t in _claims(clean_services))
    # the file named directly, brackets and all, is that file and not a glob
    assert clean_services.ingestor().ingest_paths([str(folder / "draft [v2].md")])[0].status == (
        "unchanged"
    )


def _finished(client: httpx.Client, posted: httpx.Response) -> dict[str, Any]:
    """The job an ingest request started, once it is done or failed."""
    assert posted.status_code == 202, posted.text
    for _ in range(600):
        got = client.get(f"/jobs/{posted.json()['id']}").json()
        if got["status"] in ("done", "failed"):
            return got
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def test_reuploading_a_revised_document_replaces_it(clean_services: Services) -> None:
    from api.serve import running_api

    s = clean_services.settings.model_copy(deep=True)
    s.api.keys = [SecretStr("k" * 20)]
    head = {"X-API-Key": "k" * 20}
    with running_api(s, clean_services) as url, httpx.Client(base_url=url, timeout=60) as c:

        def upload(text: str) -> dict[str, Any]:
            files = {"file": ("study.md", text.encode(), "text/markdown")}
            return _finished(
                c, c.post("/ingest/file", files=files, data={"investigate": "false"}, headers=head)
            )

        first = upload(VERSIONS[0])
        assert first["status"] == "done"
        second = upload(VERSIONS[1])
        assert second["status"] == "done" and second["outcomes"][0]["superseded"] == 1
        assert second["outcomes"][0]["path"] == "study.md"  # a name, never a server path
        texts = _claims(clean_services)
        assert any("55%" in t for t in texts) and not any("80%" in t for t in texts)
        sources = c.get("/sources").json()["items"]
        assert sources and all("/" not in (x.get("path") or "") for x in sources)


def test_uploads_never_replace_another_document_nor_lose_their_own(
    clean_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Red-teamed: titles that cleaned to one file name ("Risk: low?", "Risk (low)"), or a text
    titled like an uploaded file, replaced the other document; of two uploads under one name at
    once, the first one's bytes were never ingested though its job said "ingested"; a file that
    failed (too long) was left in the uploads folder; a job's error named the server's folder."""
    from api.serve import running_api

    s = clean_services.settings.model_copy(deep=True)
    s.api.keys = [SecretStr("k" * 20)]
    head = {"X-API-Key": "k" * 20}
    uploads = clean_services.settings.data_dir / "uploads"
    with running_api(s, clean_services) as url, httpx.Client(base_url=url, timeout=60) as c:

        def wait(posted: httpx.Response) -> dict[str, Any]:
            return _finished(c, posted)

        def text(title: str, body: str) -> httpx.Response:
            doc = {"title": title, "text": body, "investigate": False}
            return c.post("/ingest/text", json=doc, headers=head)

        def upload(name: str, body: str) -> httpx.Response:
            files = {"file": (name, body.encode(), "text/markdown")}
            return c.post("/ingest/file", files=files, data={"investigate": "false"}, headers=head)

        low = wait(text("Risk: low?", "Deployment risk was rated low in 4 of 5 audits."))
        other = wait(text("Risk (low)", "Sandbox escapes occurred in 1 of 9 trials we ran."))
        assert low["inputs"] != other["inputs"]
        assert (
            low["status"] == other["status"] == "done" and other["outcomes"][0]["superseded"] == 0
        )
        cost = wait(text("Cost/benefit analysis", "Probing costs twice as much as we budgeted."))
        risk = wait(text("Risk/benefit analysis", "Red-teaming found 3 jailbreaks in the release."))
        assert cost["inputs"] != risk["inputs"] and risk["outcomes"][0]["superseded"] == 0
        wait(upload("up.md", "# Upload Doc\n\nProbes flag deception in most agent transcripts."))
        titled = wait(text("up", "Monitors miss sabotage in long agentic coding tasks."))
        assert titled["outcomes"][0]["superseded"] == 0
        texts = _claims(clean_services)
        for words in ("4 of 5 audits", "1 of 9 trials", "Probes flag deception", "Monitors miss",
                      "twice as much", "3 jailbreaks"):  # fmt: skip
            assert any(words in t for t in texts), words

        # two uploads under one name at once: each job reads its own bytes, the last one stays
        first = upload("race.md", "# Race\n\nRace A found that probes fail on long transcripts.")
        second = upload("race.md", "# Race\n\nRace B found that probes work on long transcripts.")
        a, b = wait(first), wait(second)
        assert a["outcomes"][0]["status"] == b["outcomes"][0]["status"] == "ingested"
        assert b["outcomes"][0]["superseded"] == 1  # B replaced A, which had been ingested
        texts = _claims(clean_services)
        assert any("Race B" in t for t in texts) and not any("Race A" in t for t in texts)

        # too long: the job fails, and the folder keeps the version the graph holds
        monkeypatch.setattr(clean_services.settings, "max_source_chars", 300)
        long = wait(upload("up.md", "# Upload Doc\n\n" + "Probes flag deception. " * 40))
        assert long["status"] == "failed" and "limit 300" in long["error"]
        assert "Probes flag deception in most" in (uploads / "up.md").read_text()
        gone = wait(upload("new.md", "# New\n\n" + "A very long claim here. " * 40))
        assert gone["status"] == "failed" and not (uploads / "new.md").exists()
        assert not list(uploads.glob(".*.part"))
        assert str(clean_services.settings.data_dir) not in (gone["error"] or "") + str(gone)


def test_an_upload_kept_under_an_older_releases_name_is_retired_as_the_readme_says(
    clean_services: Services,
) -> None:
    """Before names were hashed, "Risk (low).md" was kept as uploads/Risk_low_.md; a revision
    uploaded now lands beside it as a second document. README, "Upgrading a checkout that
    holds data": delete the old file and ingest the uploads folder. Only the revision is left."""
    from api.serve import running_api

    s = clean_services.settings.model_copy(deep=True)
    s.api.keys = [SecretStr("k" * 20)]
    uploads = clean_services.settings.data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    legacy = uploads / "Risk_low_.md"  # the name the earlier release gave "Risk (low).md"
    legacy.write_text("# Risk\n\nDeployment risk was rated low in 4 of 5 audits.\n")
    ing = clean_services.ingestor()
    assert ing.ingest_paths([str(legacy)])[0].status == "ingested"  # as the old API did
    with running_api(s, clean_services) as url, httpx.Client(base_url=url, timeout=60) as c:
        files = {"file": ("Risk (low).md", b"# Risk\n\nDeployment risk was rated low in 5 of 5 "
                          b"audits.\n", "text/markdown")}  # fmt: skip
        posted = c.post("/ingest/file", files=files, data={"investigate": "false"},
                        headers={"X-API-Key": "k" * 20})  # fmt: skip
        job = _finished(c, posted)
    assert job["status"] == "done" and job["outcomes"][0]["superseded"] == 0  # the break
    assert len(_source_paths(clean_services, "rated low")) == 2
    legacy.unlink()
    outs = {Path(o.path).name: o for o in ing.ingest_paths([str(uploads)])}
    assert outs["Risk_low_.md"].status == "removed"
    assert outs[job["inputs"][0]].status == "unchanged"
    texts = _claims(clean_services)
    assert any("5 of 5" in t for t in texts) and not any("4 of 5" in t for t in texts)


def _front(title: str, authors: list[str], date: str | None, body: str) -> str:
    when = f"date: {date}\n" if date else ""
    return f"---\ntitle: {title}\nauthors: {authors}\n{when}---\n\n{body}"


def _source_meta(svc: Services, word: str) -> list[tuple[str, list[str], str | None]]:
    """(title, authors by edge, date) of each source with a claim containing `word`."""
    with svc.graph().write() as s:
        return sorted(
            (r["title"], sorted(r["authors"]), r["date"])
            for r in s.run(
                "MATCH (s:Source)-[:HAS_CLAIM]->(c:Claim) WHERE c.text CONTAINS $w "
                "WITH DISTINCT s OPTIONAL MATCH (s)-[:AUTHORED_BY]->(a:Author) "
                "RETURN s.title AS title, collect(a.name) AS authors, s.date AS date",
                w=word,
            )
        )


def test_a_source_read_again_states_only_what_its_file_now_says(
    clean_services: Services, tmp_path: Path
) -> None:
    """Red-teamed: authors taken out of the front matter stayed attached (and put the source
    in a line of research with their other papers); a date taken out stayed; two files with the
    same body under different front matter became one source silently, authors pooled."""
    svc = clean_services
    body = "Sparse probes detect sandbagging in most transcripts we read.\n"
    paper = tmp_path / "paper.md"
    paper.write_text(_front("Probe paper", ["Alice Smith", "Bob Jones"], "2024-05-01", body))
    ing = svc.ingestor()
    ing.ingest_paths([str(paper)])
    assert _source_meta(svc, "Sparse") == [
        ("Probe paper", ["Alice Smith", "Bob Jones"], "2024-05-01")
    ]
    other = tmp_path / "other.md"  # Alice's other paper keeps her
    other.write_text(_front("Other paper", ["Alice Smith"], None, "Monitors catch sabotage.\n"))
    ing.ingest_paths([str(other)])
    paper.write_text(_front("Probe paper", ["Only Carol"], None, body))
    ing.ingest_paths([str(paper)])
    assert _source_meta(svc, "Sparse") == [("Probe paper", ["Only Carol"], None)]
    with svc.graph().write() as s:
        names = sorted(r["n"] for r in s.run("MATCH (a:Author) RETURN a.name AS n"))
    assert names == ["Alice Smith", "Only Carol"]  # Bob, with no source left, is gone

    blog = tmp_path / "blog.md"
    blog.write_text(_front("Blog copy", ["Dan Blogger"], "2025-01-01", body))
    (out,) = ing.ingest_paths([str(blog)])
    assert out.status == "ingested"
    assert any("the same text as 'Probe paper' from paper.md" in w for w in out.warnings)
    assert _source_meta(svc, "Sparse") == [("Blog copy", ["Dan Blogger"], "2025-01-01")]
    # the blog changes its text: the source is the paper's alone, and so are its title,
    # authors and date again (the paper is read again; it had not changed)
    blog.write_text(_front("Blog copy", ["Dan Blogger"], "2025-01-01", "Probes fail.\n" + body))
    outs = {Path(o.path).name: o for o in ing.ingest_paths([str(blog)])}
    assert "read again" in outs["paper.md"].warnings[-1]
    assert ("Probe paper", ["Only Carol"], None) in _source_meta(svc, "Sparse")
    blog.write_text(_front("Blog copy", ["Dan Blogger"], "2025-01-01", body))  # shared again
    ing.ingest_paths([str(blog)])
    forget(svc, forget_plan(svc, [str(blog)]), investigate_after=False)  # and then forgotten
    assert _source_meta(svc, "Sparse") == [("Probe paper", ["Only Carol"], None)]


def test_forget_removes_a_document_and_what_rested_on_it(
    cli_services: Services, tmp_path: Path
) -> None:
    """`consilience forget`: a document ingested by its path leaves the graph, whether or not
    the file is still there: its claims, the findings on them (a verdict archived), the FAISS
    copy; the file on disk is untouched; a copy's sources stay; a folder needs --yes and names
    only the files under it (not a sibling's); confidences are redone; a path the graph does
    not hold fails with what to do, and removes nothing."""
    import json

    from typer.testing import CliRunner

    from cli.main import app

    svc = cli_services
    (tmp_path / "a.md").write_text(VERSIONS[0])
    gone = tmp_path / "sub" / "b.md"
    gone.parent.mkdir()
    gone.write_text(VERSIONS[2])
    (tmp_path / "twin.md").write_text(VERSIONS[3])
    (tmp_path / "sub" / "twin.md").write_text(VERSIONS[3])
    (tmp_path / "sub2").mkdir()  # a sibling whose name starts like the folder forgotten
    (tmp_path / "sub2" / "c.md").write_text(VERSIONS[1].replace("Probe study", "Replication"))
    svc.ingestor().ingest_paths([str(tmp_path)])
    svc.claim_index().sync(svc.graph())
    probe = _claim_id(svc, "80%")
    finding = FindingRecord(
        id="fnd_forget", a_id=probe, b_id=_claim_id(svc, "sabotage"), score=0.9,
        kind=FindingKind.CONTRADICTS, investigator="test", version="1", rationale="test",
        independent=True,
    )  # fmt: skip
    investigation_store.write_findings(svc.graph(), [finding], [], "test")
    assert investigation_store.set_verdict(svc.graph(), "fnd_forget", "confirmed", "bob", "")
    cli = CliRunner()

    def rows(argv: list[str], code: int = 0) -> list[dict[str, Any]]:
        out = cli.invoke(app, argv)
        assert out.exit_code == code and not isinstance(out.exception, Exception), out.output
        return [json.loads(line) for line in out.stdout.splitlines()]

    sub = str(tmp_path / "sub")
    planned = rows(["forget", "--dry-run", "--json", sub, str(tmp_path / "sub" / "twin.md")])
    assert [(r["path"], r["via_folder"]) for r in planned] == [
        (str((tmp_path / "sub" / n).resolve()), True) for n in ("b.md", "twin.md")
    ]  # each file once, the sibling sub2/ not among them
    refused = cli.invoke(app, ["forget", sub])  # a folder without --yes
    assert refused.exit_code == 2 and "--yes" in refused.output
    assert any("sabotage" in t for t in _claims(svc))  # neither removed anything

    gone.unlink()  # forgetting does not need the file; ingesting it again says so
    (miss,) = rows(["ingest", "--json", "--no-investigate", str(gone)], code=1)
    assert miss["hint"] == (
        f"The graph still holds what was ingested from it: `consilience forget {gone}` removes "
        "that."
    )
    (row,) = rows(["forget", "--json", "--no-investigate", str(gone)])
    assert row["status"] == "removed" and row["superseded"] == 1
    assert any("archived" in w for w in row["warnings"])
    assert not any("sabotage" in t for t in _claims(svc))

    def stale() -> object:
        with svc.graph().write() as s:
            rec = s.run("MATCH (c:Claim {id: $id}) RETURN c.confidence_stale AS x", id=probe)
            return rec.single(strict=True)["x"]

    with svc.graph().write() as s:
        assert s.run("MATCH (f:Finding) RETURN count(f) AS n").single(strict=True)["n"] == 0
    assert stale() is True  # --no-investigate: redone by the next update
    on_disk = ClaimIndex(svc.settings.faiss_dir, svc.embedder.dimensions).load()
    assert on_disk.check(svc.graph()) == (set(), set())  # the FAISS copy followed

    (twin,) = rows(["forget", "--json", "--yes", sub])  # investigates afterwards
    assert "its sources stay" in twin["warnings"][0]
    assert stale() is not True  # the confidence the finding bore on was redone
    texts = _claims(svc)
    assert any("Evaluation awareness" in t for t in texts)  # ./twin.md still yields them
    assert any("55%" in t for t in texts)  # sub2/ is not under sub/
    assert (tmp_path / "sub" / "twin.md").exists()  # files are never touched

    before = _claims(svc)
    again = rows(["forget", "--json", str(gone), str(tmp_path / "nowhere")], code=1)
    assert [r["status"] for r in again] == ["failed", "failed"]
    assert "holds no file" in again[0]["error"] and "sources list --json" in again[0]["hint"]
    assert _claims(svc) == before


def test_forgetting_a_source_leaves_no_author_or_measure_behind(
    clean_services: Services, tmp_path: Path
) -> None:
    """Review: a source forgotten left its authors, organisation and measured quantities as
    nodes with no edge (listed in Bloom with nothing behind them); what another source still
    names stays."""
    svc = clean_services
    solo = tmp_path / "solo.md"
    solo.write_text(
        "---\ntitle: Solo study\nauthors: [Zed Unique, Shared Author]\norganisation: Solo Lab\n"
        "---\n\nDeception probes reach an AUROC of 0.91 on our held-out transcripts.\n"
    )
    (tmp_path / "kept.md").write_text(
        _front("Kept study", ["Shared Author"], None, "Monitors catch sabotage in most runs.\n")
    )
    svc.ingestor().ingest_paths([str(tmp_path)])

    def names(label: str) -> list[str]:
        with svc.graph().write() as s:
            rows = s.run("MATCH (x) WHERE $label IN labels(x) RETURN x.name AS n", label=label)
            return sorted(r["n"] for r in rows)

    assert names("Author") == ["Shared Author", "Zed Unique"]
    assert names("Organisation") == ["Solo Lab"] and names("Measure") == ["auroc"]
    forget(svc, forget_plan(svc, [str(solo)]), investigate_after=False)
    assert names("Author") == ["Shared Author"]
    assert names("Organisation") == [] and names("Measure") == []
    with svc.graph().write() as s:
        lonely = s.run(
            "MATCH (x:Author|Work|Method|Dataset|Organisation|Measure) "
            "WHERE NOT EXISTS { (x)--() } RETURN count(x) AS n"
        ).single(strict=True)["n"]
    assert lonely == 0


def test_a_claim_read_again_keeps_only_the_tags_it_now_has(
    clean_services: Services, tmp_path: Path
) -> None:
    """Review: a claim kept across a re-read (a revised document, a new extractor) kept every
    MEASURES and HAS_ASPECT edge it ever had; the tags no claim names any more stayed as nodes.
    The old reading is simulated by edges the text never gave."""
    svc = clean_services
    doc = tmp_path / "probe.md"
    doc.write_text("Deception probes reach an AUROC of 0.91 on our held-out transcripts.\n")
    svc.ingestor().ingest_paths([str(doc)])

    def tags() -> tuple[list[str], list[str]]:
        with svc.graph().write() as s:
            m = s.run("MATCH (:Claim)-[:MEASURES]->(m) RETURN m.name AS n ORDER BY n")
            measures = [r["n"] for r in m]
            a = s.run("MATCH (:Claim)-[:HAS_ASPECT]->(a) RETURN a.key AS k ORDER BY k")
            return measures, [r["k"] for r in a]

    measures, aspects = tags()
    assert measures == ["auroc"] and aspects
    with svc.graph().write() as s:
        s.run(
            "MATCH (c:Claim) MERGE (m:Measure {name: 'bleu'}) MERGE (c)-[:MEASURES]->(m) "
            "MERGE (a:Aspect {key: 'stale aspect'}) MERGE (c)-[:HAS_ASPECT]->(a)"
        ).consume()
    assert tags() != (measures, aspects)
    svc.ingestor().ingest_paths([str(doc)], force=True)
    assert tags() == (measures, aspects)
    with svc.graph().write() as s:
        left = s.run(
            "MATCH (x:Measure|Aspect) WHERE x.name = 'bleu' OR x.key = 'stale aspect' "
            "RETURN count(x) AS n"
        ).single(strict=True)["n"]
    assert left == 0


def test_an_upload_can_be_forgotten_through_the_api(clean_services: Services) -> None:
    """DELETE /uploads/{name} and /texts/{name}: by the stored name or the name given (a long
    one too); right after the upload, while its job may still run, it forgets what the upload
    stored; the stored file goes; a second DELETE is a 404 or a failed job that names no
    server folder; a write needs a key."""
    from api.serve import running_api

    s = clean_services.settings.model_copy(deep=True)
    s.api.keys = [SecretStr("k" * 20)]
    head = {"X-API-Key": "k" * 20}
    data = clean_services.settings.data_dir
    with running_api(s, clean_services) as url, httpx.Client(base_url=url, timeout=60) as c:

        def upload(name: str, text: str) -> httpx.Response:
            files = {"file": (name, text.encode(), "text/markdown")}
            return c.post("/ingest/file", files=files, data={"investigate": "false"}, headers=head)

        up = _finished(c, upload("Study (v1).md", VERSIONS[0]))
        doc = {"title": "Monitor notes", "text": VERSIONS[2], "investigate": False}
        text = _finished(c, c.post("/ingest/text", json=doc, headers=head))
        assert c.delete(f"/uploads/{up['inputs'][0]}").status_code in (401, 403)  # a write
        missing = c.delete("/uploads/never-uploaded.md", headers=head)
        assert missing.status_code == 404 and "inputs" in missing.json()["error"]["hint"]
        assert c.delete("/uploads/..", headers=head).status_code == 404
        odd = c.delete("/texts/%3F%3F%3F", headers=head)  # "???": was named "upload-<hash>"
        assert odd.status_code == 404 and "'???'" in odd.json()["error"]["message"]

        first = c.delete("/uploads/Study (v1).md", headers=head)  # the name as uploaded
        second = c.delete(f"/uploads/{up['inputs'][0]}", headers=head)  # and as stored
        done = _finished(c, first)
        assert done["status"] == "done" and done["kind"] == "forget"
        assert done["outcomes"][0]["status"] == "removed"
        assert done["outcomes"][0]["path"] == up["inputs"][0]  # a name, never a path
        if second.status_code == 202:  # sent while the first one was queued: its job says so
            again = _finished(c, second)
            assert again["status"] == "failed" and "No document is stored" in again["error"]
            assert str(data) not in json.dumps(again)
        else:
            assert second.status_code == 404
        assert not (data / "uploads" / up["inputs"][0]).exists()
        assert not any("80%" in t for t in _claims(clean_services))

        stored = text["inputs"][0]
        assert _finished(c, c.delete(f"/texts/{stored}", headers=head))["status"] == "done"
        assert not any("sabotage" in t for t in _claims(clean_services))
        assert not (data / "texts" / stored).exists()
        assert c.delete(f"/texts/{stored}", headers=head).status_code == 404

        long = "x" * 130 + ".md"  # stored under a cut name with a hash
        posted, gone = upload(long, VERSIONS[3]), c.delete(f"/uploads/{long}", headers=head)
        assert gone.status_code == 202  # the upload's job is queued or running: it follows it
        stored_long = _finished(c, posted)["inputs"][0]
        assert stored_long != long and _finished(c, gone)["status"] == "done"
        assert not any("Sandbagging" in t for t in _claims(clean_services))
        assert not (data / "uploads" / stored_long).exists()
        assert c.delete(f"/uploads/{stored_long}", headers=head).status_code == 404


class _RulesV1(RuleExtractor):
    """The offline rules as an earlier release tagged them."""

    version = "1"


class _RulesFewer(RuleExtractor):
    """A later release of the rules that no longer takes the sandbagging sentence as a claim."""

    version = "99"

    def extract(
        self,
        text: str,
        blocks: list[PlacedBlock],
        source_kind: SourceKind,
        *,
        only: Collection[int] | None = None,
    ) -> list[ExtractedClaim]:
        got = super().extract(text, blocks, source_kind, only=only)
        return [c for c in got if "Sandbagging" not in text[c.start : c.end]]


class _Claude(_RulesFewer):
    name = "claude"


def _claim_id(svc: Services, word: str) -> str:
    with svc.graph().write() as s:
        rec = s.run("MATCH (c:Claim) WHERE c.text CONTAINS $w RETURN c.id AS id", w=word).single()
    assert rec is not None, word
    return str(rec["id"])


def test_a_new_extractor_version_reads_unchanged_files_again(
    clean_services: Services, tmp_path: Path
) -> None:
    """Claims are derived from a file's bytes *and* the extractor: after an upgrade that
    changes the rules, an unchanged file is read again (it used to stay "unchanged" with the old
    claims until `--force`, and even `--force` kept claims the new rules drop from a passage
    that stays). Findings on the claims that stay are kept; a verdict on one that goes is
    archived."""
    svc = clean_services

    def ingestor(extractor: ClaimExtractor) -> Ingestor:
        return Ingestor(svc.graph(), svc.embedder, extractor)

    a, other = tmp_path / "a.md", tmp_path / "other.md"
    a.write_text(VERSIONS[3])
    other.write_text(VERSIONS[2])
    assert {o.status for o in ingestor(_RulesV1()).ingest_paths([str(tmp_path)])} == {"ingested"}
    sandbag, aware, monitors = (
        _claim_id(svc, w) for w in ("Sandbagging", "Evaluation awareness", "sabotage")
    )
    findings = [
        FindingRecord(
            id=f"fnd_{name}", a_id=x, b_id=monitors, kind=FindingKind.CONTRADICTS, score=0.9,
            investigator="test", version="1", rationale="test", independent=True,
        )
        for name, x in (("gone", sandbag), ("kept", aware))
    ]  # fmt: skip
    investigation_store.write_findings(svc.graph(), findings, [], "test")
    assert investigation_store.set_verdict(svc.graph(), "fnd_gone", "confirmed", "bob", "")

    # another extractor (Claude's, on a run with a key): not a reason to read it again
    assert ingestor(_Claude()).ingest_file(a).status == "unchanged"
    twin = tmp_path / "twin.md"  # same bytes, new path, read by the new version of the rules
    twin.write_text(VERSIONS[3])
    out = ingestor(_RulesFewer()).ingest_file(twin)
    assert out.status == "ingested" and out.claims == 1
    assert "rules@1" in out.warnings[0] and "rules@99" in out.warnings[0]
    assert any("1 human verdict" in w for w in out.warnings)
    texts = _claims(svc)
    assert not any("Sandbagging" in t for t in texts)
    assert any("Evaluation awareness" in t for t in texts)
    with svc.graph().write() as s:
        left = {r["id"] for r in s.run("MATCH (f:Finding) RETURN f.id AS id")}
        archived = [r["id"] for r in s.run("MATCH (v:ArchivedVerdict) RETURN v.finding_id AS id")]
    assert left == {"fnd_kept"} and archived == ["fnd_gone"]
    # the first path shares those sources, now read by this version: unchanged; the other
    # file, still read by rules@1, is read again and keeps its claim and the finding on it
    outs = {
        Path(o.path).name: o.status for o in ingestor(_RulesFewer()).ingest_paths([str(tmp_path)])
    }
    assert outs == {"a.md": "unchanged", "other.md": "ingested", "twin.md": "unchanged"}
    assert _claim_id(svc, "Evaluation awareness") == aware
    assert _claim_id(svc, "sabotage") == monitors
    with svc.graph().write() as s:
        assert {r["id"] for r in s.run("MATCH (f:Finding) RETURN f.id AS id")} == {"fnd_kept"}
