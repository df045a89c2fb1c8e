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

# A source's id is a hash of its cleaned text, so a change to the cleaning gives it a new id
# and a new draw below. The shipped weights were trained and benchmarked with the split of the
# ids on the right; these sources keep it (tests/unit/test_training_split.py pins the split).
_SPLIT_AS = {
    # rule extractor 3: MathJax CSS that quotes a brace is removed whole
    "src_0408508b31b4ee90f6ec3e55": "src_e929f8ef0505f40ee312368f",  # Towards Shutdownable Agents
    "src_a77158759b03f9cca97a8469": "src_47c38f683cd8185fc6034002",  # Training Deliberative Mon.
}


def is_training_source(source_id: str) -> bool:
    """Deterministic 60 / 40 split of sources between training and the benchmark."""
    key = _SPLIT_AS.get(source_id, source_id)
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 10 < 6


def corpus_claims(corpus: Path, *, training: bool) -> list[str]:
    """Claim texts (8-60 words) of the training or the benchmark sources."""
    return sorted({t for _, t in claim_records(corpus, training=training, min_words=8)})


def claim_records(corpus: Path, *, training: bool, min_words: int) -> list[tuple[str, str]]:
    """(source id, claim text) of the training or the benchmark sources."""
    from ingest.claims.rules import RuleExtractor
    from ingest.pipeline import RecordBuilder

    ing = RecordBuilder(RuleExtractor())
    out: list[tuple[str, str]] = []
    for f in sorted(corpus.glob("*.txt")):
        for d in ing.build_records(f, f.read_bytes())[1]:
            if is_training_source(d.source.id) != training:
                continue
            out += [
                (d.source.id, c.text) for c in d.claims if min_words <= len(c.text.split()) <= 60
            ]
    return out


def labelled_quotes() -> list[str]:
    """Every quote of the labelled real pairs (bench/data/real_pairs): never trained on."""
    from training.real_pairs import load

    return [q for p in load() for q in (p.a.quote, p.b.quote)]


def neighbour_negatives(
    corpus: Path, *, seed: int = 11, k: int = 4, training: bool = True
) -> list[Pair]:
    """Neutral pairs of *retrieved* claims: each training-source claim with its nearest
    neighbours from other training sources (cosine in [lo, hi)), read as the retriever hands
    them to the judge. SNLI's convention (two captions of different photos contradict) taught
    the model to call such topical-but-unrelated pairs contradictions: "The logit monitor
    requires no training." against "Overview of our training pipeline." Claims overlapping any
    labelled real-pair quote are left out, so the real-pair benchmark stays unseen.
    With training=False the same construction over the benchmark sources gives bench/judgement
    its held-out "retrieved pairs" set. (Cosine in [0.25, 0.8): `neighbour_pairs`' defaults.)"""
    return [
        Pair(a, b, NEUTRAL, "domain:neighbour")
        for a, b in neighbour_pairs(corpus, seed=seed, k=k, training=training)
    ]


def neighbour_pairs(
    corpus: Path,
    *,
    seed: int = 11,
    k: int = 4,
    lo: float = 0.25,
    hi: float = 0.8,
    training: bool = True,
) -> list[tuple[str, str]]:
    """Each claim of the chosen sources (min 6 words, no labelled real-pair quote) with its `k`
    nearest neighbours from other sources of the same side of the split, cosine in [lo, hi),
    in a random order: the pairs the retriever hands the judge, without a label."""
    import numpy as np

    from kg.embedding import MiniLMEmbedder

    held = [" ".join(q.split()) for q in labelled_quotes()]
    recs = [
        (sid, t)
        for sid, t in claim_records(corpus, training=training, min_words=6)
        if not any(t in q or q in t for q in held)
    ]
    recs = sorted(set(recs))
    vec = MiniLMEmbedder(batch_size=64).embed([t for _, t in recs])
    sims = vec @ vec.T
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    src = np.array([sid for sid, _ in recs])
    for i in range(len(recs)):
        row = sims[i]
        row[src == src[i]] = -1.0  # other sources only, as the investigators compare
        taken = 0
        for j in np.argsort(-row):
            if taken == k or row[j] < lo:
                break
            if row[j] >= hi:  # near-duplicates: likely restatements, not neutral
                continue
            a, b = recs[i][1], recs[int(j)][1]
            if rng.random() < 0.5:
                a, b = b, a
            out.append((a, b))
            taken += 1
    rng.shuffle(out)
    return out


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


def self_and_cue_pairs(
    domain: list[Pair], nli: list[Pair], claims: list[str], rng: random.Random, n: int = 3000
) -> list[Pair]:
    """Pairs against the hypothesis-only habit (the model read 22.5% of corpus claims as
    contradicting *themselves*: the contradicting side of most training pairs carries the
    negation or the comparative, so those words alone came to mean "contradiction").
    - "self": a statement against itself is entailment: training-source claims, both sides of
      the domain contradiction pairs, and the hypotheses of NLI contradiction pairs;
    - "cue alone": the perturbed (negated, flipped) side of a domain contradiction against an
      unrelated training-source claim is neutral, in both orders, so the cue words alone
      never decide. (Only corpus claims: in SNLI two unrelated captions may count as a
      contradiction, so NLI premises are not used as the unrelated side.)"""
    contra = [p for p in domain if p.label == CONTRADICTION]
    known = set(claims)
    texts = list(claims) + [t for p in contra for t in (p.premise, p.hypothesis)]
    texts += [p.hypothesis for p in nli if p.label == CONTRADICTION]
    texts = sorted(set(texts))
    out = [Pair(t, t, ENTAILMENT, "domain:self") for t in rng.sample(texts, min(n, len(texts)))]
    for p in rng.sample(contra, min(n // 2, len(contra))):
        cue = p.hypothesis if p.premise in known else p.premise
        other = rng.choice(claims)
        if other in (p.premise, p.hypothesis):
            continue
        out.append(Pair(other, cue, NEUTRAL, "domain:cue alone"))
        out.append(Pair(cue, other, NEUTRAL, "domain:cue alone"))
    return out
