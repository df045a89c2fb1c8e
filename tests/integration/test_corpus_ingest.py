"""Every corpus file into the real graph; idempotent; exact quotes; FAISS consistent."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest

from app.services import Services
from queries.search import search_claims
from queries.stats import graph_stats


def _counts(svc: Services) -> dict[str, int]:
    return {row.label: row.count for row in graph_stats(svc.graph()).nodes}


def test_corpus_ingests_idempotently_with_exact_quotes(
    clean_services: Services, corpus_files: list[Path]
) -> None:
    svc = clean_services
    ing = svc.ingestor()
    outcomes = ing.ingest_paths([str(f) for f in corpus_files])
    assert [o.status for o in outcomes] == ["ingested"] * len(corpus_files), outcomes
    by_name = {Path(o.path).name: o for o in outcomes}
    assert by_name["002_3313d4898cde18c9.txt"].sources == 19
    assert by_name["000_66e86404b9d5ec84.txt"].sources == 2
    first = _counts(svc)
    assert first["Source"] == 23 and first["Claim"] > 1000

    again = ing.ingest_paths([str(f) for f in corpus_files])
    assert {o.status for o in again} == {"unchanged"}
    forced = ing.ingest_paths([str(corpus_files[0])], force=True)
    assert forced[0].status == "ingested" and forced[0].superseded == 0
    assert _counts(svc) == first

    with svc.graph().write() as s:
        bad = s.run(
            "MATCH (src:Source)-[:HAS_CLAIM]->(c:Claim) "
            "WHERE substring(src.text, c.start, c.end - c.start) <> c.text "
            "RETURN count(c) AS n"
        ).single()
        assert bad is not None and bad["n"] == 0
        titles = [
            r["t"]
            for r in s.run(
                "MATCH (f:File)-[y:YIELDED]->(s:Source) "
                "WHERE f.path ENDS WITH '002_3313d4898cde18c9.txt'"
                " RETURN s.title AS t ORDER BY y.index"
            )
        ]
        assert len(titles) == 19 and titles[-1] == "Don’t Edit Your Ideas Before Having Them"
        linked = s.run(
            "MATCH (a:Source)-[:SUMMARISES]->(b:Source) RETURN a.kind AS k, b.title AS t"
        ).data()
        assert {"k": "summary", "t": "How do we (more) safely defer to AIs?"} in linked
        no_vec = s.run("MATCH (c:Claim) WHERE c.embedding IS NULL RETURN count(c) AS n").single()
        assert no_vec is not None and no_vec["n"] == 0

    index = svc.claim_index()
    report = index.sync(svc.graph())
    assert report.total == first["Claim"]
    missing, extra = index.check(svc.graph())
    assert not missing and not extra

    hits = search_claims(
        svc.graph(), "control becomes infeasible once AIs are capable", svc.embedder.embed, limit=5
    )
    assert hits and "control becomes infeasible" in hits[0].quote.lower()
    assert hits[0].source_path and hits[0].source_path.endswith(".txt")


def test_faiss_index_rebuilds_when_it_disagrees_with_graph(
    clean_services: Services, tmp_path: Path
) -> None:
    svc = clean_services
    doc = tmp_path / "note.md"
    doc.write_text(
        "# Note\n\nMonitors detect most scheming attempts in our tests.\n\n"
        "Probes will fail on future models.\n"
    )
    svc.ingestor().ingest_paths([str(doc)])
    index = svc.claim_index()
    assert index.sync(svc.graph()).total == 2
    index.ids.append("clm_not_in_graph")
    index.index.add(index.index.reconstruct_n(0, 1))
    report = index.sync(svc.graph())
    assert report.rebuilt and report.total == 2


def test_search_survives_huge_queries_and_a_topic_far_from_every_claim(
    clean_services: Services, tmp_path: Path
) -> None:
    """Red-teamed: 1,100 words, or 900 kanji, ended in Lucene's TooManyClauses (a traceback in
    the CLI, a 500 in the API); a topic about nothing in the graph still filtered findings to
    the 50 nearest claims, however far."""
    from queries.search import topic_claim_ids

    (tmp_path / "mia.md").write_text(
        "# MIA\n\nMembership inference attacks against large language models barely beat "
        "random guessing on most benchmarks.\n"
    )
    clean_services.ingestor().ingest_paths([str(tmp_path)])
    graph, embed = clean_services.graph(), clean_services.embedder.embed
    for text in (" ".join(f"w{i}" for i in range(1100)), "日本" * 900, "membership " * 3000):
        search_claims(graph, text, embed, mode="fulltext")  # no ClientError
    assert search_claims(graph, "membership " * 3000, embed, mode="fulltext")
    assert topic_claim_ids(graph, "zebra cooking recipes", embed) == []
    assert topic_claim_ids(graph, "recipes for the kitchen on most days", embed) == []  # stop words
    search_claims(graph, "-".join(["ab"] * 1500), embed, mode="fulltext")  # one word, 1,500 terms
    assert len(topic_claim_ids(graph, "membership inference attacks", embed)) == 1


def test_a_search_page_is_the_top_of_one_ordering_whatever_its_size(
    clean_services: Services, tmp_path: Path
) -> None:
    """Red-teamed: hits were ordered by how they were found (both, then meaning, then words)
    from pools the size of the page, so `--limit 3` gave another top three than `--limit 10`,
    and a claim sharing only "a" or "the" with the query came first; an empty query returned
    arbitrary claims; 1,100 emoji failed the search."""
    from consilience.errors import InvalidInputError

    (tmp_path / "a.md").write_text(
        "# RLHF\n\nRLHF does not remove scheming behaviour in the models we tested.\n\n"
        "Models trained with RLHF lie less often in deception evaluations.\n\n"
        "The weather was a mild one in the spring of that year.\n\n"
        "Honesty benchmarks measure whether a model states what it believes.\n"
    )
    clean_services.ingestor().ingest_paths([str(tmp_path)])
    graph, embed = clean_services.graph(), clean_services.embedder.embed
    # words only: the index's own top k, no pool (ties, here "models" in two claims of one
    # length, keep the index's order at every page size)
    modes: tuple[Literal["both", "fulltext"], ...] = ("both", "fulltext")
    queries = ("RLHF deception", "is a honesty benchmark", "models")
    cases: list[tuple[str, Literal["both", "fulltext"]]] = [(q, m) for q in queries for m in modes]
    for query, mode in cases:
        ten = search_claims(graph, query, embed, limit=10, mode=mode)
        assert [h.score for h in ten] == sorted((h.score for h in ten), reverse=True)
        for k in (1, 2, 3):
            assert [h.claim_id for h in search_claims(graph, query, embed, limit=k, mode=mode)] == [
                h.claim_id for h in ten[:k]
            ]
        assert all(0.0 <= h.score <= 1.0 for h in ten)
        if ten:  # filtered: the page is cut after the filter, from the same pool (review)
            kind = ten[-1].kind
            got = search_claims(graph, query, embed, limit=1, mode=mode, kind=kind)
            assert [h.claim_id for h in got] == [h.claim_id for h in ten if h.kind == kind][:1]
    weather = search_claims(graph, "is a honesty benchmark", embed, limit=10)
    assert "Honesty benchmarks" in weather[0].quote  # not the claim that shares "a"
    for empty in ("", "   "):
        with pytest.raises(InvalidInputError, match="no words"):
            search_claims(graph, empty, embed)
    search_claims(graph, "😀" * 1100, embed, mode="fulltext")  # no TooManyClauses
    search_claims(graph, " ".join(["😀😀"] * 600), embed)
