"""Evaluation sets for bench/judgement: held-out NLI files, BIG-bench, injected flaws."""

from __future__ import annotations

import random
import re
from pathlib import Path

from investigators.nli.perturb import CONTRADICTION_FAMILIES, hedge_added, paraphrase, scope_change
from investigators.nli.scope import scope_of

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

Row = tuple[str, str, str]  # premise, hypothesis, label (entailment / neutral / contradiction)


def held_out_nli(cap: int = 1500, seed: int = 3) -> dict[str, list[Row]]:
    """(a) the files and slices training never saw, each capped (seeded sample)."""
    from training.nli_data import splits

    _train, held = splits(SHARED / "nli")
    wanted = (
        "cad_all_combined_test.tsv",
        "esnli_test.tsv",
        "conjnli_dev.tsv",
        "negnli_MNLI.tsv (held-out slice)",
        "negnli_SNLI.tsv (held-out slice)",
        "taxinli10k.tsv (held-out slice)",
        "climate_fever.jsonl (held-out slice)",
        "folio_validation.jsonl",
        "hans_mnli_contradicting_examples.tsv",
    )
    out: dict[str, list[Row]] = {}
    for name in wanted:
        rows = [(p.premise, p.hypothesis, p.label) for p in held.get(name, [])]
        if len(rows) > cap:
            rows = random.Random(seed).sample(rows, cap)
        if rows:
            out[name.replace(".tsv", "").replace(".jsonl", "")] = rows
    return out


def bigbench(cap: int = 1500, seed: int = 3) -> dict[str, list[Row]]:
    """(b) VitaminC and presuppositions_as_nli (evaluation only; needs bench.public_data)."""
    from bench.public_data import DATA, examples

    if not (DATA / "vitaminc_fact_verification.json").exists():
        return {}
    vit: list[Row] = []
    for e in examples("vitaminc_fact_verification"):
        text = str(e["input"])
        if "\nClaim:" not in text:
            continue
        evidence, claim = text.split("\nClaim:", 1)
        evidence = evidence.split(":", 1)[1] if ":" in evidence[:80] else evidence
        s = e["target_scores"]
        lab = "contradiction" if s["False"] == 1 else "entailment" if s["True"] == 1 else "neutral"
        vit.append((evidence.strip(), claim.strip(), lab))
    pre: list[Row] = []
    for e in examples("presuppositions_as_nli"):
        m = re.search(r"Sentence 1:(.*)\nSentence 2:(.*?)\n", str(e["input"]), re.S)
        if m:
            s = e["target_scores"]
            lab = max(("entailment", "neutral", "contradiction"), key=lambda k: s[k])
            pre.append((m.group(1).strip(), m.group(2).strip(), lab))
    rng = random.Random(seed)
    return {
        "BIG-bench VitaminC": rng.sample(vit, min(cap, len(vit))),
        "BIG-bench presuppositions": pre[:cap],
    }


CONTROLS = ("paraphrase", "hedge added", "scope change")


def injected(n_claims: int = 500, seed: int = 9) -> tuple[dict[str, list[tuple[str, str]]], int]:
    """(c) families applied to claims of the benchmark sources (never trained on), and how
    many "changed number" injections were left out because the number changed was part of a
    model's name ("Sonnet 4" -> "Sonnet 0.8", "Qwen3-8B" -> "Qwen3-20B"): that names another
    model, a change of scope, not a contradicting number. They are dropped after generation,
    so every family's random draws are as before."""
    from training.domain import corpus_claims

    claims = corpus_claims(SHARED / "corpus", training=False)
    rng = random.Random(seed)
    claims = rng.sample(claims, min(n_claims, len(claims)))
    out: dict[str, list[tuple[str, str]]] = {}
    for name, fn in CONTRADICTION_FAMILIES.items():
        out[name] = [(c, x) for c in claims if (x := fn(c, rng)) and x != c]
    out["paraphrase"] = [(c, x) for c in claims if (x := paraphrase(c, rng)) and x != c]
    out["hedge added"] = [(c, x) for c in claims if (x := hedge_added(c, rng))]
    out["scope change"] = [s for c in claims if (s := scope_change(c, rng))]
    numbers = out["changed number"]
    out["changed number"] = [(a, b) for a, b in numbers if scope_of(a).models == scope_of(b).models]
    return out, len(numbers) - len(out["changed number"])
