"""The labelled real cross-source pairs (bench/data/real_pairs), split by document.

Corpus pairs are stored as offsets into ../shared/corpus (no corpus text is copied into
the repository); abstract pairs quote the CC0 arXiv abstracts in demo/abstracts.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "real_pairs"
CORPUS = ROOT.parent / "shared" / "corpus"
LABELS = ("contradiction", "convergence", "restatement", "unrelated")


@dataclass(frozen=True)
class RealSide:
    doc: str  # corpus file name, or demo/abstracts/... path
    source: str  # the source within the document (a 002 post, a 000 part)
    quote: str


@dataclass(frozen=True)
class RealPair:
    id: str
    topic: str
    a: RealSide
    b: RealSide
    label: str
    subtype: str
    split: str  # calibration | test | unused
    note: str


def _side(raw: dict[str, Any]) -> RealSide:
    """One side of a pair as parsed from its JSON line."""
    doc = str(raw["doc"])
    if "quote" in raw:
        quote = str(raw["quote"])
    else:
        text = (CORPUS / doc).read_text(encoding="utf-8")
        quote = text[int(raw["start"]) : int(raw["end"])]
        if hashlib.sha1(quote.encode()).hexdigest()[:12] != raw["sha1"]:
            raise ValueError(f"{doc}[{raw['start']}:{raw['end']}] no longer holds the quote")
    src = doc[:3] + (f"/{raw['post']}" if raw.get("post") else "") if "/" not in doc else doc
    return RealSide(doc=doc, source=src, quote=quote)


def load(which: tuple[str, ...] = ("corpus", "abstracts")) -> list[RealPair]:
    split = json.loads((DATA / "split.json").read_text(encoding="utf-8"))
    test_sources = set(split["corpus"]["test_sources"])
    out: list[RealPair] = []
    for name in which:
        path = DATA / f"{name}.jsonl"
        if name == "corpus" and not CORPUS.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            a, b = _side(r["a"]), _side(r["b"])
            if name == "abstracts":
                where = "test" if r["topic"] in split["abstracts"]["test_topics"] else "calibration"
            else:
                ta, tb = a.source in test_sources, b.source in test_sources
                where = "test" if ta and tb else "calibration" if not (ta or tb) else "unused"
            out.append(
                RealPair(
                    id=r["id"],
                    topic=r["topic"],
                    a=a,
                    b=b,
                    label=r["label"],
                    subtype=r.get("subtype", ""),
                    split=where,
                    note=r.get("note", ""),
                )
            )
    return out
