"""bench/candidates, part 3 (`scale`): the candidate stage for one new paper against a large
graph, as the runner does it (#10's target: ~300 claims against 100k, under 15 s on 2 cores).

A throw-away graph is built with the project's own writers: `--claims` claims (100,000 by
default) in sources of 50, each claim a real sentence's first half joined to another's second
half (sentences from the corpus and the demo abstracts, so full-text and key-phrase statistics
look like real text), its aspects from `kg.aspects`, a synthetic 384-d embedding from a mixture
of topic clusters (`clusters`, also part 2's vectors) and one topic per cluster. Every claim
is marked investigated. Then one new paper of `--new` real sentences with their real MiniLM
embeddings is written and the runner investigates it with the production retriever (every
offline channel, the learned ranker, the default budget) and no investigator: what is timed
is the whole run without the judge, stage by stage from the run's own clock, plus the FAISS
sync before it. Run: .venv/bin/python -m bench.candidates_scale [--claims N] [--new M]
"""

from __future__ import annotations

import argparse
import random
import re
import time

import numpy as np

from app.investigate import build_runner
from app.services import Services
from bench.harness import CORPUS, ROOT, bench_services
from bench.targets import Check, check, off_cores, report, unmeasured
from kg.aspects import aspects
from kg.ids import sha256_text
from kg.models import ClaimKind, ClaimRecord, DocumentRecord, PassageRecord, SourceRecord
from kg.writers import store, topic_store

DIM = 384
PER_SOURCE = 50
TARGET_S = 15.0
SCALE_WHAT = "candidate stage + index sync for one new paper of 300 claims, 100k-claim graph"
MARK_INVESTIGATED = "MATCH (c:Claim) CALL (c) { SET c.investigated_version = $v } IN TRANSACTIONS"


def sentences() -> list[str]:
    """Real sentences (8-60 words) from the corpus and the demo abstracts, in file order."""
    files = sorted(CORPUS.glob("*.txt")) + sorted((ROOT / "demo" / "abstracts").glob("*/*.md"))
    out: list[str] = []
    for f in files:
        for s in re.split(r"(?<=[.!?])\s+", f.read_text(errors="replace")):
            s = " ".join(s.split())
            if 8 <= len(s.split()) <= 60 and not s.startswith(("#", "|")):
                out.append(s)
    return out


