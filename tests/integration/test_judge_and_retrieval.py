"""The judge CLI, multi-channel retrieval, topics and the candidate export on a real graph."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.investigate import build_runner, candidates_log_path
from app.services import Services
from app.verdicts import record_verdict
from cli.main import app
from consilience.vocabulary import ReviewVerdict
from investigators.base import CandidatePair, Verdict
from investigators.cypher import retrieval as rq
from investigators.nli.judge import Judge, JudgeParams
from investigators.retrieval.counter import counter_queries
from investigators.retrieval.ranker import Traits, load_ranker, trait_features
from investigators.retrieval.retriever import RetrievalConfig, Retriever
from investigators.runner import Runner, candidates_log_unfinished
from investigators.versions import parse_preset
from kg.writers import investigation_store
from queries.findings import list_findings
from queries.models import FindingRow
from queries.topics import list_topics, topic_positions

COLLAPSE = """# Curse of recursion

Training language models on model-generated data makes them collapse over generations.

We release our code for the experiments on recursive training.
"""
ACCUMULATE = """# Accumulating data

Keeping the real data alongside the synthetic data avoids model collapse entirely.

Our experiments use several open language models of different sizes.
"""
UNRELATED = """# Battery notes

The air purifier ran for six hours on one charge of the battery pack.
"""


def _ingest(svc: Services, tmp: Path, docs: dict[str, str]) -> None:
    for name, text in docs.items():
        (tmp / name).write_text(text)
    svc.ingestor().ingest_paths([str(tmp / n) for n in docs])
    svc.claim_index().sync(svc.graph())


def test_judge_cli_single_and_pairs_file(clean_services: Services, tmp_path: Path) -> None:
    del clean_services
    r = CliRunner().invoke(
        app,
        [
            "judge",
            "Probes detect deception in agents.",
            "Probes never detect deception in agents.",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    row = json.loads(r.stdout)
    for key in ("entailment", "neutral", "contradiction", "contradiction_ba", "kind", "score"):
        assert key in row
    assert row["kind"] in ("contradicts", "converges_with", "unrelated")
    assert row["ba_read"] and isinstance(row["contradiction_ba"], float)  # a negation: read
    # plainly neutral A→B: B→A is not read, and says so instead of repeating A→B's figures
    r = CliRunner().invoke(
        app, ["judge", "Safe.", "The air purifier ran for six hours on one charge.", "--json"]
    )
    plain = json.loads(r.stdout)
    assert not plain["ba_read"] and plain["contradiction_ba"] is None, plain
    assert "B→A not read" in plain["rationale"]
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        '{"a": "Steering works.", "b": "Steering fails.", "id": "x1"}\n'
        "not json at all\n"
        '{"a": "only one side"}\n'
        '{"a": "Unlearning removes knowledge.", "b": "Unlearning removes knowledge."}\n'
        # red-teamed: a lone surrogate failed the tokenizer and the whole file; a gold label
        # named like an output field, and "line", were replaced; NaN came back as bare NaN
        '{"a": "Probes work \\ud800 ok.", "b": "Probes fail.", "kind": "gold", "line": 99, '
        '"w": NaN, "id": "x\\ud800", "big": 1e999, "nested": {"k": ["\\udfff", -1e999]}}\n'
    )
    r = CliRunner().invoke(app, ["judge", "--pairs", str(pairs)])
    assert r.exit_code == 1  # some lines were bad
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["line"] for x in rows] == [1, 2, 3, 4, 5]
    assert rows[4]["input_kind"] == "gold" and rows[4]["input_line"] == 99
    assert rows[4]["id"] == "x\ufffd" and rows[4]["big"] is None
    assert rows[4]["nested"] == {"k": ["\ufffd", None]}
    assert rows[4]["w"] is None and rows[4]["kind"] in (
        "contradicts",
        "converges_with",
        "unrelated",
    )
    assert rows[0]["id"] == "x1" and "kind" in rows[0]
    assert "not JSON" in rows[1]["error"] and "b" in rows[2]["error"]
    assert rows[3]["kind"] == "converges_with"  # a statement entails itself
    assert rows[3]["restatement"] and not rows[0]["restatement"]  # ... and only restates itself
    assert "line 2" in r.stderr
    blank = tmp_path / "blank.jsonl"  # red-teamed: printed nothing and exited 0
    blank.write_text("\n  \n")
    r = CliRunner().invoke(app, ["judge", "--pairs", str(blank)])
    assert r.exit_code == 2 and r.stdout == ""
    assert "No pairs to judge" in " ".join(r.stderr.split())


def test_retrieval_reaches_differently_worded_claims_and_exports_candidates(
    cli_services: Services, tmp_path: Path
) -> None:
    svc = cli_services
    _ingest(svc, tmp_path, {"a.md": COLLAPSE, "b.md": ACCUMULATE, "c.md": UNRELATED})
    report = build_runner(svc).run()
    assert report.candidate_pairs > 0 and report.topics_touched > 0
    assert {"dense", "lexical", "aspect"} <= set(report.pairs_by_channel)
    # where the retrieval stage's time went: each offline channel, the reads, the ranker
    parts = report.retrieval_seconds
    assert {
        "reads",
        "dense",
        "context",
        "lexical",
        "aspect",
        "counter",
        "nearby",
        "ranking",
    } <= set(parts)
    assert "llm" not in parts and all(v >= 0 for v in parts.values())
    assert sum(parts.values()) <= report.seconds["retrieval"] + 0.05, (parts, report.seconds)
    assert any("llm queries" in s for s in report.skipped)
    rows = [json.loads(x) for x in candidates_log_path(svc).read_text().splitlines()]
    pair = next(
        r
        for r in rows
        if {
            "collapse over generations" in r["a"]["quote"] + r["b"]["quote"],
            "avoids model collapse" in r["a"]["quote"] + r["b"]["quote"],
        }
        == {True}
    )
    assert "aspect" in pair["channels"] and pair["fused_rank"] >= 1
    for side in ("a", "b"):
        assert set(pair[side]) == {"id", "quote", "source_title", "source_path"}
    assert all(r["a"]["source_path"] != r["b"]["source_path"] for r in rows)  # never one source
    out = tmp_path / "cands.jsonl"
    res = CliRunner().invoke(app, ["candidates", "export", "--format", "jsonl", "-o", str(out)])
    assert res.exit_code == 0 and out.read_text().count("\n") == len(rows)
    assert "stopped before" not in " ".join(res.stderr.split())
    bad = CliRunner().invoke(app, ["candidates", "export", "--format", "csv"])
    assert bad.exit_code != 0  # an Enum: wrong values are refused


class _StopsInBatch:
    """An investigator that fails in the batch numbered `fails_at` (as Ctrl-C or an outage
    stops a run there), and finds nothing otherwise."""

    name = "stopper"
    version = "1"

    def __init__(self, fails_at: int | None) -> None:
        self.fails_at, self.calls = fails_at, 0

    def investigate(self, pairs: list[CandidatePair]) -> list[Verdict]:
        self.calls += 1
        if self.calls == self.fails_at:
            raise RuntimeError("stopped")
        return []


def test_the_candidates_export_says_when_the_last_run_stopped_part_way(
    cli_services: Services, tmp_path: Path
) -> None:
    """From review: the export copied the part of the log a stopped run had reached as if
    it were the whole run's candidates."""
    svc = cli_services
    _ingest(svc, tmp_path, {"a.md": COLLAPSE, "b.md": ACCUMULATE, "c.md": UNRELATED})
    full = build_runner(svc)

    def runner(fails_at: int | None) -> Runner:
        inv = _StopsInBatch(fails_at)
        log = candidates_log_path(svc)
        return Runner(svc.graph(), svc.claim_index(), [inv], full.retriever, batch=2,
                      candidates_log=log)  # fmt: skip

    with pytest.raises(RuntimeError, match="stopped"):
        runner(fails_at=2).run()
    part = candidates_log_path(svc).read_text()
    res = CliRunner().invoke(app, ["candidates", "export"])
    assert res.exit_code == 0 and res.stdout == part and part.count("\n") > 0
    assert "stopped before it had read every batch" in " ".join(res.stderr.split())
    runner(fails_at=None).run()  # judges the claims the stopped run left: its log is whole
    res = CliRunner().invoke(app, ["candidates", "export"])
    assert res.exit_code == 0 and "stopped before" not in " ".join(res.stderr.split())
    assert not candidates_log_unfinished(candidates_log_path(svc)).exists()
    assert res.stdout.count("\n") > 0


