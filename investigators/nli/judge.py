"""The calibrated judge: NLI in both directions plus structured evidence -> a probability.

Features per pair: the model's contradiction / entailment probabilities a->b and b->a,
incompatible numbers for one quantity, explainable conflict cues (negation, antonym,
comparative, quantifier), content-word overlap. A multinomial logistic regression over
them (fitted on the calibration split of labelled real pairs, stored in
models/nli-minilm-l6/judge.json) gives P(contradiction), P(convergence), P(unrelated).
Pure decision logic: the caller supplies the NLI scores.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from investigators.cues import antonym_cue, negation_cue, number_cue, overlap, quantifier_cue
from investigators.nli.model import MODEL_DIR, NLIModel, NLIScores
from investigators.nli.perturb import COMPARATIVES
from investigators.nli.scope import scope_difference
from kg.models import Quantity

KINDS = ("contradicts", "converges_with", "unrelated")
FEATURES = (
    "c_ab",
    "c_ba",
    "e_ab",
    "e_ba",
    "c_max",
    "e_min",
    "number",
    "cue",
    "overlap",
)
MAX_WORDS = 200


@dataclass(frozen=True)
class Side:
    """One statement as the judge sees it."""

    text: str
    numbers: list[Quantity] = field(default_factory=list)
    hedge: str = "none"
    speaker: str | None = None


@dataclass(frozen=True)
class Judgement:
    kind: str  # contradicts | converges_with | unrelated
    score: float  # probability of that kind
    p_contradiction: float
    p_convergence: float
    p_unrelated: float
    ab: NLIScores
    ba: NLIScores
    evidence: list[str]
    rationale: str


@dataclass
class JudgeParams:
    """Fitted multinomial logistic regression (rows: KINDS) and decision thresholds."""

    coef: list[list[float]]
    intercept: list[float]
    threshold_contradiction: float = 0.5
    threshold_convergence: float = 0.5
    fitted_on: str = "unfitted default"

    @classmethod
    def load(cls, path: Path = MODEL_DIR / "judge.json") -> JudgeParams:
        if not path.exists():
            return cls.default()
        raw = json.loads(path.read_text())
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})

    @classmethod
    def default(cls) -> JudgeParams:
        """Hand-set weights used only before a fit exists (tests, first training)."""
        z = [0.0] * len(FEATURES)
        c, e = list(z), list(z)
        c[FEATURES.index("c_max")], c[FEATURES.index("number")] = 6.0, 2.0
        c[FEATURES.index("cue")] = 1.0
        e[FEATURES.index("e_min")], e[FEATURES.index("e_ab")], e[FEATURES.index("e_ba")] = 4, 2, 2
        return cls(coef=[c, e, list(z)], intercept=[-3.0, -4.0, 0.0])


def comparative_cue(a: str, b: str) -> str | None:
    wa = re.findall(r"[a-z]+", a.lower())
    wb = set(re.findall(r"[a-z]+", b.lower()))
    for w in wa:
        o = COMPARATIVES.get(w)
        if o and o in wb and w not in wb:
            return f"comparative: '{w}' vs '{o}'"
    return None


def evidence_of(a: Side, b: Side) -> tuple[float, float, list[str]]:
    """(number conflict strength, cue strength, readable evidence)."""
    notes: list[str] = []
    num = number_cue(a.numbers, b.numbers, a.text, b.text)
    if num:
        notes.append(f"number: {num.detail}")
    cue = 0.0
    for c in (
        negation_cue(a.text, b.text),
        antonym_cue(a.text, b.text),
        quantifier_cue(a.text, b.text),
    ):
        if c:
            cue = max(cue, c.weight)
            notes.append(f"{c.name}: {c.detail}")
    comp = comparative_cue(a.text, b.text)
    if comp:
        cue = max(cue, 0.7)
        notes.append(comp)
    return (num.weight if num else 0.0), cue, notes


def features(ab: NLIScores, ba: NLIScores, number: float, cue: float, ov: float) -> list[float]:
    return [
        ab.contradiction,
        ba.contradiction,
        ab.entailment,
        ba.entailment,
        max(ab.contradiction, ba.contradiction),
        min(ab.entailment, ba.entailment),
        number,
        cue,
        ov,
    ]


def _softmax(z: list[float]) -> list[float]:
    m = max(z)
    ex = [math.exp(v - m) for v in z]
    s = sum(ex)
    return [v / s for v in ex]


def truncate(text: str) -> tuple[str, bool]:
    words = text.split()
    if len(words) <= MAX_WORDS:
        return text, False
    return " ".join(words[:MAX_WORDS]), True


def decide(a: Side, b: Side, ab: NLIScores, ba: NLIScores, params: JudgeParams) -> Judgement:
    """Combine the model's two directions with the structured evidence."""
    number, cue, notes = evidence_of(a, b)
    ov = overlap(a.text, b.text)
    x = features(ab, ba, number, cue, ov)
    z = [
        sum(w * v for w, v in zip(row, x, strict=True)) + b0
        for row, b0 in zip(params.coef, params.intercept, strict=True)
    ]
    p_c, p_v, p_u = _softmax(z)
    blockers: list[str] = []
    scope = scope_difference(a.text, b.text)
    if scope:
        blockers.append(f"different conditions ({scope})")
    for side, name in ((a, "A"), (b, "B")):
        if side.speaker == "(reported view)":
            blockers.append(f"{name} is a reported view, not an assertion")
        if side.text.rstrip().endswith("?"):
            blockers.append(f"{name} is a question")
    if ab.truncated or ba.truncated:
        notes.append(f"long statement truncated to the model's {MAX_WORDS}-word window")
    if p_c >= params.threshold_contradiction and not blockers:
        kind, score = "contradicts", p_c
    elif p_v >= params.threshold_convergence and p_v >= p_c:
        kind, score = "converges_with", p_v
    else:
        # blocked contradictions are "different conditions": not a contradiction
        kind, score = "unrelated", (p_u + p_c) if blockers else p_u
    head = (
        f"NLI contradiction {ab.contradiction:.2f} / {ba.contradiction:.2f}, "
        f"entailment {ab.entailment:.2f} / {ba.entailment:.2f} (A→B / B→A)"
    )
    parts = [head, *notes, *blockers]
    if not scope and not blockers and (a.text and b.text):
        parts.append("no difference of model, dataset or year detected")
    return Judgement(
        kind=kind,
        score=round(score, 4),
        p_contradiction=round(p_c, 4),
        p_convergence=round(p_v, 4),
        p_unrelated=round(p_u, 4),
        ab=ab,
        ba=ba,
        evidence=notes + blockers,
        rationale="; ".join(parts),
    )


