"""How many cores this process may use, and work spread over them (the ONNX models read one
item per call on one thread each)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def cores(cpu_max: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """The cores this process may use: the CPUs it may run on (affinity, cpusets), capped by
    a cgroup v2 CPU quota (`docker --cpus`) where one is set."""
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n = n or 1
    try:
        quota, period = cpu_max.read_text().split()[:2]
        if quota != "max":
            n = min(n, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass  # no cgroup v2 file (another OS, cgroup v1) or an unreadable one: no quota known
    return max(1, n)


def in_spans(n: int, read: Callable[[range], None], workers: int, span: int = 16) -> None:
    """Call `read` on consecutive spans of range(n), on `workers` threads (inline for one
    worker or one span). Small spans, so the workers finish together; a worker's exception
    is raised here, and the spans not yet started are cancelled (as on Ctrl-C)."""
    spans = [range(s, min(s + span, n)) for s in range(0, n, span)]
    if workers <= 1 or len(spans) <= 1:
        for rows in spans:
            read(rows)
        return
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(read, spans))
