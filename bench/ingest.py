"""Ingestion throughput on the corpus and on a 10x synthetic corpus.

Prints claims/s, MB/s, the share of time spent parsing, embedding and writing, and the
ratio of total time to embedding-only time (embedding is the floor), in wall time and in CPU
time (this process and the database server together): on a shared 2-core machine the wall
ratio of the same code moved between 1.49x and 1.70x in one session. The corpus is ingested
twice: on a server just started, then, after the store is wiped, on the same server warm (most
of the first run's extra server CPU is the JVM compiling the write paths).
Run: .venv/bin/python -m bench.ingest
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path

from app.services import Services
from bench.harness import CORPUS, bench_services, cpu_seconds, jit_seconds, wipe
from ingest.pipeline import Ingestor, IngestOutcome


def synthetic_corpus(dest: Path, copies: int) -> list[Path]:
    """`copies` variants of each corpus file, every document in them distinct: a short
    sentence is added after each line that ends a sentence, which leaves the documents'
    boundaries, headings and claims as they are. (Marking only the first paragraphs of a file,
    as before, left most of a file's documents identical across copies: sources are
    content-addressed, so the graph held a fraction of the claims the pipeline embedded, and
    the embedding-only baseline, which embeds the graph's claims, was too small.)"""
    out = []
    for i in range(copies):
        for f in sorted(CORPUS.glob("*.txt")):
            text = f.read_text(encoding="utf-8")
            variant = re.sub(r"\.\n", f". Variant {i}.\n", text)
            p = dest / f"{f.stem}_copy{i}.txt"
            p.write_text(variant, encoding="utf-8")
            out.append(p)
    return out


def run(label: str, files: list[Path], *, warm_repeat: bool = False) -> None:
    """Ingest `files` on a server just started; with `warm_repeat`, wipe the store and ingest
    them again on the same, now warm, server (a server just started spends seconds of CPU
    compiling the paths of each new kind of query: the second figure is what ingesting into a
    server that has been running costs)."""
    with bench_services(f"ingest-{label}") as svc:
        ing = svc.ingestor()
        svc.embedder.embed(["warm-up"])  # model load is not ingestion
        pid = svc.server().running_pid()  # the database's CPU counts too
        for warm in (False, True) if warm_repeat else (False,):
            if warm:
                wipe(svc)
            _measure(svc, ing, pid, f"{label}, warm server" if warm else label, files)


def _measure(svc: Services, ing: Ingestor, pid: int | None, label: str, files: list[Path]) -> None:
    def cpu() -> float:
        return time.process_time() + cpu_seconds(pid)

    jit0 = jit_seconds(pid)  # jstat starts a JVM of its own: not inside the timing
    t0, c0 = time.perf_counter(), cpu()
    outcomes: list[IngestOutcome] = ing.ingest_paths([str(f) for f in files])
    total, total_cpu = time.perf_counter() - t0, cpu() - c0
    jit1 = jit_seconds(pid)
    assert all(o.status == "ingested" for o in outcomes), [o.error for o in outcomes]
    with svc.graph().write() as s:
        texts = [r["t"] for r in s.run("MATCH (c:Claim) RETURN c.normalized AS t")]
    t1, c1 = time.perf_counter(), cpu()
    svc.embedder.embed(texts)
    embed_only, embed_cpu = time.perf_counter() - t1, cpu() - c1
    claims = sum(o.claims for o in outcomes)
    mb = sum(o.bytes for o in outcomes) / 1e6
    parse = sum(o.parse_s for o in outcomes)
    embed = sum(o.embed_s for o in outcomes)
    write = sum(o.write_s for o in outcomes)
    other = max(0.0, total - parse - embed - write)
    print(
        f"{label:>20} | files {len(files):>3} | {mb:7.2f} MB | claims {claims:>6} | "
        f"{claims / total:7.1f} claims/s | {mb / total:5.2f} MB/s | "
        f"parse {parse / total:5.1%} embed {embed / total:5.1%} write {write / total:5.1%} "
        f"other {other / total:5.1%} | total/embed-only {total / embed_only:4.2f}x "
        f"| CPU {total_cpu / embed_cpu:4.2f}x"
        + (
            f" | server JIT compile time {jit1 - jit0:4.1f} s"
            if jit0 is not None and jit1 is not None
            else ""
        )
    )


def main() -> None:
    print("bench/ingest: ours (full pipeline) vs baseline (embedding the same claims only)")
    corpus = sorted(CORPUS.glob("*.txt"))
    run("corpus", corpus, warm_repeat=True)
    tmp = Path(tempfile.mkdtemp(prefix="consilience-bench-"))
    try:
        run("10x", synthetic_corpus(tmp, 10))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
