"""The runner against the real graph: incremental, idempotent, export format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from app.investigate import build_runner
from app.services import Services
from app.verdicts import record_verdict
from consilience.vocabulary import FindingKind, ReviewVerdict
from kg.records import FindingRecord
from queries.findings import export_record, get_finding, list_findings
from tests.probe_documents import POST, REPLY


def _counts(svc: Services) -> int:
    with svc.graph().write() as s:
        rec = s.run("MATCH (f:Finding) RETURN count(f) AS n").single()
    return int(rec["n"]) if rec else 0


def test_incremental_idempotent_and_exported(clean_services: Services, tmp_path: Path) -> None:
    svc = clean_services
    (tmp_path / "post.md").write_text(POST)
    svc.ingestor().ingest_paths([str(tmp_path / "post.md")])
    svc.claim_index().sync(svc.graph())
    runner = build_runner(svc)
    assert runner.run().findings == {}  # one source: nothing to compare within it

    (tmp_path / "reply.md").write_text(REPLY)
    svc.ingestor().ingest_paths([str(tmp_path / "reply.md")])
    svc.claim_index().sync(svc.graph())
    report = runner.run()
    assert report.claims_checked == 2  # only the reply's two new claims
    assert report.findings.get("contradicts") == 2
    n = _counts(svc)
    # the summary counts what is in the graph: new claim-level ones, current line-level ones
    assert sum(report.findings.values()) + sum(report.line_findings.values()) == n
    assert set(report.line_findings) <= {"line_disagrees", "evidence_concentrated"}
    assert runner.run().claims_checked == 0  # nothing new
    runner.run(everything=True)
    assert _counts(svc) == n  # re-running never duplicates

    page = list_findings(svc.graph(), kind="contradicts")
    cues = sorted(c for f in page.items for c in f.cues)
    assert "negation" in cues and "number" in cues
    top = page.items[0]
    assert top.independent is True and top.a.source_path and top.b.source_path

    record_verdict(svc, top.id, ReviewVerdict.CONFIRMED, "alice", "checked both papers")
    runner.run(everything=True)
    kept = [f for f in list_findings(svc.graph()).items if f.id == top.id]
    assert kept and kept[0].status == "confirmed" and kept[0].reviewer == "alice"

    rec = export_record(kept[0])
    for key in ("kind", "score", "status", "independent", "rationale"):
        assert key in rec
    for side in ("a", "b"):
        side_rec = rec[side]
        assert isinstance(side_rec, dict)
        assert {"quote", "source_title", "source_path"} <= set(side_rec)


def test_cli_export_is_jsonl(
    clean_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.main import app

    (tmp_path / "post.md").write_text(POST)
    (tmp_path / "reply.md").write_text(REPLY)
    svc = clean_services
    svc.ingestor().ingest_paths([str(tmp_path)])
    svc.claim_index().sync(svc.graph())
    build_runner(svc).run()
    s = svc.settings
    monkeypatch.setenv("CONSILIENCE_DATA_DIR", str(s.data_dir))
    if s.neo4j.lib_dir:
        monkeypatch.setenv("CONSILIENCE_NEO4J__LIB_DIR", str(s.neo4j.lib_dir))
    out = tmp_path / "findings.jsonl"
    result = CliRunner().invoke(app, ["findings", "export", "--format", "jsonl", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert lines and {ln["kind"] for ln in lines} >= {"contradicts"}
    claim_level = [ln for ln in lines if ln["a"]["node"] == "claim"]
    assert claim_level and all(ln["a"]["source_path"].endswith(".md") for ln in claim_level)
    monkeypatch.chdir(tmp_path)  # red-teamed: "-o -" wrote a file named "-"
    dash = CliRunner().invoke(app, ["findings", "export", "-o", "-"])
    assert dash.exit_code == 0 and not (tmp_path / "-").exists()
    assert [json.loads(x) for x in dash.stdout.splitlines()] == lines


def test_claims_measuring_the_same_quantity_are_candidates(
    clean_services: Services, tmp_path: Path
) -> None:
    svc = clean_services
    (tmp_path / "a.md").write_text(
        "# A\n\nOur probe reaches an AUROC of 0.91 on held-out deception transcripts.\n"
    )
    (tmp_path / "b.md").write_text(
        "# B\n\nWeather forecasting skill, measured as AUROC, was "
        "0.62 for the ensemble last winter.\n"
    )
    svc.ingestor().ingest_paths([str(tmp_path)])
    svc.claim_index().sync(svc.graph())
    runner = build_runner(svc)
    with svc.graph().write() as s:
        ids = [
            r["id"]
            for r in s.run(
                "MATCH (c:Claim)-[:MEASURES]->(:Measure {name: 'auroc'}) "
                "RETURN c.id AS id ORDER BY id"
            )
        ]
    assert len(ids) == 2
    per, _ = runner.retriever.rankings([ids[0]])
    assert [other for other, _ in per[ids[0]]["quantity"]] == [ids[1]]


def test_line_level_findings_are_listed_shown_exported_and_served(
    cli_services: Services, tmp_path: Path
) -> None:
    """line_disagrees (line against line) and evidence_concentrated (a claim against a line)
    were invisible: list said none, show said "No finding", export dropped them, the API 422."""
    import httpx
    from typer.testing import CliRunner

    from api.serve import running_api
    from cli.main import app
    from kg.writers import investigation_store
    from queries.findings import get_finding, iter_findings

    svc = cli_services
    investigated_post_and_reply(svc, tmp_path)
    with svc.graph().write() as s:
        lines = [r["id"] for r in s.run("MATCH (l:Line) RETURN l.id AS id ORDER BY id")]
        first = s.run("MATCH (c:Claim) RETURN c.id AS id LIMIT 1").single()
        assert first is not None
        claim = first["id"]
    assert len(lines) >= 2

    def row(fid: str, kind: FindingKind, a: str, b: str, score: float) -> FindingRecord:
        return FindingRecord(
            id=fid, a_id=a, b_id=b, kind=kind, score=score, investigator="lines", version="1",
            rationale="synthetic",
        )  # fmt: skip

    investigation_store.write_findings(
        svc.graph(), [row("fnd_ll", FindingKind.LINE_DISAGREES, lines[0], lines[1], 0.99)], [], "t",
        sides="line-line",
    )  # fmt: skip
    investigation_store.write_findings(
        svc.graph(), [row("fnd_cl", FindingKind.CONCENTRATED, claim, lines[0], 0.98)], [], "t",
        sides="claim-line",
    )  # fmt: skip
    with svc.graph().write() as s:
        counted = s.run("MATCH (f:Finding) RETURN count(f) AS n").single()
        assert counted is not None
        in_graph = counted["n"]
    exported = list(iter_findings(svc.graph()))
    assert len(exported) == in_graph  # every finding, of every kind
    ll = get_finding(svc.graph(), "fnd_ll")
    assert ll.a.node == "line" and ll.a.line_id == lines[0] and "line of research" in ll.a.quote
    cl = get_finding(svc.graph(), "fnd_cl")
    assert cl.a.node == "claim" and cl.a.claim_id == claim and cl.b.node == "line"

    cli = CliRunner()
    out = cli.invoke(app, ["findings", "list", "--kind", "evidence_concentrated", "--json"])
    assert out.exit_code == 0, out.output
    assert [f["id"] for f in json.loads(out.stdout)["items"]] == ["fnd_cl"]
    out = cli.invoke(app, ["findings", "show", "fnd_ll", "--json"])
    assert out.exit_code == 0 and json.loads(out.stdout)["b"]["line_id"] == lines[1]
    bad = cli.invoke(app, ["findings", "list", "--kind", "evidence"])
    assert bad.exit_code != 0 and "evidence_concentrated" in bad.output  # the allowed values
    assert cli.invoke(app, ["findings", "list", "--status", "bogus"]).exit_code != 0
    dump = tmp_path / "all.jsonl"
    assert (
        cli.invoke(app, ["findings", "export", "--format", "jsonl", "-o", str(dump)]).exit_code == 0
    )
    assert len(dump.read_text().splitlines()) == in_graph

    listed = cli.invoke(app, ["lines", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert {r["id"] for r in json.loads(listed.stdout)} == set(lines)
    shown = cli.invoke(app, ["lines", "show", lines[0]])
    assert shown.exit_code == 0, shown.output
    assert "in this line because:" in shown.output and "line-level finding" in shown.output
    assert cli.invoke(app, ["lines", "show", "line_missing"]).exit_code != 0

    with running_api(svc.settings, svc) as url:
        r = httpx.get(f"{url}/findings", params={"kind": "line_disagrees"}, timeout=60)
        assert r.status_code == 200, r.text
        with svc.graph().read() as s:  # fnd_ll, and any the run found itself
            ll_ids = {
                rec["id"]
                for rec in s.run("MATCH (f:Finding {kind: 'line_disagrees'}) RETURN f.id AS id")
            }
        assert "fnd_ll" in ll_ids and {f["id"] for f in r.json()["items"]} == ll_ids
        assert httpx.get(f"{url}/findings/fnd_cl", timeout=60).json()["b"]["node"] == "line"
        by_line = httpx.get(f"{url}/findings", params={"line_id": lines[1]}, timeout=60).json()
        assert "fnd_ll" in [f["id"] for f in by_line["items"]]


def test_reviewed_findings_about_lines_that_go_are_archived(
    cli_services: Services, tmp_path: Path
) -> None:
    """A line of research left with no source was deleted and its findings kept no side: a
    reviewed line_disagrees or evidence_concentrated finding stayed as a Finding about
    nothing. Now it is archived (listed, never given back) and the run says so."""
    from kg.writers import investigation_store
    from queries.findings import archived_verdicts

    svc = cli_services
    (tmp_path / "post.md").write_text(POST)
    (tmp_path / "reply.md").write_text(REPLY)
    svc.ingestor().ingest_paths([str(tmp_path)])
    svc.claim_index().sync(svc.graph())
    runner = build_runner(svc)
    runner.run()
    with svc.graph().read() as s:
        lines = [r["id"] for r in s.run("MATCH (l:Line) RETURN l.id AS id ORDER BY id")]
        sources = [r["id"] for r in s.run("MATCH (s:Source) RETURN s.id AS id")]
        claim = next(r["id"] for r in s.run("MATCH (c:Claim) RETURN c.id AS id ORDER BY id"))
    assert len(lines) >= 2

    def row(fid: str, kind: FindingKind, a: str, b: str) -> FindingRecord:
        return FindingRecord(
            id=fid, a_id=a, b_id=b, kind=kind, score=0.9, investigator="lines", version="1",
            rationale="synthetic",
        )  # fmt: skip

    graph = svc.graph()
    investigation_store.write_findings(
        graph, [row("fnd_ll", FindingKind.LINE_DISAGREES, lines[0], lines[1])], [], "t",
        sides="line-line",
    )  # fmt: skip
    investigation_store.write_findings(
        graph, [row("fnd_cl", FindingKind.CONCENTRATED, claim, lines[0]),
                row("fnd_open", FindingKind.CONCENTRATED, claim, lines[1])], [], "t",
        sides="claim-line",
    )  # fmt: skip
    record_verdict(svc, "fnd_ll", ReviewVerdict.CONFIRMED, "alice", "the two lines disagree")
    record_verdict(svc, "fnd_cl", ReviewVerdict.DISMISSED, "bob", "three labs, not one")

    # every source regrouped into one new line: the old lines go, and their findings
    merged = {"id": "line_merged", "name": "merged", "members": sources, "basis": "test",
              "member_reasons": {}}  # fmt: skip
    archived = investigation_store.write_lines(graph, [merged])
    assert sorted(archived) == ["fnd_cl", "fnd_ll"]
    with graph.read() as s:
        left = s.run(
            "MATCH (f:Finding) WHERE NOT EXISTS { (f)-[:ABOUT]->() } RETURN count(f) AS n"
        ).single()
        gone = s.run(
            "MATCH (f:Finding) WHERE f.id IN ['fnd_ll', 'fnd_cl', 'fnd_open'] RETURN count(f) AS n"
        ).single()
    assert left is not None and left["n"] == 0  # no finding about nothing
    assert gone is not None and gone["n"] == 0
    kept = {v.finding_id: v for v in archived_verdicts(graph).items}
    assert (kept["fnd_ll"].status, kept["fnd_ll"].reviewer) == ("confirmed", "alice")
    assert kept["fnd_ll"].quote_a is not None and kept["fnd_ll"].quote_a.startswith(
        "line of research"
    )
    assert kept["fnd_cl"].quote_b is not None and "line of research" in kept["fnd_cl"].quote_b
    assert kept["fnd_cl"].quote_a is not None and "fnd_open" not in kept

    # a reviewed finding about the merged line; the next run regroups the sources as before,
    # the merged line goes, and the run report says a verdict was archived
    investigation_store.write_findings(
        graph, [row("fnd_merged", FindingKind.CONCENTRATED, claim, "line_merged")], [], "t",
        sides="claim-line",
    )  # fmt: skip
    record_verdict(svc, "fnd_merged", ReviewVerdict.CONFIRMED, "carol", "checked")
    report = runner.run()
    assert any("1 human verdict(s)" in w and "lines of research" in w for w in report.warnings)
    assert "fnd_merged" in {v.finding_id for v in archived_verdicts(graph).items}
    again = runner.run()  # nothing left to archive: no warning the second time
    assert not any("lines of research" in w for w in again.warnings), again.warnings


def test_cli_ingest_investigates_and_leaves_fresh_confidences(
    cli_services: Services, tmp_path: Path
) -> None:
    from cli.main import app

    (tmp_path / "post.md").write_text(POST)
    (tmp_path / "reply.md").write_text(REPLY)
    out = CliRunner().invoke(app, ["ingest", str(tmp_path)])
    assert out.exit_code == 0, out.output
    flat = " ".join(out.output.split())  # the paragraph wraps at the terminal's width
    assert "New findings" in flat and "Confidences updated" in flat
    with cli_services.graph().write() as s:
        rec = s.run(
            "MATCH (c:Claim) RETURN count(c) AS n, count(c.confidence) AS scored, "
            "COUNT { (:Finding) } AS findings"
        ).single()
    assert rec is not None and rec["n"] > 0 and rec["scored"] == rec["n"] and rec["findings"] > 0
    listed = CliRunner().invoke(app, ["confidence", "list", "--all-claims", "--json"])
    assert listed.exit_code == 0, listed.output
    items = json.loads(listed.output)["items"]
    assert items and all(i["p"] is not None for i in items)
    (tmp_path / "more.md").write_text("# Notes\n\nTrusted monitors catch most sabotage in tests.\n")
    out = CliRunner().invoke(app, ["ingest", "--no-investigate", str(tmp_path / "more.md")])
    assert out.exit_code == 0 and "New findings" not in out.output
    # unchanged, but its claims were never checked: the next ingest checks them
    out = CliRunner().invoke(app, ["ingest", str(tmp_path / "more.md")])
    assert out.exit_code == 0 and "Checked 1 claims" in out.output, out.output
    # unchanged and nothing pending: nothing is investigated (no line findings "re-found")
    out = CliRunner().invoke(app, ["ingest", str(tmp_path)])
    assert out.exit_code == 0 and "Checked" not in out.output, out.output


def test_findings_show_gives_each_claim_in_its_context(
    cli_services: Services, tmp_path: Path
) -> None:
    from cli.main import app

    (tmp_path / "post.md").write_text(POST)
    (tmp_path / "reply.md").write_text(REPLY)
    assert CliRunner().invoke(app, ["ingest", str(tmp_path)]).exit_code == 0
    top = list_findings(cli_services.graph(), kind="contradicts").items[0]
    out = CliRunner().invoke(app, ["findings", "show", top.id, "--json"])
    assert out.exit_code == 0, out.output
    shown = json.loads(out.stdout)
    for side in ("a", "b"):
        s = shown[side]
        assert s["claim_id"] and s["context"] and s["quote"] in s["context"]
        assert s["section"]  # the heading above the paragraph
    text = CliRunner().invoke(app, ["findings", "show", top.id]).output
    assert top.a.claim_id is not None
    assert "section:" in text and top.a.claim_id in text


def test_review_flow_bulk_verdicts_and_history(
    cli_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.main import app
    from queries.findings import get_finding

    (tmp_path / "post.md").write_text(POST)
    (tmp_path / "reply.md").write_text(REPLY)
    cli = CliRunner()
    assert cli.invoke(app, ["ingest", str(tmp_path)]).exit_code == 0
    ids = [f.id for f in list_findings(cli_services.graph(), status="open").items]
    assert len(ids) >= 2
    # interactive: confirm the first with a reason, dismiss the second, quit
    out = cli.invoke(app, ["review", "--reviewer", "ann"], input="c\nchecked both\nd\n\nq\n")
    assert out.exit_code == 0, out.output
    assert "1 confirmed, 1 dismissed" in out.output
    reviewed = [get_finding(cli_services.graph(), i) for i in ids]
    assert sorted(f.status for f in reviewed)[:2] != ["open", "open"]
    first = next(f for f in reviewed if f.status == "confirmed")
    assert first.history[-1].reviewer == "ann" and first.history[-1].reason == "checked both"
    # a second reviewer disagrees in bulk: history keeps both, the latest counts
    bulk = tmp_path / "verdicts.jsonl"
    bulk.write_text(
        json.dumps({"id": first.id, "verdict": "dismissed", "reason": "scope differs"}) + "\n"
        + "not json\n"
        + json.dumps({"id": "fnd_missing", "verdict": "confirmed"}) + "\n"
        + json.dumps({"id": first.id, "verdict": "maybe"}) + "\n"
    )  # fmt: skip
    out = cli.invoke(app, ["findings", "verdicts", str(bulk), "--reviewer", "bob"])
    assert out.exit_code == 1 and "Recorded 1 verdict(s); 3 row(s) refused" in out.output
    # in line order (red-teamed: the refused ids came after every malformed line)
    assert out.output.index("line 2:") < out.output.index("line 3:") < out.output.index("line 4:")
    after = get_finding(cli_services.graph(), first.id)
    assert after.status == "dismissed" and after.reviewer == "bob"
    assert [(h.reviewer, h.status) for h in after.history] == [
        ("ann", "confirmed"),
        ("bob", "dismissed"),
    ]
    csv_file = tmp_path / "v.csv"
    csv_file.write_text(f'id,verdict,reason,reviewer\n{first.id},confirmed,"on\nreflection",cy\n')
    assert cli.invoke(app, ["findings", "verdicts", str(csv_file)]).exit_code == 0
    history = get_finding(cli_services.graph(), first.id).history
    assert len(history) == 3 and history[-1].reason == "on\nreflection"  # review: kept its line
    # a column not read is named (red-teamed: a misspelt "reason" lost every reason silently)
    typo = tmp_path / "typo.csv"
    typo.write_text("id,verdict,reson,reviewer\nfnd_missing,confirmed,on reflection,cy\n")
    out = cli.invoke(app, ["findings", "verdicts", str(typo)])
    assert out.exit_code == 1 and "not read: 'reson' (line 2)" in " ".join(out.output.split())
    # red-teamed: a CSV without its header read its first verdict as one, and said nothing
    csv_file.write_text(f"{first.id},dismissed,no header,cy\n")
    out = cli.invoke(app, ["findings", "verdicts", str(csv_file)])
    assert out.exit_code == 2 and "not a header" in " ".join(out.output.split())
    # text that is not UTF-8, too long, or with a control character: refused, nothing stored
    for argv in (
        ["--reviewer", "ann", "--reason", "bad \udcff\udcfe"],
        ["--reviewer", "a\x00b"],
        ["--reviewer", "ann", "--reason", "x" * 5001],
    ):
        out = cli.invoke(app, ["findings", "dismiss", first.id, *argv])
        assert out.exit_code == 2 and not isinstance(out.exception, UnicodeError), out.output
    assert len(get_finding(cli_services.graph(), first.id).history) == 3
    # review: an answer that is none of c/d/s/q is asked again ("cancel" confirmed), a reason
    # that cannot be stored is asked again, and the end of input ends with the summary
    out = cli.invoke(
        app, ["review", "--reviewer", "cy", "--limit", "1"], input=f"cancel\nd\n{'x' * 5001}\n"
    )
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert "'cancel' is not an answer" in text and "at most 5,000 are kept" in text
    assert "Input ended" in text and "0 confirmed" in text
    import cli.findings as cli_findings

    def ctrl_c(question: str, default: str) -> str:  # what a prompt does on Ctrl-C
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise typer.Abort() from None

    monkeypatch.setattr(cli_findings, "_ask", ctrl_c)
    out = cli.invoke(app, ["review", "--reviewer", "cy", "--limit", "1"])
    text = " ".join(out.output.split())
    assert out.exit_code == 130 and "Interrupted" in text and "0 confirmed" in text, text
    monkeypatch.undo()
    out = cli.invoke(app, ["review", "--reviewer", " "])
    assert out.exit_code == 2 and "needs a reviewer" in out.output


def test_review_queue_puts_the_most_valuable_verdicts_first(
    clean_services: Services, tmp_path: Path
) -> None:
    """Least sure first (score near 0.5), weighted up by safety-critical claims."""
    from kg.writers import investigation_store
    from queries.findings import review_queue

    svc = clean_services
    (tmp_path / "post.md").write_text(POST)
    (tmp_path / "reply.md").write_text(REPLY)
    svc.ingestor().ingest_paths([str(tmp_path)])
    with svc.graph().write() as s:
        ids = [r["id"] for r in s.run("MATCH (c:Claim) RETURN c.id AS id ORDER BY id LIMIT 4")]
        s.run("MATCH (c:Claim) SET c.safety_critical = false").consume()
        s.run("MATCH (c:Claim {id: $id}) SET c.safety_critical = true", id=ids[3]).consume()

    def rec(fid: str, a: str, b: str, score: float) -> FindingRecord:
        return FindingRecord(
            id=fid, a_id=a, b_id=b, kind=FindingKind.CONTRADICTS, score=score,
            investigator="t", version="1", rationale="synthetic",
        )  # fmt: skip

    investigation_store.write_findings(
        svc.graph(),
        [
            rec("fnd_sure", ids[0], ids[1], 0.95),  # value 0.1
            rec("fnd_unsure", ids[0], ids[2], 0.5),  # value 1.0
            rec("fnd_critical", ids[1], ids[3], 0.8),  # value 0.4 x 2 = 0.8
        ],
        [],
        "t",
    )
    queue = review_queue(svc.graph(), limit=2)
    assert [f.id for f in queue.items] == ["fnd_unsure", "fnd_critical"]
    rest = review_queue(svc.graph(), limit=2, cursor=queue.next_cursor)
    assert [f.id for f in rest.items] == ["fnd_sure"] and rest.next_cursor is None


def test_each_file_reports_its_stages(clean_services: Services, tmp_path: Path) -> None:
    """A long file shows what it is doing (reading, embedding N claims, writing), and it is
    counted as done only after it is written."""
    (tmp_path / "post.md").write_text(POST)
    events: list[str] = []
    clean_services.ingestor().ingest_paths(
        [str(tmp_path / "post.md")],
        on_file=lambda f: events.append(f"done {f.name}"),
        on_step=lambda f, step: events.append(step),
    )
    assert events[0] == "reading" and events[2:] == ["writing", "done post.md"]
    assert events[1].startswith("embedding ") and events[1].endswith(" claims")
    # investigating: the bar gets its total before the first batch, and ends full
    clean_services.claim_index().sync(clean_services.graph())
    ticks: list[tuple[int, int]] = []
    build_runner(clean_services).run(on_progress=lambda done, total: ticks.append((done, total)))
    total = ticks[0][1]
    assert total > 0 and ticks[0] == (0, total) and ticks[-1] == (total, total)


def test_verdicts_survive_a_revised_document(cli_services: Services, tmp_path: Path) -> None:
    """A revised document gets new claim ids (sources are content-addressed), so its old
    findings go. Their human verdicts are archived, said so at ingest, and given back when
    the same two quotes are found again; a verdict on a quote that changed stays archived."""
    from cli.main import app
    from queries.findings import archived_verdicts

    svc = cli_services
    (tmp_path / "post.md").write_text(POST)
    reply = tmp_path / "reply.md"
    reply.write_text(REPLY)
    svc.ingestor().ingest_paths([str(tmp_path)])
    svc.claim_index().sync(svc.graph())
    runner = build_runner(svc)
    runner.run()
    found = list_findings(svc.graph(), kind="contradicts").items
    probe = next(f for f in found if "probes" in (f.a.quote or ""))
    auroc = next(f for f in found if "AUROC" in (f.a.quote or ""))
    record_verdict(svc, probe.id, ReviewVerdict.CONFIRMED, "alice", "read both")
    record_verdict(svc, auroc.id, ReviewVerdict.DISMISSED, "bob", "other benchmark")

    # the reply is revised: a paragraph added, the AUROC sentence reworded
    reply.write_text(REPLY.replace("AUROC 0.55", "AUROC 0.56") + "\nWe release our transcripts.\n")
    (out,) = svc.ingestor().ingest_paths([str(reply)])
    assert out.status == "ingested" and out.superseded == 1
    assert any("2 human verdict(s)" in w for w in out.warnings), out.warnings
    assert not any(f.id in {probe.id, auroc.id} for f in list_findings(svc.graph()).items)
    kept = archived_verdicts(svc.graph()).items
    assert {(v.finding_id, v.status, v.reviewer) for v in kept} == {
        (probe.id, "confirmed", "alice"),
        (auroc.id, "dismissed", "bob"),
    }
    assert all(v.carried_to is None for v in kept)

    svc.claim_index().sync(svc.graph())
    runner.run()
    again = list_findings(svc.graph(), kind="contradicts").items
    back = next(f for f in again if "probes" in (f.a.quote or ""))
    assert back.id != probe.id  # a new finding on the same two quotes
    assert (back.status, back.reviewer, back.review_reason) == ("confirmed", "alice", "read both")
    assert [(h.reviewer, h.status) for h in back.history] == [("alice", "confirmed")]
    assert back.carried_from == probe.id  # said (red-teamed: stored, never shown or exported)
    exported = export_record(back)
    assert exported["carried_from"] == probe.id and exported["cues"] == back.cues
    assert exported["history"] == [h.model_dump() for h in back.history]
    shown_back = CliRunner().invoke(app, ["findings", "show", back.id])
    assert f"verdicts given on {probe.id}" in " ".join(shown_back.output.split())
    reworded = next(f for f in again if "AUROC" in (f.a.quote or ""))
    assert reworded.status == "open"  # its quote changed: the old verdict does not apply
    by_id = {v.finding_id: v for v in archived_verdicts(svc.graph()).items}
    assert by_id[probe.id].carried_to == back.id and by_id[auroc.id].carried_to is None
    # an id gone says where it went (red-teamed: "No finding", as for a typo)
    from consilience.errors import NotFoundError

    with pytest.raises(NotFoundError) as gone:
        get_finding(svc.graph(), probe.id)
    assert f"given back to finding {back.id}" in gone.value.message
    assert gone.value.hint == f"Use {back.id} instead."
    with pytest.raises(NotFoundError, match="waiting for the same two quotes"):
        record_verdict(svc, auroc.id, ReviewVerdict.CONFIRMED, "carol", "checked")

    shown = CliRunner().invoke(app, ["findings", "archived"])
    assert shown.exit_code == 0, shown.output
    assert f"given back to {back.id}" in shown.output and "waiting for its quotes" in shown.output

    # revert to the first version: its claim ids, hence its finding ids, come back; the probe
    # finding takes the verdict its revised twin carried, the AUROC one takes bob's back
    revised = reply.read_text()
    reply.write_text(REPLY)
    (out,) = svc.ingestor().ingest_paths([str(reply)])
    assert any("1 human verdict(s)" in w for w in out.warnings), out.warnings
    svc.claim_index().sync(svc.graph())
    runner.run()
    current = {f.id: f for f in list_findings(svc.graph(), kind="contradicts").items}
    assert (current[probe.id].status, current[probe.id].reviewer) == ("confirmed", "alice")
    assert (current[auroc.id].status, current[auroc.id].reviewer) == ("dismissed", "bob")
    # a new verdict on the restored finding, then the revision again: the archive entry of
    # that finding id is refreshed with the latest verdict, not left at the old one
    record_verdict(svc, probe.id, ReviewVerdict.DISMISSED, "dave", "re-read: scope differs")
    reply.write_text(revised)
    (out,) = svc.ingestor().ingest_paths([str(reply)])
    assert any("2 human verdict(s)" in w for w in out.warnings), out.warnings
    svc.claim_index().sync(svc.graph())
    runner.run()
    latest = next(
        f
        for f in list_findings(svc.graph(), kind="contradicts").items
        if "probes" in (f.a.quote or "")
    )
    assert latest.id == back.id  # the revised version's finding id again
    assert (latest.status, latest.reviewer) == ("dismissed", "dave")
    # a verdict taken back leaves the finding open, with its history: a revision archives it
    # like a reviewed one and gives it back (review: open findings were dropped unarchived)
    record_verdict(svc, latest.id, ReviewVerdict.REOPENED, "dave", "not sure after all")
    reply.write_text(REPLY)
    svc.ingestor().ingest_paths([str(reply)])
    assert {v.finding_id: v.status for v in archived_verdicts(svc.graph()).items}[
        latest.id
    ] == "open"
    svc.claim_index().sync(svc.graph())
    runner.run()
    restored = get_finding(svc.graph(), probe.id)
    assert restored.status == "open"
    assert [(h.reviewer, h.status) for h in restored.history][-2:] == [
        ("dave", "dismissed"),
        ("dave", "open"),
    ]
    assert [h.reviewer for h in latest.history] == ["alice", "dave"]


def test_a_distortion_is_filed_on_the_side_the_summary_link_starts_from(
    clean_services: Services, tmp_path: Path
) -> None:
    """A source declared a summary of another is read as the summary whatever kind either
    is: with the summarised source of kind "summary", the investigator read the link the
    wrong way round ("all" in the summary against "most" in its source went unseen)."""
    from app.sources import declare_summary

    svc = clean_services
    (tmp_path / "digest.md").write_text(
        "# Interpretability digest - Summary\n\nRefusal training reduces harmful compliance in "
        "most of the models we tested on StrongREJECT.\n"
    )
    (tmp_path / "talk.md").write_text(
        "# Refusal training talk\n\nRefusal training reduces harmful compliance in all of the "
        "models we tested on StrongREJECT.\n"
    )
    svc.ingestor().ingest_paths([str(tmp_path)])
    with svc.graph().read() as s:
        ids = {r["title"]: (r["id"], r["kind"]) for r in s.run(
            "MATCH (s:Source) RETURN s.id AS id, s.title AS title, s.kind AS kind")}  # fmt: skip
    digest, talk = ids["Interpretability digest - Summary"], ids["Refusal training talk"]
    assert digest[1] == "summary" and talk[1] != "summary"
    declare_summary(svc, talk[0], digest[0])  # the talk summarises the digest
    svc.claim_index().rebuild(svc.graph())
    build_runner(svc).run()
    (d,) = list_findings(svc.graph(), kind="distorts", limit=10).items
    assert (d.a.source_id, d.b.source_id) == (talk[0], digest[0])
    assert "overgeneralised" in d.cues and "'most' in the source, 'all'" in d.rationale
    # a graph checked by an earlier version holds the finding the wrong way round (a
    # symmetric cue, a changed number say, was found either way; its id is the same)
    with svc.graph().write() as s:
        s.run(
            "MATCH (f:Finding {id: $id})-[r:ABOUT]->() "
            "SET r.side = CASE r.side WHEN 'a' THEN 'b' ELSE 'a' END, f.version = '2' "
            "WITH DISTINCT f MATCH (f)-[:ABOUT]->(c:Claim) SET c.investigated_version = 'x'",
            id=d.id,
        ).consume()
    assert list_findings(svc.graph(), kind="distorts", limit=10).items[0].a.source_id == digest[0]
    build_runner(svc).run()  # the edges of the old order went (review: they stayed beside)
    with svc.graph().read() as s:
        sides = sorted((r["side"], r["source"]) for r in s.run(
            "MATCH (:Finding {id: $id})-[r:ABOUT]->(c:Claim) "
            "RETURN r.side AS side, c.source_id AS source", id=d.id))  # fmt: skip
    assert sides == [("a", talk[0]), ("b", digest[0])]


def test_a_summary_contradicting_its_source_is_one_distortion(
    clean_services: Services, tmp_path: Path
) -> None:
    """Red-teamed: a summary claim and its source claim got a distorts finding and, beside
    it, a contradicts finding on the same two quotes (one problem read as two). The judge's
    contradiction filed on its own by an earlier version is withdrawn when the pair is judged
    again, unless a reviewer gave it a verdict."""
    from kg.ids import pair_id
    from kg.writers import investigation_store

    svc = clean_services
    (tmp_path / "paper.md").write_text(
        "# Refusal training\n\nRefusal training reduces harmful compliance in most of the "
        "models we tested on StrongREJECT.\n"
    )
    (tmp_path / "summary.md").write_text(
        "# Refusal training - Summary\n\nRefusal training increases harmful compliance in all "
        "of the models tested on StrongREJECT.\n"
    )
    svc.ingestor().ingest_paths([str(tmp_path)])
    svc.claim_index().rebuild(svc.graph())
    runner = build_runner(svc)
    runner.run()
    (only,) = list_findings(svc.graph(), limit=100).items  # the judge's reading folded in
    assert only.kind == "distorts" and {"contradicts-source", "overgeneralised"} <= set(only.cues)
    assert "nli-judge investigator also reads the two as contradicting each other" in (
        only.rationale
    )
    assert "NLI contradiction" in only.rationale  # the judge's probabilities, named
    summary_claim, source_claim = only.a.claim_id, only.b.claim_id
    assert summary_claim and source_claim

    # a verdict given on the distortion with the judge's reading in it: the pair, judged again,
    # is folded as before (review: it filed the contradiction anew, for a second review)
    record_verdict(svc, only.id, ReviewVerdict.DISMISSED, "bob", "the source says 'most'")
    investigation_store.mark_unchecked(svc.graph(), [summary_claim, source_claim])
    runner.run()
    (still,) = list_findings(svc.graph(), limit=100).items
    assert still.status == "dismissed" and "contradicts-source" in still.cues
    record_verdict(svc, only.id, ReviewVerdict.REOPENED, "bob", "looking again")

    def file_the_old_contradiction() -> str:
        """As a version before the fold did: the judge's contradiction beside the distortion,
        and the two claims due to be checked again."""
        judge = next(i for i in runner.investigators if i.name == "nli-judge")
        old = FindingRecord(
            id=pair_id(FindingKind.CONTRADICTS.value, summary_claim, source_claim),
            a_id=summary_claim, b_id=source_claim, kind=FindingKind.CONTRADICTS, score=0.3,
            rationale="NLI contradiction 0.90 / 0.80", investigator="nli-judge",
            version=judge.version, independent=False,
        )  # fmt: skip
        investigation_store.write_findings(svc.graph(), [old], [], "old")
        investigation_store.mark_unchecked(svc.graph(), [summary_claim, source_claim])
        return old.id

    old_id = file_the_old_contradiction()
    assert sorted(f.kind for f in list_findings(svc.graph(), limit=100).items) == [
        "contradicts", "distorts"
    ]  # fmt: skip
    report = runner.run()
    assert (report.contradictions_folded, report.findings_withdrawn) == (1, 0)
    assert [f.kind for f in list_findings(svc.graph(), limit=100).items] == ["distorts"]
    with svc.graph().read() as s:
        stale = s.run("MATCH (c:Claim) WHERE c.confidence_stale RETURN count(c) AS n").single(
            strict=True
        )["n"]
    assert stale == 2  # both claims' confidences are recomputed without it

    # a reviewed one stays, and is not folded: the verdict is the user's (review)
    assert file_the_old_contradiction() == old_id
    record_verdict(svc, old_id, ReviewVerdict.CONFIRMED, "alice", "read both")
    assert runner.run().contradictions_folded == 0
    kept = get_finding(svc.graph(), old_id)
    assert kept is not None and (kept.status, kept.reviewer) == ("confirmed", "alice")
    distortion = get_finding(svc.graph(), only.id)
    assert distortion is not None and "also reads" not in distortion.rationale
    assert "contradicts-source" not in distortion.cues

    # a dismissed distortion takes no contradiction in: it is filed on its own for review
    # (review: folded into it, the contradiction reached no reviewer and opposed nothing)
    with svc.graph().write() as s:
        s.run("MATCH (f:Finding {id: $id}) DETACH DELETE f", id=old_id).consume()
    record_verdict(svc, only.id, ReviewVerdict.DISMISSED, "bob", "a fair rounding")
    investigation_store.mark_unchecked(svc.graph(), [summary_claim, source_claim])
    assert runner.run().contradictions_folded == 0
    filed = get_finding(svc.graph(), old_id)
    assert filed is not None and filed.status == "open" and filed.investigator == "nli-judge"
    dismissed = get_finding(svc.graph(), only.id)
    assert dismissed is not None and dismissed.status == "dismissed"

    # verdicts archived with a revised summary come back to the same two quotes: the pair is
    # not folded, so the contradiction is filed and takes its verdict back
    record_verdict(svc, old_id, ReviewVerdict.CONFIRMED, "alice", "read both")
    summary = tmp_path / "summary.md"
    summary.write_text(summary.read_text() + "\nWe release our prompts.\n")
    (out,) = svc.ingestor().ingest_paths([str(summary)])
    assert out.status == "ingested" and out.superseded == 1
    svc.claim_index().sync(svc.graph())
    runner.run()
    back = {f.kind: f for f in list_findings(svc.graph(), limit=100).items}
    assert set(back) == {"contradicts", "distorts"} and old_id not in {f.id for f in back.values()}
    assert (back["contradicts"].status, back["contradicts"].reviewer) == ("confirmed", "alice")
    assert (back["distorts"].status, back["distorts"].reviewer) == ("dismissed", "bob")
    assert "contradicts-source" not in back["distorts"].cues


def test_reopened_findings_are_recomputed_their_history_kept(
    clean_services: Services, tmp_path: Path
) -> None:
    """A finding confirmed then reopened is open again but has a verdict history, and the re-runs
    kept every such finding as it was: a line-level finding whose only contradictions were then
    dismissed still said "2 contradiction(s) between the line …" and stayed in the review
    queue. Now a re-run recomputes a reopened finding like any open one: one derived again keeps
    its history, one no longer derived goes, its history archived, and the run says so."""
    from kg.writers import investigation_store
    from queries.findings import archived_verdicts

    svc = clean_services
    (tmp_path / "post.md").write_text(POST)
    (tmp_path / "reply.md").write_text(REPLY)
    svc.ingestor().ingest_paths([str(tmp_path)])
    svc.claim_index().sync(svc.graph())
    runner = build_runner(svc)
    runner.run()
    graph = svc.graph()
    (line,) = list_findings(graph, kind="line_disagrees").items
    contradictions = list_findings(graph, kind="contradicts").items
    assert len(contradictions) == 2

    # a claim-level contradiction reopened: derived again by a full re-run, history and all
    first = contradictions[0].id
    record_verdict(svc, first, ReviewVerdict.CONFIRMED, "alice", "read both")
    record_verdict(svc, first, ReviewVerdict.REOPENED, "bob", "not sure")
    # a finding no investigator makes again, reviewed then reopened
    a, b = contradictions[1].a.claim_id, contradictions[1].b.claim_id
    assert a and b
    investigation_store.write_findings(
        graph,
        [FindingRecord(id="fnd_gone", a_id=a, b_id=b, kind=FindingKind.CONVERGES_WITH,
                       score=0.6, investigator=contradictions[1].investigator, version="0",
                       rationale="an earlier version's call")],
        [], "t",
    )  # fmt: skip
    record_verdict(svc, "fnd_gone", ReviewVerdict.DISMISSED, "alice", "they disagree")
    record_verdict(svc, "fnd_gone", ReviewVerdict.REOPENED, "alice", "look again")
    report = runner.run(everything=True)
    again = get_finding(graph, first)
    assert again.status == "open" and [h.status for h in again.history] == ["confirmed", "open"]
    assert "fnd_gone" not in {f.id for f in list_findings(graph).items}
    archived = {v.finding_id: v for v in archived_verdicts(graph).items}
    assert archived["fnd_gone"].reviewer == "alice" and archived["fnd_gone"].status == "open"
    assert any("1 reopened finding(s) were not found again" in w for w in report.warnings)

    # the line-level finding reopened, then both contradictions under it dismissed
    record_verdict(svc, line.id, ReviewVerdict.CONFIRMED, "alice", "two labs disagree")
    record_verdict(svc, line.id, ReviewVerdict.REOPENED, "alice", "checking the quotes")
    rerun = runner.run()  # derived again: kept, with its history
    kept = get_finding(graph, line.id)
    assert kept.status == "open" and len(kept.history) == 2
    assert not any("line-level" in w for w in rerun.warnings)
    for f in contradictions:
        record_verdict(svc, f.id, ReviewVerdict.DISMISSED, "alice", "different benchmarks")
    report = runner.run()
    assert line.id not in {f.id for f in list_findings(graph).items}
    archived = {v.finding_id: v for v in archived_verdicts(graph).items}
    assert archived[line.id].review_reason == "checking the quotes"
    assert archived[line.id].comes_back is False and archived["fnd_gone"].comes_back is True
    assert any("1 reopened line-level finding(s)" in w for w in report.warnings)


def test_an_archived_verdict_goes_back_to_its_own_two_documents_once(
    clean_services: Services, tmp_path: Path
) -> None:
    """Red-teamed: a verdict archived when a document was revised was given to every new
    finding between the same two sentences, papers the reviewer never saw among them (its
    reason was about the revised paper), and `investigate --all` gave it to a finding nobody
    had reviewed, counting every finding it made again as new. Now it goes back only between
    the same two files, to one finding; `--all` keeps what it finds again as it was."""
    from queries.findings import archived_verdicts

    svc = clean_services
    post, reply = tmp_path / "post.md", tmp_path / "reply.md"
    post.write_text(POST)
    reply.write_text(REPLY)
    svc.ingestor().ingest_paths([str(tmp_path)])
    svc.claim_index().sync(svc.graph())
    runner = build_runner(svc)
    runner.run()
    graph = svc.graph()
    probe = next(
        f for f in list_findings(graph, kind="contradicts").items if "probes" in (f.a.quote or "")
    )
    record_verdict(svc, probe.id, ReviewVerdict.DISMISSED, "bob", "the reply used a toy model")
    reply.write_text(REPLY.replace("not detect", "rarely detect"))  # the verdict is archived
    svc.ingestor().ingest_paths([str(reply)])
    # two other labs' replies, word for word the reply's first version (other authors)
    for name in ("third.md", "fourth.md"):
        (tmp_path / name).write_text(REPLY.replace("# A reply", f"# {name}: a reply"))
    svc.ingestor().ingest_paths([str(tmp_path / "third.md"), str(tmp_path / "fourth.md")])
    svc.claim_index().sync(graph)
    runner.run()

    def probes() -> dict[str, str]:
        return {
            f.id: f.status
            for f in list_findings(graph, kind="contradicts").items
            if "probes do not" in (f.b.quote or "") or "probes do not" in (f.a.quote or "")
        }

    assert probes() and set(probes().values()) == {"open"}  # not bob's: he read reply.md
    (kept,) = archived_verdicts(graph).items
    assert kept.carried_to is None
    before = {f.id for f in list_findings(graph).items}
    report = runner.run(everything=True)
    assert set(probes().values()) == {"open"}
    assert {f.id for f in list_findings(graph).items} == before  # all found again, as they were
    assert report.findings == {}  # none of them new
    reply.write_text(REPLY)  # the reply as bob read it: his verdict comes back, to one finding
    svc.ingestor().ingest_paths([str(reply)])
    svc.claim_index().sync(graph)
    runner.run()
    assert sorted(probes().values()) == ["dismissed", "open", "open"]
    assert get_finding(graph, probe.id).reviewer == "bob"


def test_a_verdict_brings_the_line_level_findings_up_to_date_at_once(
    clean_services: Services, tmp_path: Path
) -> None:
    """Red-teamed: dismissing the contradictions under a line-level finding left it saying the
    two lines disagree (report, review queue, Bloom) until the next `investigate`. A verdict on
    a claim finding now recomputes the line-level findings (a batch of verdicts once), and a
    verdict taken back brings them back."""
    from app.verdicts import VerdictItem, record_verdicts

    svc = clean_services
    investigated_post_and_reply(svc, tmp_path)
    graph = svc.graph()
    (line,) = list_findings(graph, kind="line_disagrees").items
    first, second = list_findings(graph, kind="contradicts").items
    record_verdict(svc, first.id, ReviewVerdict.DISMISSED, "alice", "different benchmarks")
    (still,) = list_findings(graph, kind="line_disagrees").items  # one contradiction left
    assert still.id == line.id
    record_verdicts(
        svc,
        [VerdictItem(id=second.id, verdict=ReviewVerdict.DISMISSED, reviewer="alice")],
    )
    assert list_findings(graph, kind="line_disagrees").items == []
    record_verdict(svc, second.id, ReviewVerdict.REOPENED, "alice", "read again")
    (back,) = list_findings(graph, kind="line_disagrees").items
    assert back.id == line.id


def test_verdicts_refresh_the_lines_only_when_dismissal_changes_and_never_fail_after_storing(
    cli_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review of the refresh: every confirmation recomputed every line-level finding (a
    confirmation changes nothing there); a database gone during the refresh reported a
    stored verdict as failed (rerun, it added a second step); and `consilience review` ended
    in an error on a line-level finding an earlier verdict of the session had withdrawn."""
    import app.verdicts as verdicts
    from cli.main import app
    from consilience.errors import DatabaseUnavailableError

    svc = cli_services
    investigated_post_and_reply(svc, tmp_path)
    graph = svc.graph()
    first, second = list_findings(graph, kind="contradicts").items
    calls: list[int] = []
    real = verdicts.analyse_lines

    def counted(*args: Any, **kw: Any) -> Any:
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(verdicts, "analyse_lines", counted)
    record_verdict(svc, first.id, ReviewVerdict.CONFIRMED, "alice", "")
    assert calls == []  # confirmed: what the lines are derived from is unchanged
    record_verdict(svc, first.id, ReviewVerdict.DISMISSED, "bob", "")
    assert calls == [1]

    def gone(*args: object, **kw: object) -> object:
        raise DatabaseUnavailableError("the database went away", "start it")

    monkeypatch.setattr(verdicts, "analyse_lines", gone)
    row = record_verdict(svc, second.id, ReviewVerdict.DISMISSED, "bob", "")
    assert row.status == "dismissed" and len(row.history) == 1

    import queries.findings as qf

    queue = qf.review_queue

    def with_a_withdrawn_one(*args: Any, **kw: Any) -> Any:
        page = queue(*args, **kw)
        page.items = [page.items[0].model_copy(update={"id": "fnd_withdrawn"}), *page.items]
        return page

    record_verdict(svc, second.id, ReviewVerdict.REOPENED, "bob", "")  # something to review
    monkeypatch.setattr(qf, "review_queue", with_a_withdrawn_one)
    out = CliRunner().invoke(app, ["review", "--reviewer", "ann"], input="q\n")
    assert out.exit_code == 0, out.output
    assert "fnd_withdrawn: withdrawn since, skipped" in out.output


def investigated_post_and_reply(svc: Services, tmp_path: Path) -> None:
    """The post and its reply ingested, indexed and investigated once (two contradictions and
    one line-level finding between their lines)."""
    (tmp_path / "post.md").write_text(POST)
    (tmp_path / "reply.md").write_text(REPLY)
    svc.ingestor().ingest_paths([str(tmp_path)])
    svc.claim_index().sync(svc.graph())
    build_runner(svc).run()
