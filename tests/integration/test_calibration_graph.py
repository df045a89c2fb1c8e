"""Confidences and safety cases against the real graph: propagation, history, retraction,
incremental updates, case evaluation and its exports, and the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from app.cases import evaluate_case_text
from app.confidences import update_confidences
from app.investigate import build_runner
from app.services import Services
from app.sources import declare_summary, retract_source
from app.verdicts import record_verdict
from calibration.case.export import to_csv, to_dataframe, to_gsn
from calibration.case.load import dump_case, parse_case
from calibration.updater import (
    ConfidenceUpdater,
    input_digest,
    load_maps,
    rules_digest,
    weigher_for,
)
from consilience.errors import InvalidInputError, NotFoundError
from consilience.vocabulary import FindingKind, ReviewVerdict
from investigators.runner import Runner
from kg.graph import Graph
from kg.records import ConfidenceRecord, FindingRecord
from kg.writers import investigation_store, store
from kg.writers.calibration_store import write_confidences
from queries.confidence import claim_confidence, list_confidences
from queries.findings import (
    export_record,
    get_finding,
    iter_findings,
    list_findings,
    review_queue,
)
from queries.graph import get_source
from queries.models import ClaimConfidence, FindingRow
from queries.stats import graph_stats

POST = """# Monitoring results

Linear probes detect deceptive behaviour in most transcripts we examined.

The logit monitor achieves AUROC 0.79 from a single rollout on our benchmark.
"""
REPLY = """# A reply from another lab

Linear probes do not detect deceptive behaviour in most transcripts we examined.
"""
AGREE = """# An independent replication

Linear probes detect deceptive behaviour in most of the transcripts we examined.
"""
LATE = """# A late comment

The logit monitor achieves AUROC 0.60 from a single rollout on our benchmark.
"""
PROBES = "Linear probes detect deceptive behaviour in most transcripts we examined."

CASE = """
version: 1
title: Monitoring catches deception
nodes:
  G1:
    type: goal
    text: Deceptive behaviour is caught before deployment
    combine: all-of
    children: [G2, E2]
    assumptions: [A1]
  G2:
    type: goal
    text: Probes work
    combine: any-of
    children: [E1]
  E1:
    type: evidence
    quote: "Linear probes detect deceptive behaviour in most transcripts"
    source: Monitoring results
  E2:
    type: evidence
    quote: logit monitor achieves AUROC 0.79
  A1:
    type: assumption
    text: The model is not scheming against the probes
