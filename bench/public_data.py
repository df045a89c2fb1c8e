"""Benchmark setup: fetch public NLI-style data from the `bigbench==1.0.0` sdist on PyPI.

The sdist (358 MB) is downloaded once into bench/.data/ (ignored by git), checked against
the sha256 the package index publishes, and the two tasks used are extracted:
`vitaminc_fact_verification` (CC BY-SA) and `presuppositions_as_nli`. Both carry the
BIG-bench canary string: evaluation only, never training.
Run: .venv/bin/python -m bench.public_data
"""

from __future__ import annotations

import hashlib
import json
import re
import tarfile
import urllib.request
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / ".data" / "bigbench"
INDEX = "https://pypi.org/simple/bigbench/"
SDIST = "bigbench-1.0.0.tar.gz"
TASKS = ("vitaminc_fact_verification", "presuppositions_as_nli")


def _sdist_url() -> tuple[str, str]:
    with urllib.request.urlopen(INDEX, timeout=60) as resp:
        page = resp.read().decode()
    m = re.search(rf'href="([^"]+/{re.escape(SDIST)})#sha256=([0-9a-f]{{64}})"', page)
    if not m:
        raise SystemExit(f"{SDIST} is not listed at {INDEX}")
    return m.group(1), m.group(2)


def fetch() -> dict[str, Path]:
    """Paths of the extracted task.json files (downloading and extracting if needed)."""
    out = {t: DATA / f"{t}.json" for t in TASKS}
    if all(p.exists() for p in out.values()):
        return out
    DATA.mkdir(parents=True, exist_ok=True)
    archive = DATA / SDIST
    url, sha = _sdist_url()
    if not archive.exists():
        print(f"downloading {url} …")
        urllib.request.urlretrieve(url, archive)
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != sha:
        archive.unlink()
        raise SystemExit(f"{SDIST}: sha256 mismatch ({digest} != {sha}); deleted, rerun.")
    with tarfile.open(archive) as tar:
        for member in tar:
            for t in TASKS:
                if member.name.endswith(f"benchmark_tasks/{t}/task.json"):
                    f = tar.extractfile(member)
                    assert f is not None
                    out[t].write_bytes(f.read())
    missing = [t for t, p in out.items() if not p.exists()]
    if missing:
        raise SystemExit(f"tasks not found in {SDIST}: {missing}")
    return out


def examples(task: str) -> list[dict[str, Any]]:
    """The task's examples as parsed JSON (values of any JSON type)."""
    data = json.loads(fetch()[task].read_text())
    return list(data["examples"])


if __name__ == "__main__":
    for name, path in fetch().items():
        print(name, path, len(examples(name)), "examples")
