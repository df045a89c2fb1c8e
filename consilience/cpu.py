"""How many cores this process may use (for the ONNX models' worker threads)."""

from __future__ import annotations

import math
import os
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
