"""The shipped Bloom perspective: generated from queries.cypher.bloom, names only labels,
relationship types and properties the graph really has, and every search phrase runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.confidences import update_confidences
from app.investigate import build_runner
from app.services import Services
from app.sources import retract_source
from app.verdicts import record_verdict
from calibration.fit import CalibrationMap
from consilience.vocabulary import ReviewVerdict
from kg.writers import calibration_store, investigation_store
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
NOTE = """# A note on monitors

The logit monitor achieves AUROC 0.62 from a single rollout on our benchmark.
"""

REPLY = """# A reply from another lab

Linear probes do not detect deceptive behaviour in most transcripts we examined on StrongREJECT.

The logit monitor achieves AUROC 0.55 from a single rollout on our benchmark.
"""
# Bloom's property data types (its exports: string, number, bigint, boolean, array, Date)
# for the types Neo4j reports in db.schema.nodeTypeProperties / relTypeProperties
NEO4J_TO_BLOOM = {"String": "string", "Double": "number", "Float": "number", "Long": "bigint",
                  "Integer": "bigint", "Boolean": "boolean", "DateTime": "DateTime",
                  "Date": "Date"}  # fmt: skip
BLOOM_TYPES = {"string", "number", "bigint", "boolean", "array", "Date", "DateTime"}
# properties kg writes that this graph of markdown files cannot have: PDF pages, a summary's
# declared URL
NOT_IN_FIXTURE = {"page", "summary_of_url"}
KG_CYPHER = Path(__file__).resolve().parents[2] / "kg" / "cypher"


def _bloom_type(neo4j_types: list[str]) -> str:
    (t,) = {"array" if x.endswith(("Array", "Vector")) else NEO4J_TO_BLOOM[x] for x in neo4j_types}
    return t


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
        rec = rid.single()
        assert rec is not None
        sid = rec["id"]
    retract_source(svc, sid, "test")  # retracted, restored, retracted again: the properties
    retract_source(svc, sid, "test", undo=True)  # exist (a restored one has no reason)
    retract_source(svc, sid, "withdrawn")
    with svc.graph().read() as s:  # a user's "not a summary of" (not_summary_of)
        other = s.run("MATCH (s:Source) WHERE s.id <> $sid RETURN s.id AS id LIMIT 1", sid=sid)
        other_id = other.single(strict=True)["id"]
    from kg.writers import store

    store.undeclare_summary(svc.graph(), sid, other_id)
    # a verdict on a document that is then revised: archived, and given back on the next run
    note = tmp / "note.md"
    note.write_text(NOTE)
    svc.ingestor().ingest_paths([str(note)])
    svc.claim_index().sync(svc.graph())
    build_runner(svc).run()
    on_note = [x for x in list_findings(svc.graph(), status="open").items
               if "0.62" in (x.a.quote or "") + (x.b.quote or "")]  # fmt: skip
    assert on_note
    record_verdict(svc, on_note[0].id, ReviewVerdict.DISMISSED, "bob", "other benchmark")
    note.write_text(NOTE + "\nWe release our transcripts.\n")
    svc.ingestor().ingest_paths([str(note)])
    svc.claim_index().sync(svc.graph())
    build_runner(svc).run()
    # the nodes this small run writes no copy of, through kg's own writers: a fitted score
    # map, a cached LLM answer, the dimensions a proposer found missing from a claim
    g = svc.graph()
    fitted = CalibrationMap(investigator="nli-judge", method="isotonic", x=[0.1, 0.9],
                            y=[0.2, 0.8], n=2, positives=1)  # fmt: skip
    calibration_store.put_maps(g, [fitted.model_dump()])
    investigation_store.put_llm_judgements(
        g, [{"id": "llm_probe", "response": "{}", "model": "m", "prompt_version": "1"}]
    )
    cid = f.a.claim_id
    investigation_store.set_missing_dimensions(
        g, [{"id": cid, "dimensions": ["model scale"], "json": "{}", "by": "proposer@1"}]
    )
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


def test_perspective_uses_blooms_own_export_form() -> None:
    """The object forms of Bloom's own exports (neo4j-graph-examples/healthcare-analytics,
    entity-resolution, cybersecurity): top-level `labels` map each label to
    `{propertyKey, type, dataType}` objects, category properties are `{name, exclude,
    dataType}`, relationship properties `{propertyKey, type, dataType}`; one category per
    label kg writes; captions are short properties, never a claim's text."""
    p = bloom.build_perspective()
    assert isinstance(p["labels"], dict)
    for label, props in p["labels"].items():
        assert props, label
        for x in props:
            assert set(x) == {"propertyKey", "type", "dataType"}, (label, x)
            assert x["type"] == label and x["dataType"] in BLOOM_TYPES, (label, x)
    for c in p["categories"]:
        assert isinstance(c["id"], int) and all(isinstance(lb, str) for lb in c["labels"])
        assert set(c["labels"]) <= set(p["labels"]), c["labels"]
        for x in c["properties"]:
            assert set(x) == {"name", "exclude", "dataType"}, (c["name"], x)
            assert x["dataType"] in BLOOM_TYPES and isinstance(x["exclude"], bool)
        # the category's properties are the label's, with the same data types
        own = {(x["name"], x["dataType"]) for x in c["properties"]}
        assert own == {(x["propertyKey"], x["dataType"]) for x in p["labels"][c["name"]]}
        names = {x["name"] for x in c["properties"]}
        shown = [x["key"] for x in c["captions"] if x["type"] == "property" and x["isCaption"]]
        assert shown == c["captionKeys"] and set(shown) <= names, c["name"]
        for x in c["captions"]:
            assert set(x) == {"key", "type", "isCaption", "inTooltip", "styles", "isGdsData"}
        assert all(r["id"].startswith("rule:") for r in c["styleRules"])
    for r in p["relationshipTypes"]:
        for x in r["properties"]:
            assert set(x) == {"propertyKey", "type", "dataType"} and x["type"] == r["name"]
    for t in p["templates"]:
        assert t["id"] == f"tmpl:{t['createdAt']}" and isinstance(t["createdAt"], int)
    # a category for every label kg creates, a style for every relationship type it creates
    cypher = "\n".join(f.read_text() for f in KG_CYPHER.glob("*.py"))
    written = set(re.findall(r"(?:MERGE|CREATE) \(\w*:(\w+)", cypher))
    assert written == {c["name"] for c in p["categories"]}
    rel_written = set(re.findall(r"(?:MERGE|CREATE) \(\w*\)-\[\w*:(\w+)", cypher))
    assert rel_written == {r["name"] for r in p["relationshipTypes"]}
    # short captions: a claim shows its kind and confidence, its text only in the tooltip
    claim = next(c for c in p["categories"] if c["name"] == "Claim")
    assert "text" not in claim["captionKeys"]
    assert not any(x["isCaption"] and x["key"] == "text" for x in claim["captions"])
    assert any(not x["isCaption"] and x["key"] == "text" for x in claim["captions"])
    for c in p["categories"]:
        hidden = {x["name"] for x in c["properties"] if x["exclude"]}
        assert not hidden & set(c["captionKeys"]), c["name"]
    assert {x["name"] for x in claim["properties"] if x["exclude"]} == {"embedding"}