class Judge:
    """The NLI model plus the fitted combination; one batched model call per list."""

    name = "nli-judge"

    def __init__(self, model: NLIModel, params: JudgeParams | None = None) -> None:
        self.model = model
        self.params = params or JudgeParams.load(model.model_dir / "judge.json")
        # recent judgements by text pair: investigators asking about the same pairs in one
        # run (judge, then the LLM's uncertainty band) cost one model call
        self._memo: dict[tuple[str, str], Judgement] = {}

    @property
    def version(self) -> str:
        """Changes whenever the weights or the fitted combination change."""
        fit = hashlib.sha256(json.dumps([self.params.coef, self.params.intercept]).encode())
        return f"2+{self.model.name}+fit-{fit.hexdigest()[:8]}"

    def judge(self, pairs: list[tuple[Side, Side]]) -> list[Judgement]:
        """Judge every pair; both directions of all new pairs go to the model in one call."""
        todo = [p for p in pairs if (p[0].text, p[1].text) not in self._memo]
        if len(self._memo) + len(todo) > 100_000:
            self._memo.clear()
            todo = list(pairs)
        for p, j in zip(todo, self._judge(todo), strict=True):
            self._memo[(p[0].text, p[1].text)] = j
        return [self._memo[(a.text, b.text)] for a, b in pairs]

    def _judge(self, pairs: list[tuple[Side, Side]]) -> list[Judgement]:
        cut = [(truncate(a.text)[0], truncate(b.text)[0]) for a, b in pairs]
        scores = self.model.predict(cut + [(y, x) for x, y in cut])
        n = len(pairs)
        out = []
        for i, (a, b) in enumerate(pairs):
            ab, ba = scores[i], scores[n + i]
            long_ = truncate(a.text)[1] or truncate(b.text)[1]
            if long_:
                ab = NLIScores(ab.entailment, ab.neutral, ab.contradiction, truncated=True)
            j = decide(a, b, ab, ba, self.params)
            notes = input_notes(a.text, b.text)
            if notes:
                empty = any("empty" in n for n in notes)
                j = Judgement(
                    kind="unrelated" if empty else j.kind,
                    score=1.0 if empty else j.score,
                    p_contradiction=j.p_contradiction,
                    p_convergence=j.p_convergence,
                    p_unrelated=j.p_unrelated,
                    ab=j.ab,
                    ba=j.ba,
                    evidence=j.evidence + notes,
                    rationale="; ".join([j.rationale, *notes]),
                )
            out.append(j)
        return out


def input_notes(a: str, b: str) -> list[str]:
    """Warnings about inputs the model cannot read well (empty, one word, not English)."""
    notes: list[str] = []
    for text, name in ((a, "A"), (b, "B")):
        words = re.findall(r"\w+", text)
        if not words:
            notes.append(f"{name} is empty: nothing to compare")
            continue
        if len(words) == 1:
            notes.append(f"{name} is a single word: judgement is unreliable")
        letters = [ch for ch in text if ch.isalpha()]
        latin = sum(1 for ch in letters if ch.isascii())
        if letters and latin / len(letters) < 0.6:
            notes.append(f"{name} looks non-English: the model was trained on English only")
    return notes