"""


def _graph(svc: Services, tmp: Path, *docs: tuple[str, str]) -> Runner:
    for name, text in docs:
        (tmp / name).write_text(text)
        svc.ingestor().ingest_paths([str(tmp / name)])
    svc.claim_index().sync(svc.graph())
    runner = build_runner(svc)
    runner.run()
    return runner


def _claim_id(svc: Services, text: str, title: str) -> str:
    with svc.graph().write() as s:
        rec = s.run(
            "MATCH (s:Source)-[:HAS_CLAIM]->(c:Claim) WHERE c.text = $t AND s.title = $title "
            "RETURN c.id AS id",
            t=text,
            title=title,
        ).single()
    assert rec is not None
    return str(rec["id"])


def test_verdicts_and_retraction_recompute_exactly_what_depends_on_them(
    clean_services: Services, tmp_path: Path
) -> None:
    svc = clean_services
    db = svc.graph()
    _graph(svc, tmp_path, ("post.md", POST), ("reply.md", REPLY), ("agree.md", AGREE))
    full = update_confidences(svc, everything=True)
    assert full.mode == "full" and full.computed == 4 and full.derived == 4
    with db.write() as s:  # a first derivation has no earlier numbers to archive
        snaps = s.run("MATCH (h:ConfidenceSnapshot) RETURN count(h) AS n").single(strict=True)
    assert snaps["n"] == 0
    # nothing changed: every claim's inputs match the stored digest, none is re-derived
    again_full = update_confidences(svc, everything=True)
    assert (again_full.computed, again_full.derived, again_full.changed) == (4, 0, 0)
    probes = _claim_id(svc, PROBES, "Monitoring results")
    start = claim_confidence(db, probes)
    assert start.p is not None
    # a claim marked stale is rewritten, but the same numbers are no change: no snapshot,
    # and its history keeps when and why it took them
    with db.write() as s:
        s.run("MATCH (c:Claim {id: $id}) SET c.confidence_stale = true", id=probes).consume()
    rewritten = update_confidences(svc)
    assert rewritten.computed >= 1 and rewritten.changed == 0
    assert claim_confidence(db, probes).history == start.history
    assert start.contested and start.support_lines == 1 and start.oppose_lines == 1
    assert any("open contradiction" in step for step in start.derivation)

    contra = next(
        f
        for f in list_findings(db, kind="contradicts").items
        if probes in (f.a.claim_id, f.b.claim_id)
    )
    record_verdict(svc, contra.id, ReviewVerdict.DISMISSED, "alice", "different probe setups")
    after_dismiss = claim_confidence(db, probes)
    assert after_dismiss.p is not None and after_dismiss.p > start.p and not after_dismiss.contested
    assert after_dismiss.history[-1].reason == f"verdict on {contra.id}"
    assert len(after_dismiss.history) == len(start.history) + 1
    # one entry per change of the numbers, oldest first, the last one the current state: the
    # replaced numbers are archived as a snapshot, the current ones live on the claim
    assert [h.p for h in after_dismiss.history][-2:] == [start.p, after_dismiss.p]
    assert after_dismiss.history[-2].at == start.history[-1].at
    assert after_dismiss.history[-2].reason == "full update"
    with db.write() as s:
        n_snap = s.run(
            "MATCH (:Claim {id: $id})-[:HAD_CONFIDENCE]->(h) RETURN count(h) AS n", id=probes
        ).single(strict=True)["n"]
    assert n_snap == len(after_dismiss.history) - 1
    # exactly the two claims of that finding were recomputed (already up to date: not derived)
    redo = ConfidenceUpdater(db).after_verdict(contra.id)
    assert (redo.computed, redo.derived) == (2, 0)
    assert contra.id not in {f.id for f in review_queue(db, limit=100).items}

    # a verdict can be taken back: the finding is open again, weighed as before the verdict,
    # back in the review queue, and the step is kept in its history
    reopened = record_verdict(svc, contra.id, ReviewVerdict.REOPENED, "bob", "not so sure")
    assert reopened.status == "open"
    assert [(h.status, h.reviewer) for h in reopened.history] == [
        ("dismissed", "alice"),
        ("open", "bob"),
    ]
    back = claim_confidence(db, probes)
    assert back.p == pytest.approx(start.p) and back.contested
    assert contra.id in {f.id for f in review_queue(db, limit=100).items}
    with pytest.raises(InvalidInputError, match="no verdict to take back"):
        record_verdict(svc, contra.id, ReviewVerdict.REOPENED, "bob", "")
    # the check is in the write (review: two reopens at once each added a step)
    assert not investigation_store.set_verdict(db, contra.id, "open", "carol", "again")
    assert len(get_finding(db, contra.id).history) == 2
    with pytest.raises(NotFoundError):
        record_verdict(svc, "fnd_missing", ReviewVerdict.REOPENED, "bob", "")
    # open again, but not unreviewed: checking every claim again (which drops open findings
    # to judge them afresh) keeps it and its history (review: it was deleted, history and all)
    build_runner(svc).run(everything=True)
    kept = get_finding(db, contra.id)
    assert kept.status == "open" and [h.status for h in kept.history] == ["dismissed", "open"]

    record_verdict(svc, contra.id, ReviewVerdict.CONFIRMED, "alice", "re-read: they do disagree")
    confirmed = claim_confidence(db, probes)
    assert confirmed.p is not None and confirmed.p < start.p

    with db.write() as s:
        rid = s.run("MATCH (s:Source {title: 'A reply from another lab'}) RETURN s.id AS id")
        rec = rid.single()
        assert rec is not None
        reply_source = rec["id"]
    r = retract_source(svc, reply_source, "withdrawn by its authors")
    assert r.computed == 3  # its own claim + the two claims (post, agree) it contradicted
    retracted = claim_confidence(db, probes)
    assert retracted.p is not None and retracted.p > confirmed.p and retracted.oppose_lines == 0
    with pytest.raises(NotFoundError):
        retract_source(svc, "no-such-source", "x")
    # red-teamed: restoring a source that was never retracted said "restored"
    retract_source(svc, reply_source, "re-instated", undo=True)
    with pytest.raises(InvalidInputError, match="is not retracted"):
        retract_source(svc, reply_source, "again", undo=True)
    retract_source(svc, reply_source, "withdrawn by its authors")
    with pytest.raises(InvalidInputError, match="cannot summarise itself"):
        declare_summary(svc, reply_source, reply_source)
    listed = {x.id: x.retracted for x in graph_stats(db).sources}
    assert listed[reply_source] is True and list(listed.values()).count(True) == 1
    # the findings on its claims say so, in lists, one finding and the export (red-teamed:
    # they looked live)
    on_reply = [
        row
        for row in iter_findings(db)
        if row.a.source_id == reply_source or row.b.source_id == reply_source
    ]
    assert on_reply
    for row in on_reply:
        for side in (row.a, row.b, get_finding(db, row.id).a, get_finding(db, row.id).b):
            assert side.source_retracted == (side.source_id == reply_source)
        assert '"source_retracted": true' in json.dumps(export_record(row))

    again = update_confidences(svc)
    # verdicts/retraction since the last update are re-derived, but were already propagated
    assert again.mode == "incremental" and again.changed == 0
    assert update_confidences(svc).computed == 0  # nothing at all since

    # red-teamed: a summary that misquotes a paper lowered the paper's confidence (and kept it
    # contested) once it was declared a summary of it, and nothing changed until a full run
    retract_source(svc, reply_source, "restored", undo=True)
    assert claim_confidence(db, probes).oppose_lines == 1  # the confirmed contradiction
    with db.write() as s:
        rec = s.run("MATCH (s:Source {title: 'Monitoring results'}) RETURN s.id AS id").single()
        assert rec is not None
        post_source = rec["id"]
    declare_summary(svc, reply_source, post_source)
    summarised = claim_confidence(db, probes)
    assert summarised.oppose_lines == 0 and summarised.p is not None
    assert summarised.p > confirmed.p
    assert any("the summary's distortion" in step for step in summarised.derivation)
    with pytest.raises(InvalidInputError, match="cannot also be summarised by its own summary"):
        declare_summary(svc, post_source, reply_source)

    # a wrong declaration can be undone (there was no way back but Cypher): the contradiction
    # counts against the paper again, and detection never makes the link on its own again
    undone = declare_summary(svc, reply_source, post_source, undo=True)
    assert (undone.linked, undone.removed) == (False, "user") and undone.recomputed.computed
    restored = claim_confidence(db, probes)
    assert restored.oppose_lines == 1 and restored.p == pytest.approx(confirmed.p)
    assert get_source(db, reply_source).summarises == []
    assert store.declare_summary(db, reply_source, post_source, how="detected-from-overlap") == (
        "refused"
    )
    with db.write() as s:  # the reply names the post as what it summarises
        s.run(
            "MATCH (r:Source {id: $r}), (p:Source {id: $p}) SET r.summary_of_title = p.title",
            r=reply_source,
            p=post_source,
        ).consume()
    store.link_summaries(db)
    assert get_source(db, reply_source).summarises == []
    again_undone = declare_summary(svc, reply_source, post_source, undo=True)
    assert (again_undone.linked, again_undone.removed) == (False, None)
    # the reverse link can now be declared; a user's declaration lifts the refusal
    assert declare_summary(svc, post_source, reply_source).linked
    with pytest.raises(InvalidInputError, match="is recorded as a summary of"):  # ids swapped
        declare_summary(svc, reply_source, post_source, undo=True)
    assert get_source(db, post_source).summarises == [reply_source]  # nothing changed
    declare_summary(svc, post_source, reply_source, undo=True)
    assert declare_summary(svc, reply_source, post_source).linked
    assert get_source(db, reply_source).summarises == [post_source]
    assert store.declare_summary(db, reply_source, post_source, how="detected-from-overlap") == (
        "linked"
    )
    assert get_source(db, reply_source).not_summary_of == []
    # detection finding a user's link again leaves it the user's
    assert declare_summary(svc, reply_source, post_source, undo=True).removed == "user"
    with pytest.raises(NotFoundError):
        declare_summary(svc, reply_source, "no-such-source", undo=True)


def test_incremental_update_after_a_new_finding(clean_services: Services, tmp_path: Path) -> None:
    svc = clean_services
    db = svc.graph()
    runner = _graph(svc, tmp_path, ("post.md", POST), ("agree.md", AGREE))
    update_confidences(svc, everything=True)
    before = list_confidences(db, safety_critical=None, limit=100).items
    (tmp_path / "late.md").write_text(LATE)
    svc.ingestor().ingest_paths([str(tmp_path / "late.md")])
    svc.claim_index().sync(db)
    runner.run()
    inc = update_confidences(svc)
    # the new claim and the AUROC claim it contradicts; nothing else
    assert inc.mode == "incremental" and inc.computed == 2 and inc.derived == 2, inc
    assert len(before) == 3


def test_case_evaluation_exports_and_errors(clean_services: Services, tmp_path: Path) -> None:
    svc = clean_services
    _graph(svc, tmp_path, ("post.md", POST), ("reply.md", REPLY), ("agree.md", AGREE))
    case, ev = evaluate_case_text(svc, CASE)
    assert parse_case(dump_case(case)) == case  # round trip
    assert parse_case(dump_case(case, "json")) == case
    by_id = {n.id: n for n in ev.nodes}
    e1, e2 = by_id["E1"], by_id["E2"]
    assert e1.leaf and e1.leaf.claim.quote == PROBES
    assert e1.leaf.supporting_lines and e1.leaf.supporting_lines[0].quotes
    assert e1.leaf.open_contradictions and e1.contested
    assert e1.leaf.open_contradictions[0].swing < 0
    assert e1.p is not None and e2.p is not None
    assert ev.p == pytest.approx(e1.p * e2.p)  # all-of over independent children
    assert ev.low <= ev.p <= ev.high
    assert [a.id for a in ev.assumptions] == ["A1"] and "A1" in e1.assumptions
    assert {s.node_id for s in ev.sensitivity} == {"E1", "E2"}
    assert any("share" in w for w in ev.warnings)  # E1 and E2 come from one source/line

    rows = list(csv.DictReader(to_csv(ev).splitlines()))
    assert {r["id"] for r in rows} == {"G1", "G2", "E1", "E2", "A1"}
    e1_row = next(r for r in rows if r["id"] == "E1")
    assert len(e1_row["p"].split(".")[1]) <= 4  # rounded for people, not 17 digits
    assert all(len(r["assumptions"].split(";")) == len(set(r["assumptions"].split(";")))
               for r in rows)  # fmt: skip
    df = to_dataframe(ev)
    assert df.loc["E1", "p"] == pytest.approx(e1.p) and pd.isna(df.loc["A1", "p"])
    gsn = yaml.safe_load(to_gsn(case, ev))
    assert gsn["G_G1"]["supportedBy"] == ["S_G1"] and "A_A1" in gsn["G_G1"]["inContextOf"]
    assert set(gsn["S_G1"]["supportedBy"]) == {"G_G2", "Sn_E2"}
    assert any(k.startswith("ACP_E1 p=") for k in gsn["Sn_E1"]["acp"])
    counters = [v for k, v in gsn.items() if k.startswith("CG_")]
    assert counters and all(c["challenges"] in ("Sn_E1", "Sn_E2") for c in counters)
    sn_e1 = gsn["Sn_E1"]["text"]  # the supporting line and the open contradiction show
    assert "Supported by 1 independent line" in sn_e1 and "*CONTESTED*" in sn_e1
    assert gsn["Sn_E1"]["classes"] == ["contested"] and e1.leaf.claim.claim_id in sn_e1
    assert all(len(x) <= 42 for el in gsn.values() for x in el["text"].splitlines())

    with pytest.raises(NotFoundError, match="no claim contains"):
        evaluate_case_text(svc, CASE.replace("logit monitor achieves", "nothing like this"))
    with pytest.raises(NotFoundError, match="no claim with id"):
        evaluate_case_text(
            svc, CASE.replace("quote: logit monitor achieves AUROC 0.79", "claim: x")
        )
    # a claim named by id with a quote or source as well: they must fit it (red-teamed: the
    # quote was ignored, so a check of the id that named another claim passed silently)
    cid = e1.leaf.claim.claim_id
    by_id = CASE.replace(
        '    quote: "Linear probes', f'    claim: {cid}\n    quote: "linear  probes'
    )
    assert evaluate_case_text(svc, by_id)[1].p == pytest.approx(ev.p)  # case and spacing aside
    with pytest.raises(InvalidInputError, match=f"claim {cid} does not contain the quote"):
        evaluate_case_text(svc, by_id.replace("deceptive behaviour", "AUROC 0.79"))
    with pytest.raises(InvalidInputError, match=r"does not match the source 'reply\.md'"):
        evaluate_case_text(svc, by_id.replace("source: Monitoring results", "source: reply.md"))
    by_file = by_id.replace("source: Monitoring results", "source: POST")  # post.md, any case
    assert evaluate_case_text(svc, by_file)[1].p == pytest.approx(ev.p)
    with pytest.raises(InvalidInputError, match="in 2 sources"):
        ambiguous = CASE.replace("    source: Monitoring results\n", "")
        evaluate_case_text(svc, ambiguous.replace("in most transcripts", "in most"))
    twice = CASE.replace("children: [E1]", "children: [E1, E3]") + (
        f"  E3:\n    type: evidence\n    claim: {e1.leaf.claim.claim_id}\n"
    )  # red-teamed: one claim under two names was multiplied by itself
    with pytest.raises(InvalidInputError, match="E1 and E3 are the same claim"):
        evaluate_case_text(svc, twice)
    apart = CASE.replace("children: [G2, E2]", "children: [G2, E2, G3]") + (
        "  G3:\n    type: goal\n    text: Probes work again\n    children: [E3]\n"
        f"  E3:\n    type: evidence\n    claim: {e1.leaf.claim.claim_id}\n"
    )  # under two subgoals: allowed (evidence reused), and said plainly
    _, reused = evaluate_case_text(svc, apart)
    assert any(
        f"combines G2 and G3, which both rest on claim {e1.leaf.claim.claim_id}" in w
        for w in reused.warnings
    ), reused.warnings
    # counted once: an all-of goal citing E1's claim again under G3 needs nothing more of it
    # (it was multiplied by itself: p(E1)^2 p(E2))
    assert reused.p == pytest.approx(ev.p)
    assert any("the result counts it once" in w for w in reused.warnings)
    # review: a leaf stayed contested by its own summary's contradiction (the summary's
    # distortion), which its confidence no longer counts
    with svc.graph().read() as s:
        reply = s.run("MATCH (s:Source {title: 'A reply from another lab'}) RETURN s.id AS id")
        reply_id = reply.single(strict=True)["id"]
    declare_summary(svc, reply_id, e1.leaf.claim.source_id)
    _, summarised = evaluate_case_text(svc, CASE)
    s_e1 = next(n for n in summarised.nodes if n.id == "E1")
    assert s_e1.leaf and not s_e1.leaf.open_contradictions and not s_e1.contested
    assert not any("retracted" in w for w in ev.warnings)
    retract_source(svc, e1.leaf.claim.source_id, "withdrawn")  # red-teamed: no word of it
    _, after = evaluate_case_text(svc, CASE)
    assert any(w.startswith("Evidence E1 rests on a retracted source") for w in after.warnings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: x\nnodes: [\n", "not valid YAML at line"),
        ("- a list", "must be a mapping"),
        ("title: x\nnodes:\n  G1: {type: goal, text: a, children: [G2]}\n"
         "  G2: {type: goal, text: b, children: [G1]}\nroot: G1\n", "cycle: G1 -> G2 -> G1"),
        ("title: x\nnodes:\n  G1: {type: goal, text: a, children: [A1]}\n"
         "  A1: {type: assumption, text: b}\n", "a assumption"),
        ("title: x\nnodes:\n  G1: {type: goal, text: a, children: [E9]}\n", "unknown node 'E9'"),
        ("title: x\nnodes:\n  E1: {type: evidence}\n", "needs `claim`"),
        ("title: x\nnodes:\n  E1: {type: evidence, quote: '  '}\n", "non-empty `quote`"),
        ("title: x\nnodes:\n  G1: {type: goal, text: a, children: [G1]}\n", "form a cycle"),
        ("title: x\nnodes:\n  G1: {type: goal, text: a, weight: 3}\n", "Extra inputs"),
        (f"title: {'x' * 1001}\nnodes:\n  G1: {{type: goal, text: a}}\n", "at most 1000"),
        (f"title: x\nnodes:\n  {'G' * 201}: {{type: goal, text: a}}\n", "limit 200"),
    ],
)  # fmt: skip
def test_malformed_cases_get_clear_errors(text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse_case(text)


def test_cli_case_evaluate_json_csv_gsn(
    clean_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.main import app

    svc = clean_services
    _graph(svc, tmp_path, ("post.md", POST), ("reply.md", REPLY), ("agree.md", AGREE))
    case_file = tmp_path / "case.yaml"
    case_file.write_text(CASE)
    cli = CliRunner()
    monkeypatch.setenv("CONSILIENCE_DATA_DIR", str(svc.settings.data_dir))
    if svc.settings.neo4j.lib_dir:
        monkeypatch.setenv("CONSILIENCE_NEO4J__LIB_DIR", str(svc.settings.neo4j.lib_dir))
    env: dict[str, str] = {}
    out = cli.invoke(app, ["case", "evaluate", str(case_file), "--json"], env=env)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["root"] == "G1"
    out = cli.invoke(app, ["case", "evaluate", str(case_file), "--csv"], env=env)
    assert out.exit_code == 0 and out.stdout.startswith("id,type,")
    # the warnings go to stderr (red-teamed: the CSV dropped them, "retracted source" too)
    assert "warning:" in out.stderr and "share" in out.stderr and "warning" not in out.stdout
    out = cli.invoke(
        app, ["case", "evaluate", str(case_file), "--gsn", str(tmp_path / "g.yaml")], env=env
    )
    assert out.exit_code == 0, out.output
    assert "Assumptions relied on" in out.stdout and (tmp_path / "g.yaml").exists()
    out = cli.invoke(app, ["case", "evaluate", str(tmp_path / "missing.yaml")], env=env)
    assert out.exit_code == 2 and "No safety-case file" in out.output

    # a summary link declared, then undone, from the command line
    ids = sorted(x.id for x in graph_stats(svc.graph()).sources)
    out = cli.invoke(app, ["sources", "declare-summary", ids[0], ids[1]], env=env)
    assert out.exit_code == 0 and "now SUMMARISES" in out.stdout, out.output
    out = cli.invoke(app, ["sources", "declare-summary", ids[0], ids[1], "--undo"], env=env)
    assert out.exit_code == 0, out.output
    assert f"{ids[0]} is no summary of {ids[1]}: the link (user) is removed" in " ".join(
        out.stdout.split()
    )
    assert get_source(svc.graph(), ids[0]).summarises == []


def test_learning_from_graph_verdicts_and_cli_report(
    clean_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    from rich.console import Console

    from calibration.learn import learn
    from calibration.updater import load_maps
    from cli.main import app
    from cli.report_calibration import render_calibration
    from kg.writers import investigation_store

    svc = clean_services
    db = svc.graph()
    _graph(svc, tmp_path, ("post.md", POST), ("reply.md", REPLY))
    with db.write() as s:
        ids = [r["id"] for r in s.run("MATCH (c:Claim) RETURN c.id AS id ORDER BY id")]
    rng = random.Random(3)
    rows, verdicts = [], []
    for i in range(80):
        score = rng.uniform(0.05, 0.95)
        rows.append(
            FindingRecord(
                id=f"fnd_syn_{i:03d}", a_id=ids[0], b_id=ids[1], kind=FindingKind.CONTRADICTS,
                score=score, investigator="synthetic", version="1", rationale="synthetic",
                independent=True,
            )
        )  # fmt: skip
        verdicts.append(("confirmed" if rng.random() < score else "dismissed", f"fnd_syn_{i:03d}"))
    # red-teamed: one map pooled an investigator's kinds, restatements (never evidence) too
    for i in range(25):
        rows.append(
            FindingRecord(
                id=f"fnd_rst_{i:03d}", a_id=ids[0], b_id=ids[1], kind=FindingKind.RESTATES,
                score=1.0, investigator="synthetic", version="1", rationale="synthetic",
                independent=False,
            )
        )  # fmt: skip
    investigation_store.write_findings(db, rows, [], "test")
    for i in range(25):
        investigation_store.set_verdict(db, f"fnd_rst_{i:03d}", "dismissed", "bob", "")
    # red-teamed: verdicts on restatements alone were reported as "No verdicts yet"
    only_restatements, _ = learn(db, store=False)
    assert only_restatements.investigators == []
    assert only_restatements.unfitted_verdicts == {"restates": 25}
    shown = Console(record=True, width=300, color_system=None)
    render_calibration(shown, only_restatements)
    text = shown.export_text()
    assert "25 verdict(s) on findings no score map is fitted for (restates 25)" in text
    assert "No verdicts on contradictions, convergences or distortions yet" in text
    for status, fid in verdicts[:10]:
        investigation_store.set_verdict(db, fid, status, "bob", "")
    report, maps = learn(db, store=False)
    assert [r.investigator for r in report.investigators] == ["synthetic:contradicts"]
    syn = next(r for r in report.investigators if r.investigator == "synthetic:contradicts")
    assert not syn.fitted and "need at least 20" in (syn.message or "") and not maps

    for status, fid in verdicts[10:]:
        investigation_store.set_verdict(db, fid, status, "bob", "")
    monkeypatch.setenv("CONSILIENCE_DATA_DIR", str(svc.settings.data_dir))
    if svc.settings.neo4j.lib_dir:
        monkeypatch.setenv("CONSILIENCE_NEO4J__LIB_DIR", str(svc.settings.neo4j.lib_dir))
    out = CliRunner().invoke(app, ["calibration", "fit", "--out", str(tmp_path / "rep")])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "rep" / "reliability.png").read_bytes()[:4] == b"\x89PNG"
    data = json.loads((tmp_path / "rep" / "calibration.json").read_text())
    syn = next(r for r in data["investigators"] if r["investigator"] == "synthetic:contradicts")
    assert syn["fitted"] and syn["n"] == 80 and 0 <= syn["calibrated"]["brier"] <= 1
    assert sum(b["count"] for b in syn["raw"]["bins"]) == 80 and "warnings" in data
    assert "Reliability bins" in out.stdout
    assert list(load_maps(db)) == ["synthetic:contradicts"]  # stored: confidences use it
    assert "Stored 1 map(s)" in out.stdout


def test_replacing_a_source_removes_its_evidence_and_rederives_the_partners(
    clean_services: Services, tmp_path: Path
) -> None:
    svc = clean_services
    db = svc.graph()
    _graph(svc, tmp_path, ("post.md", POST), ("reply.md", REPLY))
    update_confidences(svc, everything=True)
    probes = _claim_id(svc, PROBES, "Monitoring results")
    assert claim_confidence(db, probes).oppose_lines == 1
    contra = next(f for f in list_findings(db, kind="contradicts").items)
    record_verdict(svc, contra.id, ReviewVerdict.CONFIRMED, "ann", "they disagree")
    assert len(claim_confidence(db, probes).history) == 2  # first computation, the verdict
    (tmp_path / "reply.md").write_text("# A reply from another lab\n\nWe study something else.\n")
    svc.ingestor().ingest_paths([str(tmp_path / "reply.md")])  # same path: replaces the source
    inc = update_confidences(svc)
    after = claim_confidence(db, probes)
    assert after.oppose_lines == 0 and not after.contested
    assert after.support_lines == 0 and after.effective_lines == 0
    assert inc.mode == "incremental" and inc.computed >= 1
    # no finding bears on it any more: its evidence counts were removed, not stored as zeros,
    # and it has left the list of claims with evidence
    with db.write() as s:
        stored = s.run(
            "MATCH (c:Claim {id: $id}) RETURN c.confidence AS p, c.confidence_oppose_lines AS "
            "oppose, c.confidence_contested AS contested, c.confidence_evidence AS n",
            id=probes,
        ).single(strict=True)
    assert stored["p"] is not None
    assert (stored["oppose"], stored["contested"], stored["n"]) == (None, None, None)
    assert probes not in {r.claim_id for r in list_confidences(db, with_evidence=True).items}
    (listed,) = [r for r in list_confidences(db, limit=1000).items if r.claim_id == probes]
    assert (listed.support_lines, listed.oppose_lines, listed.effective_lines) == (0, 0, 0)
    with db.write() as s:
        orphans = s.run(
            "MATCH (f:Finding) WHERE COUNT { (f)-[:ABOUT]->(:Claim) } < 2 "
            "AND f.kind IN ['contradicts', 'converges_with'] RETURN count(f) AS n"
        ).single()
        stray = s.run(
            "MATCH (h:ConfidenceSnapshot) WHERE NOT EXISTS { (:Claim)-[:HAD_CONFIDENCE]->(h) } "
            "RETURN count(h) AS n"
        ).single(strict=True)["n"]
    assert orphans is not None and orphans["n"] == 0
    assert stray == 0  # the removed claim's history went with it
    assert len(after.history) >= 2  # the surviving claim keeps its own


def test_history_of_a_claim_stored_before_the_archive_scheme(
    clean_services: Services, tmp_path: Path
) -> None:
    """Graphs written by earlier versions hold a snapshot of the current numbers too (every
    derivation appended one). Their history must not show those numbers twice, neither before
    nor after the next change."""
    svc = clean_services
    db = svc.graph()
    _graph(svc, tmp_path, ("post.md", POST), ("reply.md", REPLY))
    update_confidences(svc, everything=True)
    probes = _claim_id(svc, PROBES, "Monitoring results")
    with db.write() as s:  # the claim as an earlier version stored it
        s.run(
            "MATCH (c:Claim {id: $id}) "
            "CREATE (c)-[:HAD_CONFIDENCE]->(:ConfidenceSnapshot {claim_id: c.id, "
            "at: c.confidence_at, p: c.confidence, low: c.confidence_low, "
            "high: c.confidence_high, reason: 'full update', derivation: '[]'}) "
            "REMOVE c.confidence_since, c.confidence_reason",
            id=probes,
        ).consume()
    before = claim_confidence(db, probes)
    assert [(h.p, h.reason) for h in before.history] == [(before.p, "full update")]
    contra = next(f for f in list_findings(db, kind="contradicts").items)
    record_verdict(svc, contra.id, ReviewVerdict.DISMISSED, "ann", "different setups")
    after = claim_confidence(db, probes)
    assert after.p != before.p
    assert [(h.p, h.reason) for h in after.history] == [
        (before.p, "full update"),
        (after.p, f"verdict on {contra.id}"),
    ]
    with db.write() as s:
        n = s.run(
            "MATCH (:Claim {id: $id})-[:HAD_CONFIDENCE]->(h) RETURN count(h) AS n", id=probes
        ).single(strict=True)["n"]
    assert n == 1  # the old snapshot; nothing archived twice


def _probe_and_its_contradiction(
    svc: Services, tmp_path: Path
) -> tuple[str, ClaimConfidence, FindingRow]:
    """The post and the reply investigated and their confidences computed: the probes claim,
    its confidence and the contradiction about it."""
    _graph(svc, tmp_path, ("post.md", POST), ("reply.md", REPLY))
    update_confidences(svc, everything=True)
    probes = _claim_id(svc, PROBES, "Monitoring results")
    contra = next(
        f
        for f in list_findings(svc.graph(), kind="contradicts").items
        if probes in (f.a.claim_id, f.b.claim_id)
    )
    return probes, claim_confidence(svc.graph(), probes), contra


def _derive_from_one_read(db: Graph, claim_id: str, *reasons: str) -> list[list[ConfidenceRecord]]:
    """One read of the claim, derived once per reason (as concurrent updates would)."""
    updater = ConfidenceUpdater(db)
    raw = next(updater.raw_chunks([claim_id]))
    maps = load_maps(db)
    weigh, rules = weigher_for(maps), rules_digest(maps)
    for d in raw:
        d["inputs"] = input_digest(d, rules)
    return [
        [r for r, _ in updater.derive_rows([dict(d) for d in raw], weigh, reason, {})]
        for reason in reasons
    ]


def test_two_updates_that_read_the_same_numbers_archive_them_once(
    clean_services: Services, tmp_path: Path
) -> None:
    """Two updates (a verdict recorded while a full update runs) both read a claim's numbers
    before either writes, and derive the same new ones. The replaced numbers are archived once,
    and the second write keeps the first's `confidence_since`: whether the numbers change is
    decided at write time, under the claim's lock, not from what each update read."""
    svc = clean_services
    db = svc.graph()
    probes, before, contra = _probe_and_its_contradiction(svc, tmp_path)
    with db.write() as s:  # the verdict alone, its propagation held back
        s.run(
            "MATCH (f:Finding {id: $id}) SET f.status = 'dismissed', f.reviewed_at = datetime()",
            id=contra.id,
        ).consume()
    first, second = _derive_from_one_read(db, probes, "first", "second")
    assert first[0].changed and second[0].changed  # each saw the old numbers
    write_confidences(db, first)
    after_first = claim_confidence(db, probes)
    write_confidences(db, second)
    after_second = claim_confidence(db, probes)
    assert after_first.p is not None and after_first.p != before.p
    assert after_second.history == after_first.history
    assert [(h.p, h.reason) for h in after_second.history] == [
        (before.p, "full update"),
        (after_first.p, "first"),
    ]
    with db.write() as s:
        n = s.run(
            "MATCH (:Claim {id: $id})-[:HAD_CONFIDENCE]->(h) RETURN count(h) AS n", id=probes
        ).single(strict=True)["n"]
        total = s.run("MATCH (h:ConfidenceSnapshot) RETURN count(h) AS n").single(strict=True)
        landed = s.run(
            "MATCH (c:Claim {id: $id}) RETURN c.confidence_at > c.confidence_since AS later",
            id=probes,
        ).single(strict=True)
    assert n == 1 and total["n"] == 1
    assert landed["later"]  # the second write did land: it kept the first's since


