"""Readers for the licensed NLI files in shared/nli, and the train / held-out split.

Every reader yields (premise, hypothesis, label) with label in entailment / neutral /
contradiction. The split is fixed here (held-out slices by a seeded shuffle) so that the
training manifest and bench/judgement agree on what was never trained on.
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from investigators.nli.perturb import CONTRADICTION, ENTAILMENT, NEUTRAL

csv.field_size_limit(sys.maxsize)
LABELS = (ENTAILMENT, NEUTRAL, CONTRADICTION)
_MAP = {
    "entailment": ENTAILMENT,
    "entails": ENTAILMENT,
    "e": ENTAILMENT,
    "supports": ENTAILMENT,
    "true": ENTAILMENT,
    "neutral": NEUTRAL,
    "n": NEUTRAL,
    "not_enough_info": NEUTRAL,
    "unknown": NEUTRAL,
    "uncertain": NEUTRAL,
    "contradiction": CONTRADICTION,
    "c": CONTRADICTION,
    "refutes": CONTRADICTION,
    "false": CONTRADICTION,
}


@dataclass(frozen=True)
class Pair:
    premise: str
    hypothesis: str
    label: str  # "" for an unlabelled pair (a teacher's reading only: `soft`)
    origin: str
    soft: tuple[float, float, float] | None = None  # a teacher's (e, n, c), for distillation


def _label(raw: str) -> str | None:
    return _MAP.get(raw.strip().lower())


def _tsv(path: Path, p: str, h: str, y: str, header: bool = True) -> Iterator[Pair]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # negnli_MNLI has Windows-1252 quotes
        text = raw.decode("cp1252", errors="replace")
    with io.StringIO(text, newline="") as f:
        if header:
            rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        else:
            rows = (
                dict(zip((p, h, y), r, strict=False))
                for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            )
        for r in rows:
            lab = _label(r.get(y) or "")
            if lab and r.get(p) and r.get(h):
                yield Pair(r[p].strip(), r[h].strip(), lab, path.name)


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """One parsed JSON object per non-blank line (values of any JSON type)."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def read(path: Path) -> list[Pair]:
    """All labelled pairs of one shared/nli file."""
    n = path.name
    if n.startswith("cad_") or n == "med.tsv":
        return list(_tsv(path, "sentence1", "sentence2", "gold_label"))
    if n.startswith("esnli_"):
        return list(_tsv(path, "premise", "hypothesis", "label"))
    if n.startswith("taxinli"):
        return list(_tsv(path, "prem", "hyp", "label"))
    if n.startswith("conjnli"):
        return list(_tsv(path, "Premise", "Hypothesis", "Label"))
    if n.startswith("negnli"):
        return list(_tsv(path, "Text", "Hypothesis", "gold_label"))
    if n.startswith("hans"):
        return list(_tsv(path, "p", "h", "y", header=False))
    if n == "help_and.tsv":
        return list(_tsv(path, "ori_sentence", "new_sentence", "gold_label"))
    out: list[Pair] = []
    if n in ("breaking_nli.jsonl", "scitail_dev.jsonl"):
        for r in _jsonl(path):
            lab = _label(str(r.get("gold_label", "")))
            if lab:
                out.append(Pair(str(r["sentence1"]), str(r["sentence2"]), lab, n))
    elif n == "climate_fever.jsonl":
        for r in _jsonl(path):
            for ev in r["evidences"]:
                lab = _label(str(ev["evidence_label"]))
                if lab:
                    out.append(Pair(str(ev["evidence"]), str(r["claim"]), lab, n))
    elif n.startswith("folio"):
        for r in _jsonl(path):
            lab = _label(str(r["label"]))
            if lab:
                out.append(Pair(" ".join(r["premises"]), str(r["conclusion"]), lab, n))
    elif n.startswith("ambient"):
        for r in _jsonl(path):
            labs = {x.strip() for x in str(r["labels"]).split(",")}
            if len(labs) == 1 and _label(labs.pop()):
                out.append(
                    Pair(str(r["premise"]), str(r["hypothesis"]), _label(str(r["labels"])) or "", n)
                )
    return out


def _split(pairs: list[Pair], held: int, seed: int = 13) -> tuple[list[Pair], list[Pair]]:
    rng = random.Random(seed)
    idx = list(range(len(pairs)))
    rng.shuffle(idx)
    held_set = set(idx[:held])
    return (
        [p for i, p in enumerate(pairs) if i not in held_set],
        [p for i, p in enumerate(pairs) if i in held_set],
    )


# file -> (use for training, held-out size). 0 = all to training; None = evaluation only.
PLAN: dict[str, int | None] = {
    "cad_all_combined_train.tsv": 0,
    "cad_all_combined_dev.tsv": 0,
    "cad_all_combined_test.tsv": None,
    "esnli_dev.tsv": 0,
    "esnli_test.tsv": None,
    "taxinli10k.tsv": 1000,
    "conjnli_adv_train.tsv": 0,
    "conjnli_dev.tsv": None,
    "negnli_MNLI.tsv": 300,
    "negnli_SNLI.tsv": 300,
    "breaking_nli.jsonl": 0,
    "climate_fever.jsonl": 700,
    "folio_train.jsonl": 0,
    "folio_validation.jsonl": None,
    "med.tsv": 0,
    "help_and.tsv": 0,
    "scitail_dev.jsonl": 0,
    "hans_mnli_contradicting_examples.tsv": None,
    "ambient_dev.jsonl": None,
    "ambient_test.jsonl": None,
}
# Breaking NLI is 87% contradiction and one-word substitutions: only a sample trains.
SAMPLE = {"breaking_nli.jsonl": 2500, "help_and.tsv": 3000, "med.tsv": 3000}


def splits(folder: Path) -> tuple[list[Pair], dict[str, list[Pair]]]:
    """(training pairs, held-out sets by name)."""
    train: list[Pair] = []
    held: dict[str, list[Pair]] = {}
    for name, plan in PLAN.items():
        path = folder / name
        if not path.exists():
            continue
        pairs = read(path)
        if plan is None:
            held[name] = pairs
            continue
        tr, ho = _split(pairs, plan)
        if name in SAMPLE and len(tr) > SAMPLE[name]:
            tr = random.Random(5).sample(tr, SAMPLE[name])
        train += tr
        if ho:
            held[name + " (held-out slice)"] = ho
    return train, held