def test_nearby_channel_reads_the_most_similar_other_sources(
    clean_services: Services, tmp_path: Path
) -> None:
    svc = clean_services
    _ingest(svc, tmp_path, {"a.md": COLLAPSE, "b.md": ACCUMULATE, "c.md": UNRELATED})
    cfg = RetrievalConfig(channels=("nearby",), nearby_sources=1)
    r = Retriever(svc.graph(), svc.claim_index(), svc.embedder, cfg)
    per, _ = r.rankings(list(svc.claim_index().ids))
    src = r.source_of()
    with svc.graph().read() as s:
        text = {
            x["id"]: x["text"] for x in s.run("MATCH (c:Claim) RETURN c.id AS id, c.text AS text")
        }
    collapse = next(c for c, t in text.items() if "collapse over generations" in t)
    avoids = next(c for c, t in text.items() if "avoids model collapse" in t)
    got = per[collapse]["nearby"]
    # the one nearest source is the other model-collapse paper: not the battery notes, not itself
    assert got and {src[o] for o, _ in got} == {src[avoids]}
    assert avoids in {o for o, _ in got}
    # asking for more sources than exist: every other source, never the claim's own
    wide = RetrievalConfig(channels=("nearby",), nearby_sources=50)
    per, _ = Retriever(svc.graph(), svc.claim_index(), svc.embedder, wide).rankings([collapse])
    got = per[collapse]["nearby"]
    assert {src[o] for o, _ in got} == set(src.values()) - {src[collapse]}
    assert all(math.isfinite(s) for _, s in got)


