"""A throw-away graph for benchmarks: own data folder and server, shared jars."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.services import Services, build_services
from consilience.settings import Settings, load_settings
from kg.driver import managed_server

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


@contextmanager
def bench_services(name: str) -> Iterator[Services]:
    base = load_settings()
    data = ROOT / "bench" / ".data" / name
    # a new store every run: one reused after deletes made the 100k-claim build of
    # bench/calibration take 110-128 s instead of 18 s, and every figure after it moved
    # (a server a crashed run left there is stopped first: its state file goes with the folder)
    managed_server(Settings(data_dir=data)).stop()
    shutil.rmtree(data, ignore_errors=True)
    s = Settings(data_dir=data)
    s.neo4j.lib_dir = base.neo4j.lib_dir or base.neo4j_dir / "lib"
    s.neo4j.heap = "1g"
    server = managed_server(s)
    server.start()
    svc = build_services(s)
    try:
        wipe(svc)
        yield svc
    finally:
        svc.close()
        server.stop()


def wipe(svc: Services) -> None:
    """Delete everything but the schema's migration markers (the schema stays)."""
    with svc.graph().write() as sess:
        sess.run(
            "MATCH (n) WHERE NOT n:Migration CALL (n) { DETACH DELETE n } IN TRANSACTIONS"
        ).consume()


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 where there is none)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int | None) -> float:
    """CPU time of a process and of every process under it (a server's worker processes)."""
    if pid is None:
        return 0.0
    parent: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(stat.parent.name)] = int(fields[1])
    tree, grew = {pid}, True
    while grew:
        more = {p for p, pp in parent.items() if pp in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(cpu_seconds(p) for p in tree)


def jit_seconds(pid: int | None) -> float | None:
    """The database server's JIT compile time so far: the summed elapsed time of its compile
    tasks (the JDK's `jstat -compiler`; close to CPU time on an idle machine, not a share of
    it under contention; None where jstat or the process is missing). A server just started
    spends seconds compiling the paths of each new kind of query."""
    jstat = shutil.which("jstat")
    if pid is None or jstat is None:
        return None
    try:
        out = subprocess.run(
            [jstat, "-compiler", str(pid)], capture_output=True, text=True, timeout=30
        ).stdout.splitlines()
        return float(out[1].split()[3])  # Compiled Failed Invalid Time ...
    except (OSError, subprocess.SubprocessError, IndexError, ValueError):
        return None


def server_note() -> str:
    """The managed server's JVM settings the benchmarks run with (they change its CPU)."""
    n = load_settings().neo4j
    return f"managed Neo4j server: collector {n.gc}, JIT {n.jit} (CONSILIENCE_NEO4J__GC / __JIT)"
