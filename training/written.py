"""Team-written NLI pairs on research takeaways (training/data/written_pairs.jsonl).

Real disagreements between papers are rarely literal negations: one paper says a defence
holds, another that an adaptive attack breaks it. The public NLI sets teach caption-style
contradictions only, so the project writes its own pairs of research-style claims: opposite
takeaways and stances in different words (contradiction), same-topic compatible findings and
scope differences (neutral), convergent findings in other words (entailment), plus
presupposition and numeric pairs. They were written from general knowledge, never from the
seed corpus or the labelled real pairs, and avoid the labelled pairs' topics (see the data
README). One topic group (`HELD_GROUP`) is never trained on: bench/judgement measures the
model on it.
"""

from __future__ import annotations

import json
from pathlib import Path

from training.nli_data import LABELS, Pair

DATA = Path(__file__).resolve().parent / "data" / "written_pairs.jsonl"
HELD_GROUP = "evaluation-reasoning"


def load(path: Path = DATA) -> list[tuple[str, Pair]]:
    """(topic group, pair) for every written pair; origin is "written:<family>"."""
    out: list[tuple[str, Pair]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        r = json.loads(line)
        if r["label"] not in LABELS:
            raise ValueError(f"{path}:{n}: unknown label {r['label']!r}")
        pair = Pair(
            r["premise"].strip(), r["hypothesis"].strip(), r["label"], f"written:{r['family']}"
        )
        out.append((r["group"], pair))
    return out


def training_pairs(path: Path = DATA, copies: int = 3) -> list[Pair]:
    """Written pairs outside the held-out group, `copies` times; contradiction and neutral
    pairs in both orders, and the "agree" member of each triplet (the same takeaway in other
    words) too. Other entailments are directional (a more general conclusion), so only as
    written."""
    out: list[Pair] = []
    for group, p in load(path):
        if group == HELD_GROUP:
            continue
        symmetric = p.label != "entailment" or p.origin == "written:triplet-agree"
        both = [p, Pair(p.hypothesis, p.premise, p.label, p.origin)] if symmetric else [p]
        out += both * copies
    return out


def held_out(path: Path = DATA) -> list[Pair]:
    """The held-out topic group, as written (never trained on)."""
    return [p for group, p in load(path) if group == HELD_GROUP]