class _RecordingEmbedder:
    """The real embedder, with every text it was asked to embed kept."""

    def __init__(self, inner: Services) -> None:
        self.inner = inner.embedder
        self.name, self.dimensions = self.inner.name, self.inner.dimensions
        self.texts: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        return self.inner.embed(texts)


def test_counter_channel_embeds_the_configured_number_of_rewrites_per_claim(
    clean_services: Services, tmp_path: Path
) -> None:
    svc = clean_services
    flips = (
        "# Scaling notes\n\nLarger models are more robust to prompt injection than smaller "
        "models.\n\nUnlearning removes most hazardous knowledge from the model.\n"
    )  # two claims with at least two opposite rewrites each
    _ingest(svc, tmp_path, {"a.md": COLLAPSE, "b.md": ACCUMULATE, "d.md": flips})
    ids = list(svc.claim_index().ids)
    with svc.graph().read() as s:
        text = {
            x["id"]: x["text"] for x in s.run("MATCH (c:Claim) RETURN c.id AS id, c.text AS text")
        }
    two = {c: counter_queries(text[c], most=2) for c in ids}
    assert sum(len(q) == 2 for q in two.values()) >= 2  # claims with a second rewrite exist
    for n in (0, 1, 2):
        emb = _RecordingEmbedder(svc)
        cfg = RetrievalConfig(channels=("counter",), counter_queries=n)
        per, _ = Retriever(svc.graph(), svc.claim_index(), emb, cfg).rankings(ids)
        expected = sorted(q for qs in two.values() for q in qs[:n])
        assert sorted(emb.texts) == expected
        assert any("counter" in ch for ch in per.values()) == (n > 0)
    # the setting reaches the runner's retriever (default: one rewrite per claim)
    assert build_runner(svc).retriever.config.counter_queries == 1


def test_sources_and_ranker_traits_read_in_one_record_for_the_wanted_claims_only(
    clean_services: Services, tmp_path: Path
) -> None:
    svc = clean_services
    _ingest(svc, tmp_path, {"a.md": COLLAPSE, "b.md": ACCUMULATE})
    r = Retriever(svc.graph(), svc.claim_index(), svc.embedder, RetrievalConfig())
    with svc.graph().read() as s:
        rows = {
            x["id"]: x
            for x in s.run(
                "MATCH (s:Source)-[:HAS_CLAIM]->(c:Claim) RETURN c.id AS id, s.id AS sid, "
                "size(c.text) AS length, c.kind AS kind, coalesce(c.in_footnote, false) AS "
                "footnote, s.kind AS source_kind, COUNT { (s)-[:HAS_CLAIM]->() } AS size"
            )
        }
    assert len({x["sid"] for x in rows.values()}) == 2
    src = r.source_of()
    assert src == {c: x["sid"] for c, x in rows.items()}
    wanted = [*sorted(rows)[:3], "clm_not_in_the_graph", sorted(rows)[0]]
    got = r.trait_rows(wanted)
    assert set(got) == set(sorted(rows)[:3])  # only what was asked for; an unknown id has none
    for c in got:
        x = rows[c]
        want = trait_features(
            Traits(x["length"], x["kind"], x["footnote"], x["source_kind"]), x["size"]
        )
        assert got[c] == want
    assert set(r.trait_rows(sorted(rows))) == set(rows)  # the rest read when wanted


