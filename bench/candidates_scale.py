"""bench/candidates part 3: the candidate stage for one new paper against a large graph.

A synthetic graph (default 100,000 claims in 2,000 sources) with sentence-like texts drawn
from a vocabulary (so BM25 and rare aspects have something to match), aspects written as
(:Aspect) nodes, clustered unit vectors in the FAISS copy, and 2,000 topics. One new paper of
300 claims is added; the retriever's rankings over all offline channels plus fusion are
timed (the embeddings of the counter-queries included), against the same paper's dense
channel alone (the old candidate stage) as the baseline.
Usage: python -m bench.candidates_scale [--claims 100000]
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np

from bench.harness import bench_services
from investigators.retrieval.fusion import fuse
from investigators.retrieval.retriever import RetrievalConfig, Retriever
from kg.aspects import aspects

WRITE_SOURCES = """
UNWIND $rows AS row
CREATE (:Source {id: row.id, title: row.title, kind: 'paper', path: row.path})
"""
WRITE_CLAIMS = """
UNWIND $rows AS row
MATCH (s:Source {id: row.source_id})
CREATE (c:Claim {id: row.id, source_id: row.source_id, text: row.text, start: row.start,
                 aspects: row.aspects})
CREATE (s)-[:HAS_CLAIM]->(c)
FOREACH (k IN row.aspects | MERGE (a:Aspect {key: k}) MERGE (c)-[:HAS_ASPECT]->(a))
WITH c, row
MATCH (t:Topic {id: row.topic})
CREATE (c)-[:ABOUT_TOPIC]->(t)
"""
WRITE_TOPICS = "UNWIND $rows AS row CREATE (:Topic {id: row.id, size: 50, centroid: row.c})"


def _sentence(rng: random.Random, vocab: list[str]) -> str:
    words = [rng.choice(vocab) for _ in range(rng.randint(8, 20))]
    return " ".join(words).capitalize() + "."


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--new", type=int, default=300)
    args = ap.parse_args(argv)
    rng = random.Random(5)
    nrng = np.random.default_rng(5)
    vocab = [f"term{i}" for i in range(4000)] + ["the", "of", "and", "model", "data"] * 200
    per_source = 50
    n_sources = args.claims // per_source
    centres = nrng.normal(size=(2000, 384)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    with bench_services("candidates_scale") as svc:
        t0 = time.perf_counter()
        with svc.driver().session() as s:
            s.run(
                WRITE_TOPICS,
                rows=[{"id": f"topic_{i}", "c": centres[i].tolist()} for i in range(2000)],
            ).consume()
            s.run(
                WRITE_SOURCES,
                rows=[
                    {"id": f"src_{i}", "title": f"Paper {i}", "path": f"/syn/{i}.txt"}
                    for i in range(n_sources + 1)
                ],
            ).consume()
        ids, vecs, labels = [], [], []

        def claims_of(src: int, n: int) -> list[dict[str, object]]:
            rows = []
            for j in range(n):
                text = _sentence(rng, vocab)
                t = rng.randrange(2000)
                cid = f"clm_{src}_{j}"
                rows.append(
                    {
                        "id": cid,
                        "source_id": f"src_{src}",
                        "text": text,
                        "start": j * 100,
                        "aspects": aspects(text),
                        "topic": f"topic_{t}",
                    }
                )
                v = centres[t] + 0.8 * nrng.normal(size=384).astype(np.float32)
                ids.append(cid)
                vecs.append(v / np.linalg.norm(v))
                labels.append(t)
            return rows

        batch: list[dict[str, object]] = []
        for src in range(n_sources):
            batch += claims_of(src, per_source)
            if len(batch) >= 5000:
                with svc.driver().session() as s:
                    s.run(WRITE_CLAIMS, rows=batch).consume()
                batch = []
        if batch:
            with svc.driver().session() as s:
                s.run(WRITE_CLAIMS, rows=batch).consume()
        index = svc.claim_index()
        index.index = index._new_index(len(ids))
        index.add(list(ids), np.vstack(vecs))
        new = claims_of(n_sources, args.new)
        with svc.driver().session() as s:
            s.run(WRITE_CLAIMS, rows=new).consume()
            s.run("CALL db.awaitIndexes(600)").consume()
        index.add(ids[-args.new :], np.vstack(vecs[-args.new :]))
        print(
            f"bench/candidates_scale: built {len(ids):,} claims in {time.perf_counter() - t0:.0f} s"
        )
        new_ids = [r["id"] for r in new]
        offline = tuple(c for c in RetrievalConfig().channels if c != "llm")
        r = Retriever(svc.driver(), index, svc.embedder, RetrievalConfig(channels=offline))
        r.source_of()  # the claim -> source map is loaded once per run, not per paper
        svc.embedder.embed(["warm up"])
        t1 = time.perf_counter()
        per, _ = r.rankings(new_ids)
        fused = fuse(per, r.source_of(), 30)
        ours = time.perf_counter() - t1
        base = Retriever(svc.driver(), index, svc.embedder, RetrievalConfig(channels=("dense",)))
        base._sources = r._sources
        t2 = time.perf_counter()
        fuse(base.rankings(new_ids)[0], base.source_of(), 30)
        dense = time.perf_counter() - t2
    print(
        f"one new paper of {args.new} claims against {len(ids):,}: all offline channels "
        f"{ours:.1f} s ({len(fused)} pairs) vs dense only {dense:.2f} s; ratio "
        f"{ours / dense:.1f}x; target < 15 s"
    )


if __name__ == "__main__":
    main()
