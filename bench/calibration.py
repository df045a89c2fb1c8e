"""bench/calibration: confidence recompute, case evaluation and incremental update at scale.

A synthetic graph (default 100,000 claims in 2,000 sources and 400 lines of research, with
30,000 findings between claims of different sources, some reviewed) on its own throw-away
server. Measured in one run:
- full recompute of every confidence, first (read evidence, derive, write every claim) on
  the server just started, then again with nothing changed (read, digest, skip), then the
  first one repeated on the now warm server after removing every stored confidence property
  (a server just started spends most of its CPU compiling the queries' paths), and (last, so
  the other scenarios run without a fitted map as before) after a new calibration map;
- evaluating a 31-node safety case whose 20 leaves are claims of the graph;
- the incremental update after one new finding, as a ratio to the full recompute;
- propagation of one verdict (exactly the claims the finding is about).

Usage: python -m bench.calibration [--claims 100000] [--findings 30000]
"""

from __future__ import annotations

import argparse
import random
import time

from app.services import Services
from bench.harness import bench_services, cpu_seconds, jit_seconds, server_note
from bench.targets import check, report, unmeasured
from calibration.case.evaluate import evaluate_case
from calibration.case.model import CaseNode, SafetyCase
from calibration.fit import CalibrationMap
from calibration.models import map_key
from calibration.updater import ConfidenceUpdater
from consilience.vocabulary import FindingKind
from kg.records import FindingRecord
from kg.writers import calibration_store, investigation_store

WRITE_SOURCES = """
UNWIND $rows AS row
CREATE (s:Source {id: row.id, title: row.title, kind: row.kind, path: row.path})
MERGE (l:Line {id: row.line})
ON CREATE SET l.name = row.line, l.size = 5, l.basis = 'synthetic'
CREATE (s)-[:IN_LINE]->(l)
"""
WRITE_CLAIMS = """
UNWIND $rows AS row
MATCH (s:Source {id: row.source_id})
CREATE (c:Claim {id: row.id, source_id: row.source_id, text: row.text, kind: row.kind,
                 hedge: row.hedge, hedge_cues: [], start: row.start,
                 end: row.start + size(row.text), numbers_json: '[]'})
CREATE (s)-[:HAS_CLAIM]->(c)
"""

FORGET_CONFIDENCES = """
MATCH (c:Claim)
CALL (c) {
  REMOVE c.confidence, c.confidence_low, c.confidence_high, c.confidence_lines,
         c.confidence_oppose_lines, c.confidence_effective_lines, c.confidence_contested,
         c.confidence_derivation, c.confidence_evidence, c.safety_critical, c.confidence_sig,
         c.confidence_inputs, c.confidence_since, c.confidence_reason, c.confidence_at,
         c.confidence_stale, c.confidence_read
} IN TRANSACTIONS OF 10000 ROWS
"""

KINDS = ["finding", "finding", "prediction", "recommendation", "method", "opinion"]
HEDGES = ["none", "none", "weak", "moderate", "strong"]