def test_learned_ranker_keeps_the_budget_and_reaches_the_disagreeing_papers(
    clean_services: Services, tmp_path: Path
) -> None:
    svc = clean_services
    _ingest(svc, tmp_path, {"a.md": COLLAPSE, "b.md": ACCUMULATE, "c.md": UNRELATED})
    ids = list(svc.claim_index().ids)
    with svc.graph().read() as s:
        text = {
            x["id"]: x["text"] for x in s.run("MATCH (c:Claim) RETURN c.id AS id, c.text AS text")
        }
    collapse = next(c for c, t in text.items() if "collapse over generations" in t)
    avoids = next(c for c, t in text.items() if "avoids model collapse" in t)
    key = (min(collapse, avoids), max(collapse, avoids))
    for ranker in (load_ranker(), None):
        cfg = RetrievalConfig(budget=2, ranker=ranker)
        r = Retriever(svc.graph(), svc.claim_index(), svc.embedder, cfg)
        got = r.retrieve(ids).pairs
        assert key in got, ranker
        for cand in got.values():
            # fusion keeps 2 per claim; the ranker shares 2 x claims, at most 3 x 2 per claim
            assert 1 <= cand.rank <= (2 if ranker is None else 6) and cand.channels
            if ranker is not None:
                assert 0.0 < cand.fused < 1.0  # the ranker's probability
        src = r.source_of()
        assert all(src[a] != src[b] for a, b in got)
    # the run shares budget x claims pairs: each claim's two best (the floor, here the whole
    # budget) are kept, and no more pairs than 2 per claim in all
    ranker = load_ranker()
    r = Retriever(svc.graph(), svc.claim_index(), svc.embedder, RetrievalConfig(ranker=ranker))
    per, _ = r.rankings(ids)
    pools = r.pools(per)
    assert any(len(p.others) > 2 for p, _ in pools.values())
    got = r.ranked(per, ranker, 2)
    with_pool = [c for c, (p, _) in pools.items() if p.others]
    assert 0 < len(got) <= 2 * len(with_pool)
    for c, (pool, x) in pools.items():
        sc = ranker.score(x)
        best = sorted(range(len(pool.others)), key=lambda j: (-sc[j], pool.others[j]))[:2]
        for j in best:
            o = pool.others[j]
            assert (min(c, o), max(c, o)) in got
        # beyond its best 6 (3 x budget) a claim's candidates are kept only from the other side
        for j in sorted(range(len(pool.others)), key=lambda j: (-sc[j], pool.others[j]))[6:]:
            o = pool.others[j]
            if (min(c, o), max(c, o)) in got:
                other_pool, ox = pools[o]
                osc = ranker.score(ox)
                mine = other_pool.others.index(c)
                assert sum(v > osc[mine] for v in osc) < 6


def test_llm_channel_failure_leaves_the_other_channels(
    clean_services: Services, tmp_path: Path
) -> None:
    svc = clean_services
    _ingest(svc, tmp_path, {"a.md": COLLAPSE, "b.md": ACCUMULATE})

    def rate_limited(claims: list[tuple[str, str]]) -> dict[str, list[str]]:
        raise RuntimeError("429 rate limited")

    r = Retriever(
        svc.graph(), svc.claim_index(), svc.embedder, RetrievalConfig(), query_writer=rate_limited
    )
    got = r.retrieve(list(svc.claim_index().ids))
    assert got.pairs and any("rate limited" in s for s in got.skipped)
    assert "llm" not in got.per_channel and "dense" in got.per_channel