def test_every_name_exists_and_every_phrase_runs(rich_graph: Services) -> None:
    p = bloom.build_perspective()
    with rich_graph.graph().write() as s:
        labels = {r[0] for r in s.run("CALL db.labels()")}
        rels = {r[0] for r in s.run("CALL db.relationshipTypes()")}
        keys = {r[0] for r in s.run("CALL db.propertyKeys()")}
        in_use = {r[0] for r in s.run("MATCH (n) UNWIND labels(n) AS l RETURN DISTINCT l")}
        node_types = {(r["label"], r["prop"]): _bloom_type(r["types"]) for r in s.run(
            "CALL db.schema.nodeTypeProperties() YIELD nodeLabels, propertyName, propertyTypes "
            "UNWIND nodeLabels AS label WITH label, propertyName, propertyTypes "
            "WHERE propertyName IS NOT NULL "
            "RETURN label, propertyName AS prop, propertyTypes AS types")}  # fmt: skip
        rel_types = {(r["rel"], r["prop"]): _bloom_type(r["types"]) for r in s.run(
            "CALL db.schema.relTypeProperties() YIELD relType, propertyName, propertyTypes "
            "WHERE propertyName IS NOT NULL "
            "RETURN substring(relType, 2, size(relType) - 3) AS rel, propertyName AS prop, "
            "propertyTypes AS types")}  # fmt: skip
        # every label on a node of this graph has a category, and every category's label is
        # on a node of it
        categorised = {lb for c in p["categories"] for lb in c["labels"]}
        assert in_use == categorised, (in_use - categorised, categorised - in_use)
        assert in_use <= labels
        wrong: list[object] = []
        for c in p["categories"]:
            assert set(c["captionKeys"]) <= keys
            assert {r["basedOn"] for r in c["styleRules"]} <= keys
            for x in c["properties"]:  # each is stored on this label, with the declared type
                seen = node_types.get((c["name"], x["name"]))
                if seen is None and x["name"] not in NOT_IN_FIXTURE:
                    wrong.append(("no such property", c["name"], x["name"]))
                elif seen not in (None, x["dataType"]):
                    wrong.append(("stored as", c["name"], x["name"], seen))
        # and every property the graph stores on a categorised label is declared
        declared = {(c["name"], x["name"]) for c in p["categories"] for x in c["properties"]}
        wrong += [("undeclared", *k, t) for k, t in node_types.items() if k not in declared]
        declared_rel = {(r["name"], x["propertyKey"]): x["dataType"]
                        for r in p["relationshipTypes"] for x in r["properties"]}  # fmt: skip
        for k, t in rel_types.items():
            if declared_rel.get(k) != t:
                wrong.append(("relationship property", *k, t, declared_rel.get(k)))
        wrong += [("no such property", *k) for k in set(declared_rel) - set(rel_types)]
        if wrong:
            pytest.fail("\n".join(sorted(map(str, wrong))))
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
        for empty in ("", "   "):  # red-teamed: a Lucene error
            assert not list(s.run(q.CLAIMS_ABOUT_TOPIC, topic=empty))
        # each distortion once (both directions listed every path twice: red-teamed)
        distortions = [r["p"] for r in s.run(q.SUMMARY_DISTORTIONS)]
        held = s.run(
            "MATCH (f:Finding {kind: 'distorts'}) WHERE coalesce(f.status, 'open') <> 'dismissed' "
            "RETURN count(f) AS n"
        ).single(strict=True)["n"]
        assert held and len(distortions) == held
        s.run("MATCH (f:Finding {kind: 'distorts'}) SET f.status = 'dismissed'").consume()
        assert not list(s.run(q.SUMMARY_DISTORTIONS))
        s.run("MATCH (f:Finding {kind: 'distorts'}) SET f.status = 'open'").consume()