def clusters(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors around max(10, n/200) random centres, and each vector's centre."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(10, n // 200), DIM)).astype(np.float32)
    labels = rng.integers(0, len(centres), size=n)
    x = centres[labels] + 0.9 * rng.normal(size=(n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True), labels


def document(sid: str, title: str, texts: list[str], vecs: np.ndarray) -> DocumentRecord:
    """One source of `texts`, one passage per claim, claims in order."""
    body, spans = "", []
    for t in texts:
        spans.append((len(body), len(body) + len(t)))
        body += t + "\n\n"
    passages = [
        PassageRecord(id=f"{sid}_p{i}", source_id=sid, index=i, start=a, end=b)
        for i, (a, b) in enumerate(spans)
    ]
    claims = [
        ClaimRecord(
            id=f"{sid}_c{i}", source_id=sid, passage_id=f"{sid}_p{i}", text=t, normalized=t,
            start=a, end=b, kind=ClaimKind.FINDING, extractor="bench-scale",
            aspects=aspects(t), embedding=[float(x) for x in v],
        )
        for i, (t, (a, b), v) in enumerate(zip(texts, spans, vecs, strict=True))
    ]  # fmt: skip
    digest = sha256_text(body)
    source = SourceRecord(
        id=sid, title=title, path=f"/bench/{sid}.txt", content_hash=digest,
        file_sha256=digest, text=body,
    )  # fmt: skip
    return DocumentRecord(source=source, passages=passages, claims=claims)


def build(svc: Services, n: int, pool: list[str], rng: random.Random) -> None:
    """`n` claims in sources of PER_SOURCE, one topic per cluster, all marked investigated."""
    vecs, labels = clusters(n, seed=n)
    graph = svc.graph()
    for s in range(0, n, PER_SOURCE):
        texts = []
        for _ in range(s, min(n, s + PER_SOURCE)):
            a, b = rng.choice(pool).split(), rng.choice(pool).split()
            texts.append(" ".join(a[: len(a) // 2] + b[len(b) // 2 :]))
        sid = f"src_{s // PER_SOURCE:05d}"
        store.write_document(
            graph, document(sid, f"Synthetic paper {sid}", texts, vecs[s : s + len(texts)])
        )
    topics, members = [], []
    for label in np.unique(labels):
        mine = np.flatnonzero(labels == label)
        centroid = vecs[mine].mean(axis=0)
        centroid /= np.linalg.norm(centroid)
        tid = f"topic_{int(label):05d}"
        topics.append({"id": tid, "centroid": [float(x) for x in centroid], "size": len(mine)})
        members += [
            {"claim_id": f"src_{i // PER_SOURCE:05d}_c{i % PER_SOURCE}", "topic_id": tid}
            for i in mine
        ]
    for i in range(0, len(topics), 100):  # one transaction per 100 topics (heap)
        chunk = topics[i : i + 100]
        ids = {t["id"] for t in chunk}
        topic_store.write_topics(graph, chunk, [m for m in members if m["topic_id"] in ids])


def scale(n_claims: int = 100_000, n_new: int = 300) -> dict[str, float]:
    pool = sentences()
    rng = random.Random(3)
    new_texts = pool[:n_new] if len(pool) >= n_new else (pool * (n_new // len(pool) + 1))[:n_new]
    with bench_services("candidates-scale") as svc:
        t0 = time.perf_counter()
        build(svc, n_claims, pool[n_new:], rng)
        runner = build_runner(svc)
        runner.investigators = []  # the candidate stage alone: no judge
        with svc.graph().write() as s:
            s.run(MARK_INVESTIGATED, v=runner.preset_version).consume()
        index = svc.claim_index()
        index.sync(svc.graph())
        built = time.perf_counter() - t0
        vecs = svc.embedder.embed(new_texts)
        store.write_document(svc.graph(), document("src_new", "One new paper", new_texts, vecs))
        t1 = time.perf_counter()
        index.sync(svc.graph())
        sync = time.perf_counter() - t1
        t2 = time.perf_counter()
        report = runner.run()
        run = time.perf_counter() - t2
    stages = dict(report.seconds)
    candidate = sum(v for k, v in stages.items() if k in ("retrieval", "pairing"))
    print(
        f"\nbench/candidates (scale): one new paper of {n_new} real claims against {n_claims:,} "
        f"claims ({n_claims // PER_SOURCE:,} sources; graph built in {built:.0f} s)"
    )
    print(f"  claims checked {report.claims_checked}, candidate pairs {report.candidate_pairs}")
    print(f"  FAISS sync of the new claims: {sync:.2f} s")
    print("  the run's own clock (s): " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()))
    print(
        "  retrieval by part (s): "
        + ", ".join(f"{k} {v:.2f}" for k, v in report.retrieval_seconds.items())
    )
    print(f"  candidate stage (retrieval + pairing): {candidate:.2f} s")
    print(f"  whole run without the judge, with the sync: {run + sync:.2f} s")
    return {"sync": sync, "run": run, "candidate": candidate, **stages}


def scale_check(got: dict[str, float], n_claims: int, n_new: int) -> Check:
    """Issue #10: the candidate stage for one new paper (~300 claims) against a 100k-claim
    graph, under 15 s on 2 cores. The stage is retrieval and pairing, with the sync of the new
    claims into the search index that it needs."""
    if (n_claims, n_new) != (100_000, 300):
        return unmeasured(SCALE_WHAT, f"< {TARGET_S:.0f} s", f"this run has {n_claims:,} claims "
                          f"and {n_new} new: run with the defaults")  # fmt: skip
    if why := off_cores():
        return unmeasured(SCALE_WHAT, f"< {TARGET_S:.0f} s", why)
    return check(
        SCALE_WHAT,
        got["candidate"] + got["sync"],
        "<",
        TARGET_S,
        unit=" s",
        why=f"retrieval and pairing {got['candidate']:.2f} s, index sync {got['sync']:.2f} s",
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--new", type=int, default=300)
    args = ap.parse_args(argv)
    print(report("issue #10", [scale_check(scale(args.claims, args.new), args.claims, args.new)]))


if __name__ == "__main__":
    main()