def test_topic_channel_reads_the_most_similar_partners_of_a_topic(
    clean_services: Services, tmp_path: Path
) -> None:
    svc = clean_services
    _ingest(svc, tmp_path, {"a.md": COLLAPSE, "b.md": ACCUMULATE, "c.md": UNRELATED})
    with svc.graph().write() as s:  # one topic holding every claim: more than the limit
        s.run(
            "CREATE (t:Topic {id: 'topic_all'}) WITH t MATCH (c:Claim) "
            "MERGE (c)-[:ABOUT_TOPIC]->(t)"
        ).consume()
    with svc.graph().read() as s:
        claims = s.run("MATCH (c:Claim) RETURN c.id AS id, c.source_id AS src, c.embedding AS v")
        rows = claims.data()
        checked = 0
        for m in rows:
            v = np.asarray(m["v"])
            sims = sorted(
                (-float(np.dot(v, np.asarray(o["v"]))), o["id"])
                for o in rows
                if o["src"] != m["src"]
            )
            if len(sims) <= 2 or sims[2][0] - sims[1][0] < 1e-4:
                continue  # a near tie at the cut: either answer is right
            got = s.run(rq.TOPIC_PARTNERS, ids=[m["id"]], limit=2).single(strict=True)["others"]
            assert sorted(got) == sorted([sims[0][1], sims[1][1]]), m["id"]
            checked += 1
        assert checked >= 3


def test_topics_cli_api_and_positions(cli_services: Services, tmp_path: Path) -> None:
    svc = cli_services
    _ingest(svc, tmp_path, {"a.md": COLLAPSE, "b.md": ACCUMULATE, "c.md": UNRELATED})
    build_runner(svc).run()
    page = list_topics(svc.graph(), min_sources=1)
    assert page.items and all(t.label for t in page.items)
    with svc.graph().read() as s:  # each contradicted claim once (red-teamed: per finding)
        held = {
            r["t"]: r["n"]
            for r in s.run(
                "MATCH (t:Topic)<-[:ABOUT_TOPIC]-(c:Claim)<-[:ABOUT]-(f:Finding {kind: "
                "'contradicts'}) WHERE coalesce(f.status, 'open') <> 'dismissed' "
                "RETURN t.id AS t, count(DISTINCT c) AS n"
            )
        }
    assert [t.n_contradiction_sides for t in page.items] == [held.get(t.id, 0) for t in page.items]
    detail = topic_positions(svc.graph(), page.items[0].id)
    assert detail.positions and detail.positions[0].claims[0].id.startswith("clm")
    r = CliRunner().invoke(app, ["topics", "list", "--min-sources", "1"])
    assert r.exit_code == 0 and page.items[0].id in r.stdout
    r = CliRunner().invoke(app, ["topics", "show", page.items[0].id])
    assert r.exit_code == 0 and detail.positions[0].source_title in r.stdout
    from api.app import create_app

    with TestClient(create_app(svc.settings, services=svc)) as client:
        body = client.get("/topics", params={"min_sources": 1}).json()
        assert body["items"][0]["id"] == page.items[0].id
        assert client.get(f"/topics/{page.items[0].id}").json()["positions"]
        assert client.get("/topics/nope").status_code == 404
        assert (
            client.get("/topics", params={"cursor": "[99999999999999999999, 1]"}).status_code == 200
        )


def test_rejudging_after_a_model_change_is_versioned_and_keeps_verdicts(
    clean_services: Services, tmp_path: Path
) -> None:
    svc = clean_services
    _ingest(svc, tmp_path, {"a.md": COLLAPSE, "b.md": ACCUMULATE})
    runner = build_runner(svc)
    notes: list[str] = []
    first = runner.run(on_note=notes.append)
    assert first.claims_checked == 4 and build_runner(svc).run().claims_checked == 0
    assert first.rechecked == 0 and first.version_changes == [] and notes == []  # all new
    found = list_findings(svc.graph()).items
    if found:
        record_verdict(svc, found[0].id, ReviewVerdict.DISMISSED, "bob", "not the same question")
    # a new fit of the combination changes the judge's version: every claim is re-judged
    p = JudgeParams.load()
    p.contradiction = (p.contradiction[0], p.contradiction[1] + 0.01)
    svc._judge = Judge(svc.judge().model, p)
    again = build_runner(svc)
    assert again.preset_version != runner.preset_version
    report = again.run(on_note=notes.append)
    assert report.claims_checked == 4 and report.rechecked == 4
    # the run says why, before it starts: only the fit's part of the judge's version changed
    old_fit, new_fit = (
        parse_preset(r.preset_version)["nli-judge"].split("+")[-1] for r in (runner, again)
    )
    assert old_fit != new_fit and report.version_changes == [f"nli-judge: {old_fit} → {new_fit}"]
    assert len(notes) == 1 and notes[0].startswith("4 claim(s) checked before by other versions")
    assert report.version_changes[0] in notes[0]
    if found:
        kept = [f for f in list_findings(svc.graph()).items if f.id == found[0].id]
        assert kept and kept[0].status == "dismissed" and kept[0].reviewer == "bob"