def _build(svc: Services, n_claims: int, n_findings: int, rng: random.Random) -> list[str]:
    per_source = 50
    n_sources = max(2, n_claims // per_source)
    sources = [
        {
            "id": f"src_{i:05d}",
            "title": f"Synthetic paper {i}",
            "kind": rng.choice(["paper", "post", "summary"]),
            "path": f"/synthetic/{i}.txt",
            "line": f"line_{i // 5:04d}",
        }
        for i in range(n_sources)
    ]
    claims = [
        {
            "id": f"clm_{i:07d}",
            "source_id": f"src_{i // per_source:05d}",
            "text": f"Synthetic claim {i} about monitoring evaluation {rng.random():.4f}.",
            "kind": rng.choice(KINDS),
            "hedge": rng.choice(HEDGES),
            "start": (i % per_source) * 80,
        }
        for i in range(n_sources * per_source)
    ]
    with svc.graph().write() as s:
        for i in range(0, len(sources), 2000):
            s.run(WRITE_SOURCES, rows=sources[i : i + 2000]).consume()
        for i in range(0, len(claims), 5000):
            s.run(WRITE_CLAIMS, rows=claims[i : i + 5000]).consume()
    rows: list[FindingRecord] = []
    for j in range(n_findings):
        a, b = rng.randrange(len(claims)), rng.randrange(len(claims))
        if a // per_source == b // per_source:
            continue
        kind = rng.choices(
            [FindingKind.CONVERGES_WITH, FindingKind.CONTRADICTS, FindingKind.DISTORTS], [6, 3, 1]
        )[0]
        rows.append(
            FindingRecord(
                id=f"fnd_{j:07d}", a_id=claims[a]["id"], b_id=claims[b]["id"], kind=kind,
                score=round(rng.uniform(0.3, 1.0), 3), investigator="synthetic", version="1",
                rationale="synthetic", independent=True,
            )
        )  # fmt: skip
    for i in range(0, len(rows), 20_000):  # one transaction each: a 1g heap holds ~50k
        investigation_store.write_findings(svc.graph(), rows[i : i + 20_000], [], "bench", 5000)
    with svc.graph().write() as s:  # some human verdicts
        s.run(
            "MATCH (f:Finding) WHERE f.id ENDS WITH '7' SET f.status = 'confirmed', "
            "f.reviewed_at = datetime() - duration('PT1H')"
        ).consume()
    return [c["id"] for c in claims]


def _case(ids: list[str], rng: random.Random) -> SafetyCase:
    nodes: dict[str, CaseNode] = {}
    leaves = rng.sample(ids, 20)
    mids = []
    for g in range(5):
        kids = [f"E{g}_{k}" for k in range(4)]
        for k, leaf in zip(kids, leaves[g * 4 : g * 4 + 4], strict=True):
            nodes[k] = CaseNode(type="evidence", claim=leaf)
        nodes[f"G{g}"] = CaseNode(
            type="goal", text=f"Subclaim {g}", combine="any-of" if g % 2 else "all-of",
            children=kids, assumptions=["A1"],
        )  # fmt: skip
        mids.append(f"G{g}")
    nodes["A1"] = CaseNode(type="assumption", text="The model is not scheming")
    nodes["ROOT"] = CaseNode(type="goal", text="Top", combine="all-of", children=mids)
    return SafetyCase(title="Synthetic case", root="ROOT", nodes=nodes)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--findings", type=int, default=30_000)
    args = ap.parse_args()
    rng = random.Random(11)
    with bench_services("calibration") as svc:
        t = time.perf_counter()
        ids = _build(svc, args.claims, args.findings, rng)
        build_s = time.perf_counter() - t
        db = svc.graph()
        updater = ConfidenceUpdater(db)

        pid = svc.server().running_pid()  # the database's CPU counts too
        jit0 = jit_seconds(pid)  # jstat starts a JVM of its own: not inside the timing
        t, py0, db0 = time.perf_counter(), time.process_time(), cpu_seconds(pid)
        full = updater.update(everything=True)
        full_s = time.perf_counter() - t
        full_py, full_db = time.process_time() - py0, cpu_seconds(pid) - db0
        jit1 = jit_seconds(pid)
        full_jit = (
            f"; its JVM's JIT compile time (jstat): {jit1 - jit0:.1f} s"
            if jit0 is not None and jit1 is not None
            else ""
        )
        t = time.perf_counter()
        again = updater.update(everything=True)
        full2_s = time.perf_counter() - t

        # the first recompute again on the now warm server: every claim's stored numbers
        # removed, so every claim is derived and written as the first time (the server's JIT
        # compiler has already compiled these queries' paths)
        with db.write() as s:
            s.run(FORGET_CONFIDENCES).consume()
        t, py0, db0 = time.perf_counter(), time.process_time(), cpu_seconds(pid)
        warm = updater.update(everything=True)
        warm_s = time.perf_counter() - t
        warm_py, warm_db = time.process_time() - py0, cpu_seconds(pid) - db0

        case = _case(ids, rng)
        t = time.perf_counter()
        ev = evaluate_case(db, case)
        case_s = time.perf_counter() - t

        a, b = rng.sample(ids, 2)
        row = FindingRecord(
            id="fnd_new", a_id=a, b_id=b, kind=FindingKind.CONTRADICTS, score=0.9,
            investigator="synthetic", version="1", rationale="new", independent=True,
        )  # fmt: skip
        investigation_store.write_findings(db, [row], [], "bench")
        t = time.perf_counter()
        inc = updater.update()
        inc_s = time.perf_counter() - t
        c, d = rng.sample(ids, 2)  # a second one: the query plans are now cached
        investigation_store.write_findings(
            db, [row.model_copy(update={"id": "fnd_new2", "a_id": c, "b_id": d})], [], "bench"
        )
        t = time.perf_counter()
        inc2 = updater.update()
        inc2_s = time.perf_counter() - t
        t = time.perf_counter()
        investigation_store.set_verdict(db, "fnd_new", "dismissed", "bench", "")
        verdict = updater.after_verdict("fnd_new")
        verdict_s = time.perf_counter() - t

        # a new fitted map (as `consilience calibration fit` writes after verdicts, one per
        # investigator and kind): only the claims with that investigator's findings of that
        # kind can change
        calibration_store.put_maps(
            db,
            [
                CalibrationMap(
                    investigator=map_key("synthetic", FindingKind.CONTRADICTS.value),
                    method="platt", a=4.0, b=-2.0, n=100, positives=40,
                ).model_dump()
            ],
        )  # fmt: skip
        t = time.perf_counter()
        remap = updater.update(everything=True)
        remap_s = time.perf_counter() - t

    print(f"bench/calibration: {len(ids):,} claims, {args.findings:,} findings requested")
    print(f"  {server_note()}")
    print(f"  graph build (not timed against anything): {build_s:.1f} s")
    print(f"  full recompute, first (every claim derived and written): {full_s:.2f} s "
          f"({full.computed:,} claims, {full.derived:,} derived, "
          f"{full.computed / full_s:,.0f} claims/s; CPU: this process {full_py:.1f} s, "
          f"database server {full_db:.1f} s{full_jit})")  # fmt: skip
    print(f"  full recompute, first, repeated on the warm server (stored numbers removed): "
          f"{warm_s:.2f} s ({warm.derived:,} derived; CPU: this process {warm_py:.1f} s, "
          f"database server {warm_db:.1f} s)")  # fmt: skip
    print(f"  full recompute, second (nothing changes): {full2_s:.2f} s "
          f"({again.derived} derived, {again.changed} changed)")  # fmt: skip
    print(f"  full recompute after a new calibration map: {remap_s:.2f} s "
          f"({remap.derived:,} derived: the claims with that investigator's findings; "
          f"{remap.changed:,} changed)")  # fmt: skip
    size = (
        ""
        if args.claims == 100_000
        else f"this run has {args.claims:,} claims: run with the default --claims 100000"
    )
    checks = [
        unmeasured(f"full recompute at 100k claims, {label}", "< 10 s", size)
        if size
        else check(f"full recompute at 100k claims, {label}", secs, "<", 10.0, unit=" s",
                   why=why)
        for label, secs, why in (
            ("first recompute, server just started (JIT compiling)", full_s,
             f"the database server's CPU {full_db:.1f} s, this process {full_py:.1f} s"),
            ("first recompute, warm server", warm_s,
             f"the database server's CPU {warm_db:.1f} s, this process {warm_py:.1f} s"),
            ("recompute with nothing changed", full2_s, ""),
        )
    ]  # fmt: skip
    print(f"  evaluate a {len(case.nodes)}-node safety case (20 leaves): {case_s * 1000:.0f} ms "
          f"(top goal p={ev.p:.3f})")  # fmt: skip
    print(f"  incremental update after one new finding: {inc_s * 1000:.0f} ms, "
          f"{inc.computed} claims recomputed")  # fmt: skip
    print(f"  again after a second new finding (plans cached): {inc2_s * 1000:.0f} ms, "
          f"{inc2.computed} claims recomputed")  # fmt: skip
    print(f"  ratio incremental / full recompute: {inc_s / full2_s:.4f} first, "
          f"{inc2_s / full2_s:.4f} cached ({full2_s / inc2_s:,.0f}x faster)")  # fmt: skip
    print(f"  one verdict propagated: {verdict_s * 1000:.0f} ms, {verdict.computed} claims")
    # "the incremental update stays proportional to what changed": one new finding, its 2 claims
    checks.append(check("claims the incremental update recomputes after one new finding",
                         inc.computed, "<=", 2, digits=0))  # fmt: skip
    print(report("issue #13, item 16", checks))


if __name__ == "__main__":
    main()
