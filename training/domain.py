"""Domain pairs: real corpus claims perturbed into labelled NLI pairs.

Claims come from the project's own offline extractor over the seed corpus. Sources are
split by a hash of their id: training perturbations use one part, the injected-flaw
benchmark (bench/judgement (c)) the other, so the benchmark never sees a claim trained on.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from investigators.nli.perturb import CONTRADICTION, ENTAILMENT, NEUTRAL, perturb
from training.nli_data import Pair


def is_training_source(source_id: str) -> bool:
    """Deterministic 60 / 40 split of sources between training and the benchmark."""
    return int(hashlib.sha256(source_id.encode()).hexdigest()[:8], 16) % 10 < 6


def corpus_claims(corpus: Path, *, training: bool) -> list[str]:
    """Claim texts (8-60 words) of the training or the benchmark sources."""
    from ingest.claims.rules import RuleExtractor
    from ingest.pipeline import Ingestor

    ing = Ingestor(driver=None, embedder=None, extractor=RuleExtractor())  # type: ignore[arg-type]
    out: list[str] = []
    for f in sorted(corpus.glob("*.txt")):
        for d in ing.build_records(f, f.read_bytes())[1]:
            if is_training_source(d.source.id) != training:
                continue
            out += [c.text for c in d.claims if 8 <= len(c.text.split()) <= 60]
    return sorted(set(out))


_SUBJECTS = (
    "the fine-tuned model",
    "the monitor",
    "the probe",
    "the unlearned model",
    "the steered model",
    "the judge",
    "the trained classifier",
    "the agent",
)
_QUALITIES = (
    "useful",
    "accurate",
    "robust",
    "likely to sandbag",
    "likely to refuse",
    "sycophantic",
    "calibrated",
    "helpful",
    "faithful",
    "consistent",
)
_DIRS = (("more", "less"), ("higher", "lower"), ("better", "worse"))


def signed_templates(n: int, rng: random.Random) -> list[Pair]:
    """'X made the monitor 15% more accurate' against '11% less accurate' (and controls)."""
    out: list[Pair] = []
    for _ in range(n):
        s, q = rng.choice(_SUBJECTS), rng.choice(_QUALITIES)
        up, down = rng.choice(_DIRS[:1])
        x, y = rng.randint(3, 60), rng.randint(3, 60)
        a = f"Training on the new data made {s} {x}% {up} {q} than the baseline."
        kind = rng.random()
        if kind < 0.5:
            b = f"Training on the new data made {s} {y}% {down} {q} than the baseline."
            out.append(Pair(a, b, CONTRADICTION, "domain:signed change"))
        elif kind < 0.75:
            b = (
                f"Compared with the baseline, {s} became about {x}% {up} {q} "
                "after training on the new data."
            )
            out.append(Pair(a, b, ENTAILMENT, "domain:signed paraphrase"))
        else:
            b = (
                f"Training on the new data made {s} {x}% {up} {q} than the baseline "
                "on a different benchmark."
            )
            out.append(Pair(a, b, NEUTRAL, "domain:signed scope"))
    return out


def domain_pairs(
    corpus: Path, *, seed: int = 11, per_claim: int = 4, family_cap: int = 1000
) -> list[Pair]:
    """Perturbed training-source claims (up to per_claim families each) plus templates."""
    rng = random.Random(seed)
    claims = corpus_claims(corpus, training=True)
    out: list[Pair] = []
    per_family: dict[str, int] = {}
    for c in claims:
        cands = perturb(c, rng)
        rng.shuffle(cands)
        # rare families first, so common ones (existence, hedge, scope) do not crowd them out
        cands.sort(key=lambda p: per_family.get(p.family, 0))
        contra = [p for p in cands if p.label == CONTRADICTION][: per_claim // 2]
        other = [p for p in cands if p.label != CONTRADICTION][: per_claim - len(contra)]
        for p in contra + other:
            if per_family.get(p.family, 0) >= family_cap:
                continue
            per_family[p.family] = per_family.get(p.family, 0) + 1
            a, b = (p.premise, p.hypothesis)
            if p.label == CONTRADICTION and rng.random() < 0.5:
                a, b = b, a  # contradiction is symmetric: train both orders
            out.append(Pair(a, b, p.label, f"domain:{p.family}"))
    # unrelated claims of the same corpus are neutral
    for _ in range(len(claims) // 3):
        a, b = rng.sample(claims, 2)
        out.append(Pair(a, b, NEUTRAL, "domain:unrelated"))
    out += signed_templates(1500, rng)
    return out