def test_findings_an_earlier_version_made_are_withdrawn_when_not_found_again(
    clean_services: Services, tmp_path: Path
) -> None:
    """Incremental re-judging after a model change ends with the findings the new version
    makes, not those plus the old version's: an unreviewed finding the new version, shown the
    same pair, does not find again is withdrawn; one it finds again stays, at the new version;
    a reviewed one is kept; a run at the same version withdraws nothing."""
    svc = clean_services
    # two sentences each document words its own way (the same words would be a restatement
    # by rule, whatever the thresholds: `same_statement`)
    same_a = (
        "Our experiments use several open language models of different sizes.\n\n"
        "Every model was evaluated on the same held-out set of agent transcripts."
    )
    same_b = (
        "Our experiments used several open language models of various sizes.\n\n"
        "Every model was tested on the same held-out set of agent transcripts."
    )
    _ingest(
        svc,
        tmp_path,
        {
            "a.md": "# A\n\nTraining on synthetic data makes language models collapse within "
            "five generations.\n\nLinear probes detect deception in the agent transcripts "
            f"we examined.\n\n{same_a}\n",
            "b.md": "# B\n\nTraining on synthetic data does not make language models collapse "
            "within five generations.\n\nLinear probes do not detect deception in the agent "
            f"transcripts we examined.\n\n{same_b}\n",
        },
    )
    first = build_runner(svc).run()
    assert first.findings_withdrawn == 0
    claim_kinds = {"contradicts", "converges_with", "restates"}

    def claim_findings() -> dict[str, FindingRow]:
        return {f.id: f for f in list_findings(svc.graph()).items if f.kind in claim_kinds}

    found = claim_findings()
    contradictions = sorted(i for i, f in found.items() if f.kind == "contradicts")
    agreements = sorted(i for i, f in found.items() if f.kind != "contradicts")
    # two minimal pairs; two sentences both documents say in their own words
    assert len(contradictions) >= 2 and len(agreements) >= 2
    record_verdict(svc, contradictions[0], ReviewVerdict.CONFIRMED, "bob", "checked")
    record_verdict(svc, agreements[0], ReviewVerdict.CONFIRMED, "bob", "checked")
    # a new version that calls no convergence (only the threshold moves: a new version)
    old_version = found[contradictions[1]].version
    p = dataclasses.replace(JudgeParams.load(), threshold_convergence=1.01)
    svc._judge = Judge(svc.judge().model, p)
    again = build_runner(svc).run()
    assert again.claims_checked == 8
    assert again.findings_withdrawn == len(agreements) - 1 >= 1  # the unreviewed agreements
    after = claim_findings()
    assert set(after) == set(contradictions) | {agreements[0]}
    assert after[agreements[0]].status == "confirmed"
    for i in contradictions[1:]:  # found again: open, at the new version
        assert after[i].status == "open" and after[i].version != old_version
    # the same version again: nothing to check, nothing withdrawn
    assert build_runner(svc).run().findings_withdrawn == 0
    assert set(claim_findings()) == set(after)


