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
    called: str = ""  # audit.jsonl: the finding kind the judge gave the pair in the main job


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


def side_split(side: RealSide, split: dict[str, Any]) -> str:
    """The split of one side's document: an abstract by its topic folder
    (demo/abstracts/TOPIC/...), a corpus source (a file, a post of 002, a part of 000) by the
    list of test sources."""
    if side.doc.startswith("demo/abstracts/"):
        topic = side.doc.split("/")[2]
        return "test" if topic in split["abstracts"]["test_topics"] else "calibration"
    return "test" if side.source in split["corpus"]["test_sources"] else "calibration"


def load(which: tuple[str, ...] = ("corpus", "abstracts")) -> list[RealPair]:
    """The labelled pairs of these files of bench/data/real_pairs (`audit`: the judge's calls
    in the main job, labelled by reading; never part of the default set), each with its
    split: a pair belongs to a split when both of its sides' documents do, else "unused".
    Pairs with a corpus side are left out when ../shared/corpus is absent."""
    split = json.loads((DATA / "split.json").read_text(encoding="utf-8"))
    out: list[RealPair] = []
    for name in which:
        path = DATA / f"{name}.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if not CORPUS.exists() and not (
                r["a"]["doc"].startswith("demo/") and r["b"]["doc"].startswith("demo/")
            ):
                continue
            a, b = _side(r["a"]), _side(r["b"])
            sa, sb = side_split(a, split), side_split(b, split)
            where = sa if sa == sb else "unused"
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
                    called=r.get("called", ""),
                )
            )
    return out
