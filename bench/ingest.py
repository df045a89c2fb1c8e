"""Ingestion throughput on the corpus and on a 10x synthetic corpus.

Prints claims/s, MB/s, the share of time spent parsing, embedding and writing, and the
ratio of total time to embedding-only time (embedding each distinct claim text once is the
floor), in wall time and in CPU time (this process and the database server together): on a
shared 2-core machine the wall ratio of the same code moved between 1.49x and 1.70x in one
session. The corpus is ingested
twice: on a server just started, then, after the store is wiped, on the same server warm (most
of the first run's extra server CPU is the JVM compiling the write paths); then read again
(`--force`), where each claim keeps the vector the graph holds for its text, so the ratio
shows what a re-read costs against embedding everything.
Run: .venv/bin/python -m bench.ingest
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from app.services import Services
from bench.harness import CORPUS, bench_services, cpu_seconds, jit_seconds, server_note, wipe
from bench.targets import Check, check, report
from ingest.pipeline import Ingestor, IngestOutcome

# the end of a sentence (its mark, before whitespace) and the end of a line with no mark
_END = re.compile(r"(?<=[\w)\]\"'”’%])([.!?])(?=\s)")
_BARE_LINE_END = re.compile(r"(?m)(?<=[\w)\]\"'”’%])[ \t]*$")


def synthetic_corpus(dest: Path, copies: int) -> list[Path]:
    """`copies` variants of each corpus file in which most claims differ: " (copy i)" is
    written before the mark that ends each sentence and at the end of each line without one,
    which leaves the documents' boundaries, headings and claims as they are. Some claims still
    repeat across copies (about 6% of them: a sentence before a closing quote, a list item the
    cleaning trims); the baseline embeds each distinct text once, the least the pipeline must
    do (it embeds each new text once per file and takes a repeat from an earlier file from the
    graph), so repeats cannot count for it."""
    out = []
    for i in range(copies):
        for f in sorted(CORPUS.glob("*.txt")):
            text = f.read_text(encoding="utf-8")
            variant = _END.sub(f" (copy {i})\\1", text)
            variant = _BARE_LINE_END.sub(f" (copy {i})", variant)
            p = dest / f"{f.stem}_copy{i}.txt"
            p.write_text(variant, encoding="utf-8")
            out.append(p)
    return out


@dataclass(frozen=True)
class Measured:
    """One ingest of the files against embedding their distinct texts only."""

    label: str
    wall_ratio: float
    cpu_ratio: float
    parse_share: float  # of the ingest's wall time
    write_share: float


def run(label: str, files: list[Path], *, warm_repeat: bool = False) -> list[Measured]:
    """Ingest `files` on a server just started; with `warm_repeat`, wipe the store and ingest
    them again on the same, now warm, server (a server just started spends seconds of CPU
    compiling the paths of each new kind of query: the second figure is what ingesting into a
    server that has been running costs)."""
    got: list[Measured] = []
    with bench_services(f"ingest-{label}") as svc:
        ing = svc.ingestor()
        svc.embedder.embed(["warm-up"])  # model load is not ingestion
        pid = svc.server().running_pid()  # the database's CPU counts too
        for warm in (False, True) if warm_repeat else (False,):
            if warm:
                wipe(svc)
            got.append(_measure(svc, ing, pid, f"{label}, warm server" if warm else label, files))
        if warm_repeat:  # every file read again: each claim keeps the vector the graph holds
            got.append(_measure(svc, ing, pid, f"{label}, read again", files, force=True))
    return got


def _measure(
    svc: Services,
    ing: Ingestor,
    pid: int | None,
    label: str,
    files: list[Path],
    *,
    force: bool = False,
) -> Measured:
    def cpu() -> float:
        return time.process_time() + cpu_seconds(pid)

    jit0 = jit_seconds(pid)  # jstat starts a JVM of its own: not inside the timing
    t0, c0 = time.perf_counter(), cpu()
    outcomes: list[IngestOutcome] = ing.ingest_paths([str(f) for f in files], force=force)
    total, total_cpu = time.perf_counter() - t0, cpu() - c0
    jit1 = jit_seconds(pid)
    assert all(o.status == "ingested" for o in outcomes), [o.error for o in outcomes]
    with svc.graph().write() as s:
        # each distinct text once: the least any pipeline must embed (a claim whose text the
        # graph already holds keeps that vector, kg.ids.embed_key)
        texts = sorted({r["t"] for r in s.run("MATCH (c:Claim) RETURN c.normalized AS t")})
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
    return Measured(label, total / embed_only, total_cpu / embed_cpu, parse / total, write / total)


def main() -> None:
    print("bench/ingest: ours (full pipeline) vs baseline (embedding the same claims only)")
    print(f"  {server_note()}")
    corpus = sorted(CORPUS.glob("*.txt"))
    got = run("corpus", corpus, warm_repeat=True)
    tmp = Path(tempfile.mkdtemp(prefix="consilience-bench-"))
    try:
        got += run("10x", synthetic_corpus(tmp, 10))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(report("issue #13, item 15", checks(got)))


def checks(got: list[Measured]) -> list[Check]:
    """Ingest within 1.3x the embedding-only time (wall, as the issue measured it), for every
    run that embeds (a read again keeps the graph's vectors: it is not a target's case)."""
    return [
        check(
            f"ingest time / embedding-only time, "
            f"{m.label if ',' in m.label else m.label + ', server just started'}",
            m.wall_ratio,
            "<=",
            1.3,
            unit="x",
            why=f"CPU {m.cpu_ratio:.2f}x; parsing {m.parse_share:.0%} and writing "
            f"{m.write_share:.0%} of the time, one after the other with the embedding (run "
            "side by side they were slower on 2 cores: `Ingestor._sequential`)",
        )
        for m in got
        if not m.label.endswith("read again")
    ]


if __name__ == "__main__":
    main()