def test_withdrawal_touches_only_the_pairs_judged_again(
    clean_services: Services, tmp_path: Path
) -> None:
    """A finding of an earlier version between claims the retriever did not propose again was
    never judged again: it stays until 'investigate --all'. Between a pair judged again, it
    goes, in the write's transaction; a reviewed one stays."""
    svc = clean_services
    _ingest(
        svc,
        tmp_path,
        {
            "a.md": "# A\n\nLinear probes detect deception in the agent transcripts we "
            "examined.\n\nSteering vectors reduce sycophancy in the models we tested.\n",
            "b.md": "# B\n\nLinear probes do not detect deception in the agent transcripts we "
            "examined.\n\nSteering vectors do not reduce sycophancy in the models we tested.\n",
        },
    )
    build_runner(svc).run()
    found = [f for f in list_findings(svc.graph()).items if f.kind == "contradicts"]
    assert len(found) >= 2
    kept, gone = found[0], found[1]
    current = {gone.investigator: "a later version"}

    def pair(f: FindingRow) -> tuple[str, str]:
        assert f.a.claim_id and f.b.claim_id
        return f.a.claim_id, f.b.claim_id

    unrelated = (pair(kept)[0], pair(gone)[1])  # judged again, no finding between them
    created, withdrawn, _ = investigation_store.write_judged(
        svc.graph(), [], [], "v", investigation_store.Superseded(current, [unrelated])
    )
    assert (created, withdrawn) == ({}, 0)
    record_verdict(svc, kept.id, ReviewVerdict.CONFIRMED, "bob", "checked")
    _, withdrawn, _ = investigation_store.write_judged(
        svc.graph(), [], [], "v", investigation_store.Superseded(current, [pair(kept), pair(gone)])
    )
    assert withdrawn == 1
    left = {f.id for f in list_findings(svc.graph()).items}
    assert kept.id in left and gone.id not in left


def test_topic_counts_follow_claims_that_leave(clean_services: Services, tmp_path: Path) -> None:
    """Red-teamed: after a file was removed or edited, `topics list` still counted its claims
    and sources (`topics show` and the graph did not); `investigate` did not refresh them."""
    from app.ingest import forget, forget_plan
    from ingest.forget import forget_files, plan_forget

    svc = clean_services
    _ingest(svc, tmp_path, {"a.md": COLLAPSE, "b.md": ACCUMULATE, "c.md": UNRELATED})
    build_runner(svc).run()

    def counts() -> dict[str, tuple[int, int]]:
        """Per topic: (sources, claims) as the list gives them, checked against the graph."""
        listed = {
            t.id: (t.n_sources, t.n_claims) for t in list_topics(svc.graph(), min_sources=1).items
        }
        with svc.graph().write() as s:
            actual = {
                r["id"]: (r["sources"], r["claims"])
                for r in s.run(
                    "MATCH (t:Topic)<-[:ABOUT_TOPIC]-(c:Claim)<-[:HAS_CLAIM]-(src:Source) "
                    "RETURN t.id AS id, count(DISTINCT src) AS sources, count(DISTINCT c) AS claims"
                )
            }
        assert listed == actual
        return listed

    before = counts()
    assert sum(n for _, n in before.values()) == 5  # every claim in one topic
    with svc.graph().write() as s:
        lost = {r["id"] for r in s.run(
            "MATCH (:Source {title: 'Accumulating data'})-[:HAS_CLAIM]->(:Claim)"
            "-[:ABOUT_TOPIC]->(t:Topic) RETURN t.id AS id")}  # fmt: skip
    forget_files(svc.graph(), plan_forget(svc.graph(), [str(tmp_path / "b.md")]))
    svc.claim_index().sync(svc.graph())
    build_runner(svc).run()
    after = counts()  # equal to the graph again, with b.md's two claims gone
    assert sum(n for _, n in after.values()) == 3
    # and each centroid is its members' now (review: new claims joined by the old one)
    index = svc.claim_index()
    with svc.graph().write() as s:
        rows = list(s.run(
            "MATCH (t:Topic)<-[:ABOUT_TOPIC]-(c:Claim) WHERE t.id IN $lost "
            "RETURN t.centroid AS centroid, collect(c.id) AS claims", lost=list(lost)))  # fmt: skip
    assert rows and all(len(r["claims"]) for r in rows)
    for r in rows:
        _, vecs = index.vectors(list(r["claims"]))
        mean = vecs.mean(axis=0)
        assert np.allclose(r["centroid"], mean / np.linalg.norm(mean), atol=1e-5)
    # forgotten without investigating: the counts follow at once (they waited for a run)
    forget(svc, forget_plan(svc, [str(tmp_path / "a.md")]), investigate_after=False)
    assert sum(n for _, n in counts().values()) == 1
