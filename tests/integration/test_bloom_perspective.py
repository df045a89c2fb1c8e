"""The shipped Bloom perspective: generated from queries.cypher.bloom, names only labels,
relationship types and properties the graph really has, and every search phrase runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.confidences import update_confidences
from app.investigate import build_runner
from app.services import Services
from app.sources import retract_source
from app.verdicts import record_verdict
from consilience.vocabulary import ReviewVerdict
from queries import bloom
from queries.findings import list_findings
from tests.graph_reset import reset_graph

PAPER = """---
title: Probe robustness
date: 2025-03-01
url: https://example.org/probes
---
# Results

Author: Ada Lovelace (Anthropic)

We build on arXiv:2401.12345 and Smith et al. 2024, using linear probes on StrongREJECT.

Linear probes detect deceptive behaviour in most transcripts we examined on StrongREJECT.

The logit monitor achieves AUROC 0.79 from a single rollout on our benchmark.

We think there is a good chance (>90%?) that probes transfer to larger models.

Grace Hopper (OpenAI): Probes will keep working on larger models for several years.
"""
SUMMARY = """# Probe robustness - Summary

Linear probes detect deceptive behaviour in all transcripts examined on StrongREJECT.
"""
REPLY = """# A reply from another lab

Linear probes do not detect deceptive behaviour in most transcripts we examined on StrongREJECT.

The logit monitor achieves AUROC 0.55 from a single rollout on our benchmark.
"""
PARAMS = {"claim": "Linear probes", "topic": "probes", "source": "Probe robustness",
          "max_confidence": 0.99}  # fmt: skip


@pytest.fixture(scope="module")
def rich_graph(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Services:
    svc = reset_graph(services)
    tmp: Path = tmp_path_factory.mktemp("bloom-docs")
    for name, text in (("paper.md", PAPER), ("summary.md", SUMMARY), ("reply.md", REPLY)):
        (tmp / name).write_text(text)
    svc.ingestor().ingest_paths([str(tmp)])
    svc.claim_index().rebuild(svc.graph())
    build_runner(svc).run()
    update_confidences(svc, everything=True)
    f = list_findings(svc.graph(), kind="contradicts").items[0]
    record_verdict(svc, f.id, ReviewVerdict.CONFIRMED, "alice", "checked")
    with svc.graph().write() as s:
        rid = s.run("MATCH (s:Source {title: 'A reply from another lab'}) RETURN s.id AS id")
        sid = rid.single()["id"]  # type: ignore[index]
    retract_source(svc, sid, "test", undo=True)
    return svc


def test_shipped_file_is_the_generated_one() -> None:
    assert bloom.OUT.read_text(encoding="utf-8") == bloom.render(), (
        "bloom/consilience.json is stale: run `python -m queries.bloom`"
    )
    p = json.loads(bloom.OUT.read_text(encoding="utf-8"))
    assert p["type"] == "STANDARD_PERSPECTIVE"
    for key in ("name", "id", "categories", "labels", "relationshipTypes", "palette",
                "createdAt", "lastEditedAt", "templates", "sceneActions",
                "hiddenRelationshipTypes", "hideUncategorisedData", "parentPerspectiveId",
                "metadata", "version"):  # fmt: skip
        assert key in p
    texts = {t["text"] for t in p["templates"]}
    assert {"contradictions of $claim", "claims about $topic", "what supports $claim",
            "open findings in $source"} <= texts  # fmt: skip
    claim = next(c for c in p["categories"] if c["name"] == "Claim")
    assert any(r["basedOn"] == "confidence" for r in claim["styleRules"])
    finding = next(c for c in p["categories"] if c["name"] == "Finding")
    assert any(r.get("conditionValue") == "contradicts" for r in finding["styleRules"])


def test_every_name_exists_and_every_phrase_runs(rich_graph: Services) -> None:
    p = bloom.build_perspective()
    with rich_graph.graph().write() as s:
        labels = {r[0] for r in s.run("CALL db.labels()")}
        rels = {r[0] for r in s.run("CALL db.relationshipTypes()")}
        keys = {r[0] for r in s.run("CALL db.propertyKeys()")}
        for c in p["categories"]:
            assert set(c["labels"]) <= labels, c["labels"]
            missing = {x["name"] for x in c["properties"]} - keys
            assert not missing, (c["name"], missing)
            assert set(c["captionKeys"]) <= keys
            assert {r["basedOn"] for r in c["styleRules"]} <= keys
        assert {r["name"] for r in p["relationshipTypes"]} <= rels
        assert set(p["hiddenRelationshipTypes"]) <= rels
        for seg in p["metadata"]["pathSegments"]:
            assert {seg["source"], seg["target"]} <= labels and seg["relationshipType"] in rels
        ran: dict[str, int] = {}
        for t in p["templates"]:
            params = {x["name"].lstrip("$"): PARAMS[x["name"].lstrip("$")] for x in t["params"]}
            s.run("EXPLAIN " + t["cypher"], **params).consume()
            ran[t["text"]] = len(list(s.run(t["cypher"], **params)))
    assert ran["contradictions of $claim"] > 0
    assert ran["claims about $topic"] > 0
    assert ran["open findings in $source"] > 0
    assert ran["line of $source"] > 0


def test_phrases_survive_ordinary_input_and_filter_before_limiting(rich_graph: Services) -> None:
    """Lucene syntax in a topic, a claim filter that used to keep 25 arbitrary matches before
    filtering, one-source lines, and dismissed distortions."""
    from queries.cypher import bloom as q

    with rich_graph.graph().write() as s:
        for topic in ("probes (linear)", "AUROC: 0.79", "probes AND OR NOT", 'a "b', "x/y [z]"):
            rows = list(s.run(q.CLAIMS_ABOUT_TOPIC, topic=topic))  # no Lucene syntax error
            if topic.startswith(("probes", "AUROC")):
                assert rows, topic
        # "e" matches every claim; the limit now applies after the contradiction filter
        assert list(s.run(q.CONTRADICTIONS_OF_CLAIM, claim="e"))
        one = s.run(
            "MATCH (s:Source)-[:IN_LINE]->(l:Line) WITH l, collect(s) AS ss WHERE size(ss) = 1 "
            "RETURN ss[0].id AS id LIMIT 1"
        ).single()
        if one is not None:
            assert list(s.run(q.LINE_OF_SOURCE, source=one["id"]))
        s.run("MATCH (f:Finding {kind: 'distorts'}) SET f.status = 'dismissed'").consume()
        assert not list(s.run(q.SUMMARY_DISTORTIONS))
        s.run("MATCH (f:Finding {kind: 'distorts'}) SET f.status = 'open'").consume()