def test_an_update_that_read_before_a_verdict_does_not_undo_it(
    clean_services: Services, tmp_path: Path
) -> None:
    """A full update reads a claim, a verdict is recorded and propagated, then the full update
    writes what it derived from its earlier read. The verdict's numbers stay: the write from
    the older read is dropped under the claim's lock (it used to put back the numbers the
    verdict had replaced, with a snapshot of them in the history, until the next update)."""
    svc = clean_services
    db = svc.graph()
    probes, before, contra = _probe_and_its_contradiction(svc, tmp_path)
    with db.write() as s:  # marked stale: the verdict's update clears it, the late write must not
        s.run("MATCH (c:Claim {id: $id}) SET c.confidence_stale = true", id=probes).consume()
    (late,) = _derive_from_one_read(db, probes, "full update")  # no verdict yet
    assert before.p is not None and late[0].p == pytest.approx(before.p)  # pre-verdict
    record_verdict(svc, contra.id, ReviewVerdict.DISMISSED, "alice", "different setups")
    after_verdict = claim_confidence(db, probes)
    assert after_verdict.p is not None and abs(after_verdict.p - before.p) > 1e-3
    assert write_confidences(db, late) == 0  # the older read loses
    now = claim_confidence(db, probes)
    assert (now.p, now.low, now.high) == (after_verdict.p, after_verdict.low, after_verdict.high)
    assert now.history == after_verdict.history

    def stored() -> tuple[bool | None, int]:
        with db.read() as s:
            r = s.run(
                "MATCH (c:Claim {id: $id}) RETURN c.confidence_stale AS stale, "
                "c.confidence_read AS read",
                id=probes,
            ).single(strict=True)
        return r["stale"], r["read"]

    assert stored()[0] is None  # the verdict's update (the later read) cleared it
    # a later read than the stored one is written as usual (a dropped write leaves the mark)
    with db.write() as s:
        s.run("MATCH (c:Claim {id: $id}) SET c.confidence_stale = true", id=probes).consume()
    again = ConfidenceUpdater(db).recompute([probes], "full update", "full")
    assert again.derived == 1 and again.superseded == 0 and stored()[0] is None
    # a stored read time in the future (the server's clock was set back) holds nothing off
    future = 32_503_680_000_000  # the year 3000, in epoch ms
    with db.write() as s:
        s.run(
            "MATCH (c:Claim {id: $id}) SET c.confidence_read = $t, c.confidence_stale = true",
            id=probes,
            t=future,
        ).consume()
    after_clock = ConfidenceUpdater(db).recompute([probes], "full update", "full")
    assert after_clock.derived == 1 and after_clock.superseded == 0
    stale, read = stored()
    assert stale is None and read < future


def test_a_full_update_in_many_batches_writes_every_claim_as_one_batch_would(
    clean_services: Services, tmp_path: Path
) -> None:
    """One claim per batch: the writes overlap (several in flight), and every claim is still
    written once with the numbers a single batch derives (a second full update in one batch
    then finds nothing to derive or change)."""
    svc = clean_services
    db = svc.graph()
    _graph(svc, tmp_path, ("post.md", POST), ("reply.md", REPLY), ("agree.md", AGREE))
    with db.read() as s:
        n_claims = s.run("MATCH (c:Claim) RETURN count(c) AS n").single(strict=True)["n"]
    assert n_claims >= 4
    many = ConfidenceUpdater(db, batch=1).update(everything=True)
    assert (many.computed, many.derived, many.superseded) == (n_claims, n_claims, 0), many
    with db.read() as s:
        stored = s.run(
            "MATCH (c:Claim) WHERE c.confidence IS NOT NULL RETURN count(c) AS n"
        ).single(strict=True)["n"]
    assert stored == n_claims
    again = ConfidenceUpdater(db).update(everything=True)
    assert (again.computed, again.derived, again.changed) == (n_claims, 0, 0), again
