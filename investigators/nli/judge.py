"""The calibrated judge: NLI in both directions plus structured evidence -> a probability.

A contradiction score (the mean of the model's two contradiction directions, each discounted
by the other direction's entailment, raised by incompatible numbers for one quantity or by a
minimal pair -- the same statement but for one negation or opposite word -- and weakly by
conflict cues) and a convergence score (entailment one or both ways, each counted only above
what unrelated premises draw into that side: investigators.nli.controls) are each mapped
to a probability by a monotone Platt map fitted on the calibration split of labelled real
pairs (models/nli-minilm-l6/judge.json). Different conditions, questions and reported views
block a contradiction. Pure decision logic: the caller supplies the NLI scores.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from consilience.errors import ModelIntegrityError
from consilience.vocabulary import REPORTED_VIEW, JudgementKind
from investigators.cues import antonym_cue, negation_cue, number_cue, quantifier_cue
from investigators.nli.controls import NO_CONTROLS, Control, SideControls, control_readings
from investigators.nli.minimal import minimal_pair, same_polarity, swapped_pair
from investigators.nli.model import MODEL_DIR, NLIModel, NLIScores
from investigators.nli.perturb import COMPARATIVES
from investigators.nli.scope import scope_difference
from kg.aspects import CJK
from kg.definitions import definition_cue
from kg.models import Quantity

KINDS = tuple(JudgementKind)
# Platt slopes are kept at least this large: the maps stay monotone in the model's
# probabilities even when a small calibration set is noisy (a free multinomial fit on 113
# real pairs inverted the model on every NLI test set).
MIN_SLOPE = 0.05
MAX_WORDS = 200
MEMO_SIZE = 20_000  # judgements remembered (by text pair) across calls


@dataclass(frozen=True)
class Side:
    """One statement as the judge sees it."""

    text: str
    numbers: list[Quantity] = field(default_factory=list)
    hedge: str = "none"
    speaker: str | None = None


@dataclass(frozen=True)
class Judgement:
    kind: JudgementKind
    score: float  # probability of that kind
    p_contradiction: float
    p_convergence: float
    p_unrelated: float
    contradiction_score: float  # before calibration: what the decision threshold applies to
    convergence_score: float
    ab: NLIScores
    ba: NLIScores
    evidence: list[str]
    rationale: str
    # the same words in the same order (`same_statement`): one side quotes the other
    same: bool = False
    # the sides' control readings the scores were taken with (none below the thresholds):
    # deciding again from `ab` and `ba` (other maps, say) takes them too
    controls: SideControls = NO_CONTROLS
    # an agreement in which a side defines a term (`kg.definitions`): a restatement of
    # vocabulary, never corroboration
    definitional: bool = False


def _float_or_none(value: object) -> float | None:
    return None if value is None else float(str(value))


def _counts(got: object, *, none_read: bool) -> tuple[int, int] | None:
    """(right, calls) from a judge.json entry {"right": .., "calls": ..}; None when it is absent,
    or when it counts no call and `none_read` is False."""
    if not isinstance(got, dict) or not (none_read or got.get("calls")):
        return None
    return int(got["right"]), int(got["calls"])


def _audited(raw: dict[str, object], kind: str) -> tuple[int, int] | None:
    """(right, calls) of one kind's audited calls in judge.json, if it has them."""
    audit = raw.get("audit")
    return _counts(audit.get(kind) if isinstance(audit, dict) else None, none_read=False)


@dataclass
class JudgeParams:
    """Monotone calibration maps (Platt: p = sigmoid(slope * logit(score) + intercept)) from
    the contradiction and convergence scores to probabilities, and the decision thresholds."""

    contradiction: tuple[float, float] = (1.0, 0.0)
    convergence: tuple[float, float] = (1.0, 0.0)
    # decisions are taken on the scores (the model's own scale), not on the calibrated
    # probabilities: on real pairs the calibration can be nearly flat, and a threshold on a
    # flat map would call everything or nothing
    threshold_contradiction: float = 0.5
    threshold_convergence: float = 0.5
    fitted_on: str = "unfitted (identity maps)"
    # how well each score ranked the labelled pairs it was fitted on (0.5 is chance)
    calibration_auc_contradiction: float | None = None
    calibration_auc_convergence: float | None = None
    # (right, calls): the judge's own calls in a main job that people read side by side
    # (bench/data/real_pairs/audit.jsonl, calibration split); each map's level was set to them
    audit_contradiction: tuple[int, int] | None = None
    audit_convergence: tuple[int, int] | None = None
    # (right, calls) among the audited contradiction calls that rest on a minimal pair or on
    # incompatible values (`structural`): None keeps such calls on the contradiction map
    structural_contradiction: tuple[int, int] | None = None
    # the sha256 of the weights whose readings the maps were fitted to (None: not recorded)
    model_sha256: str | None = None

    def structural_level(self) -> float | None:
        """P(contradiction) of a structural call: the share of such audited calls that were
        right, shrunk as (right + 0.5) / (calls + 1), as the maps' levels are
        (`training.fit_judge.prior_shift`); 0.5 while none has been read."""
        if self.structural_contradiction is None:
            return None
        right, calls = self.structural_contradiction
        return (right + 0.5) / (calls + 1)

    @classmethod
    def load(
        cls, path: Path = MODEL_DIR / "judge.json", *, model_sha256: str | None = None
    ) -> JudgeParams:
        """The fitted combination in `path` (identity maps without one). Given the weights'
        `model_sha256`, levels fitted to the readings of other weights are refused: after a
        new export they must be fitted again (a file that names no weights is taken)."""
        if not path.exists():
            return cls()
        raw = json.loads(path.read_text())
        fitted_to = raw.get("model_sha256")
        if model_sha256 and isinstance(fitted_to, str) and fitted_to != model_sha256:
            shipped = path.parent.resolve() == MODEL_DIR.resolve()
            fit = "" if shipped else f" --model-dir {path.parent} --unpinned"
            raise ModelIntegrityError(
                f"The judge's levels in {path} were fitted to the readings of other weights "
                f"({fitted_to[:12]}…) than the model's ({model_sha256[:12]}…).",
                f"Fit them to these weights: `consilience model fit-judge{fit}`"
                + (
                    " (or restore the folder: `git checkout -- models/nli-minilm-l6`)."
                    if shipped
                    else "."
                ),
            )
        return cls(
            contradiction=tuple(raw["contradiction"]),
            convergence=tuple(raw["convergence"]),
            threshold_contradiction=float(raw["threshold_contradiction"]),
            threshold_convergence=float(raw["threshold_convergence"]),
            fitted_on=str(raw.get("fitted_on", "")),
            calibration_auc_contradiction=_float_or_none(raw.get("calibration_auc_contradiction")),
            calibration_auc_convergence=_float_or_none(raw.get("calibration_auc_convergence")),
            audit_contradiction=_audited(raw, "contradiction"),
            audit_convergence=_audited(raw, "convergence"),
            structural_contradiction=_structural(raw),
            model_sha256=fitted_to if isinstance(fitted_to, str) else None,
        )

    @classmethod
    def default(cls) -> JudgeParams:
        return cls()


# the cue (the part of an evidence note before its colon) of a call resting on a minimal pair
# or incompatible values, whose probability is its own level (`JudgeParams.structural_level`)
STRUCTURAL = "structural"


def _structural(raw: dict[str, object]) -> tuple[int, int] | None:
    """(right, calls) of the audited structural contradiction calls in judge.json, if the fit
    wrote them (none read is (0, 0), not None)."""
    return _counts(raw.get("structural_contradiction"), none_read=True)


def comparative_cue(a: str, b: str) -> str | None:
    wa = re.findall(r"[a-z]+", a.lower())
    wb = set(re.findall(r"[a-z]+", b.lower()))
    for w in wa:
        o = COMPARATIVES.get(w)
        if o and o in wb and w not in wb:
            return f"comparative: '{w}' vs '{o}'"
    return None


@dataclass(frozen=True)
class Evidence:
    """The structured evidence a pair shows besides the model's readings."""

    number: float = 0.0  # incompatible values for one quantity (the number cue's weight)
    cue: float = 0.0  # the strongest conflict cue (negation, antonym, quantifier, comparative)
    minimal: float = 0.0  # 1.0 for a minimal pair (investigators.nli.minimal), else 0
    notes: tuple[str, ...] = ()

    @property
    def structural(self) -> bool:
        """A contradiction that does not rest on the model's reading: a minimal pair, or
        incompatible values for one quantity."""
        return bool(self.minimal or self.number)


def evidence_of(a: Side, b: Side) -> Evidence:
    """Numbers, conflict cues and minimal pairs, with readable notes."""
    notes: list[str] = []
    num = number_cue(a.numbers, b.numbers, a.text, b.text)
    if num:
        notes.append(f"number: {num.detail}")
    cue = minimal = 0.0
    for c in (
        negation_cue(a.text, b.text),
        antonym_cue(a.text, b.text),
        quantifier_cue(a.text, b.text),
    ):
        if c:
            cue = max(cue, c.weight)
            notes.append(f"{c.name}: {c.detail}")
            if c.name in ("negation", "antonym") and not minimal:
                minimal = minimal_pair(a.text, b.text)
    comp = comparative_cue(a.text, b.text)
    if comp:
        cue = max(cue, 0.7)
        notes.append(comp)
    if minimal:
        notes.append(
            "minimal pair: the same words in the same order but for that negation or opposite"
        )
    elif swapped_pair(a.text, b.text):
        minimal = 1.0
        notes.append(
            "swapped comparison: the same words with the two things an asymmetric relation "
            "compares exchanged (a minimal pair)"
        )
    return Evidence(num.weight if num else 0.0, cue, minimal, tuple(notes))


def scores(
    ab: NLIScores,
    ba: NLIScores,
    ev: Evidence | None = None,
    controls: SideControls = NO_CONTROLS,
) -> tuple[float, float]:
    """(contradiction score, convergence score) in [0, 1], before calibration.

    Contradiction: the mean of the model's two directions, each discounted by the other
    direction's entailment, then raised by incompatible numbers for one quantity, by a minimal
    pair, and (weakly) by conflict cues. Contradiction is symmetric and excludes entailment, and
    the model's one-sided readings are its noise: one-word paraphrases ("the user's main query"
    / "... primary query") drew contradiction 0.93 one way with entailment 0.69 the other, and
    most of the contradictions the stronger direction alone called on the corpus were unrelated
    sentences read as contradiction 0.72 one way and 0.01 the other (SNLI's convention that
    captions of different scenes contradict). Injected contradictions read 0.99 both ways.
    The discount is the square root of (1 - entailment), softer than the plain factor,
    because the entailment reading is itself noisy: a negation ("it often tells itself that it
    should comply with harmful requests" / "it often says that it should not comply with
    harmful requests from users") drew entailment 0.58 one way and contradiction 0.98 the
    other: mean 0.50, and the negation cue lifts it to 0.58. The same negation with nothing
    else changed drew entailment 0.92 one way: a minimal pair (investigators.nli.minimal: the
    same words in the same order but for one negation or opposite) is a contradiction whatever
    the model reads, so it counts as strongly as incompatible numbers. Convergence: entailment
    one way counts, both ways counts more, and a contradiction reading lowers it.

    `controls` are the two sides' hypothesis-only control readings (investigators.nli.controls:
    how far the model reads A, then B, as entailed after unrelated premises). For the
    convergence score an entailment into a side counts only above its control; the
    contradiction score does not read them (the discount there stays on the raw entailment),
    so a control can only lower the convergence score.
    """
    ev = ev or Evidence()
    both = (
        ab.contradiction * math.sqrt(1 - ba.entailment)
        + ba.contradiction * math.sqrt(1 - ab.entailment)
    ) / 2
    c = 1 - (1 - both) * (1 - 0.8 * ev.number) * (1 - 0.8 * ev.minimal) * (1 - 0.2 * ev.cue)
    ctrl_a, ctrl_b = controls
    e_ab = max(0.0, ab.entailment - ctrl_b.entailment)  # A→B reads B as the hypothesis
    e_ba = max(0.0, ba.entailment - ctrl_a.entailment)
    e_hi, e_lo = max(e_ab, e_ba), min(e_ab, e_ba)
    v = (0.6 * e_hi + 0.4 * e_lo) * (1 - 0.5 * max(ab.contradiction, ba.contradiction))
    return c, v


CONTROL_NOTE = 0.05  # a control reading at least this high is named in the rationale


def control_notes(ab: NLIScores, ba: NLIScores, controls: SideControls) -> list[str]:
    """Name each control that lowered an entailment reading that mattered (0.5 or more)."""
    return [
        f"{name} reads as entailed after unrelated control premises too (up to "
        f"{ctrl.entailment:.2f}): only the entailment above that counts"
        for name, ctrl, read in (("A", controls[0], ba), ("B", controls[1], ab))
        if read.entailment >= 0.5 and ctrl.entailment >= CONTROL_NOTE
    ]


def _logit(p: float) -> float:
    p = min(1 - 1e-4, max(1e-4, p))
    return math.log(p / (1 - p))


def platt(score: float, slope_intercept: tuple[float, float]) -> float:
    a, b = slope_intercept
    return 1 / (1 + math.exp(-(max(MIN_SLOPE, a) * _logit(score) + b)))


def truncate(text: str) -> tuple[str, bool]:
    words = text.split()
    if len(words) <= MAX_WORDS:
        return text, False
    return " ".join(words[:MAX_WORDS]), True


_WORDS = re.compile(r"\w+")


def same_statement(a: str, b: str) -> bool:
    """The same words in the same order, case, quotation marks, punctuation and spacing aside:
    one side quotes the other (a summary quoting its source). The model cannot be trusted
    with such a pair: it read 22.5% of the corpus' checkable claims as contradicting
    themselves at 0.9 or more (the second contradiction of the main job's report was a
    sentence against its own quotation, 0.95 / 0.99), a hypothesis-only habit from training
    pairs whose contradicting side carries the negation or the comparative. A value written
    as a percentage on one side and as a fraction on the other is the same value ("an AUROC of
    0.91" / "an AUROC of 91%": red-teamed, read as contradicting at 1.00 both ways)."""
    wa = _WORDS.findall(a.casefold())
    if not wa:
        return False
    if wa == _WORDS.findall(b.casefold()):
        return True
    if _CHANGE_OR_SCALE.search(a) or _CHANGE_OR_SCALE.search(b):
        return False  # "reduced the loss by 0.3" is not "by 30%" (review)
    na = _WORDS.findall(_PERCENT.sub(_as_fraction, a.casefold()))
    return na != wa and na == _WORDS.findall(_PERCENT.sub(_as_fraction, b.casefold()))


# a number written as a percentage, or a fraction of one written with a leading "0."
_PERCENT = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*(%|percent\b|per cent\b)"
    r"|(?<![\w.])(0\.\d+)(?!\.?\d|\s*%|\w)"
)


# A number that may be a change, a difference or on another scale: an absolute change of 0.3
# and a relative one of 30% differ, as do an effect size d = 0.5 and 50%.
_CHANGE_OR_SCALE = re.compile(
    r"\b(?:by|within|reduc\w*|increas\w*|decreas\w*|improv\w*|drop\w*|fell|fall\w*|ros[ei]\w*"
    r"|grow\w*|grew|gain\w*|los[st]\w*|lower\w*|rais\w*|boost\w*|cut|points?|standard|sd"
    r"|deviations?|effect|times|fold)\b|=",
    re.I,
)


def _as_fraction(m: re.Match[str]) -> str:
    """The value as a fraction in one spelling: "91%", "91 percent" and "0.91" are "v0_91"."""
    value = float(m.group(1)) / 100 if m.group(1) else float(m.group(3))
    return " v" + f"{value:.6f}".rstrip("0").rstrip(".").replace(".", "_") + " "


def decide(
    a: Side,
    b: Side,
    ab: NLIScores,
    ba: NLIScores,
    params: JudgeParams,
    controls: SideControls = NO_CONTROLS,
) -> Judgement:
    """Combine the model's two directions with the structured evidence (and the sides'
    control readings, `scores`). The same statement on both sides is a convergence (a
    restatement: `same`), whatever the model reads; so is an agreement in which a side
    defines a term (`definitional`)."""
    ev = evidence_of(a, b)
    notes = list(ev.notes) + control_notes(ab, ba, controls)
    # B→A is the A→B reading itself (the same object) when the cascade skipped it
    # (Judge.skip_neutral)
    early = [d for d, r in (("A→B", ab), ("B→A", ba)) if r.early and (d == "A→B" or ba is not ab)]
    if early:
        notes.append(
            f"early exit: {' and '.join(early)} read as plainly neutral after the lower layers "
            "(investigators.nli.early_exit)"
        )
    if ba is ab:
        notes.append("B→A not read (A→B read as plainly neutral): its figures repeat A→B's")
    s_c, s_v = scores(ab, ba, ev, controls)
    same = same_statement(a.text, b.text)
    if same:
        s_c, s_v = 0.0, 1.0
        notes.append("the same statement (case, quotation marks and punctuation aside)")
    blockers: list[str] = []
    scope = scope_difference(a.text, b.text)
    if scope:
        blockers.append(f"different conditions ({scope})")
    for side, name in ((a, "A"), (b, "B")):
        if side.speaker == REPORTED_VIEW:
            blockers.append(f"{name} is a reported view, not an assertion")
        if side.text.rstrip().endswith("?"):
            blockers.append(f"{name} is a question")
    if s_c >= params.threshold_contradiction and same_polarity(a.text, b.text):
        blockers.append(
            "the same polarity: the words differ only by a negated opposite or two negations "
            "('does not degrade' / 'improves'), or by opposite changes under one negation "
            "('does not improve' / 'does not degrade'), so the one implies the other or both "
            "can hold"
        )
    contradicts = s_c >= params.threshold_contradiction and not blockers and not same
    p_c = platt(s_c, params.contradiction)
    p_v = platt(s_v, params.convergence)
    level = params.structural_level()
    if contradicts and ev.structural and level is not None:
        # a contradiction call resting on a minimal pair or incompatible values: the map was
        # fitted on calls resting on the model's reading alone, so it takes its own level,
        # and the convergence probability yields to it
        p_c, p_v = level, min(p_v, 1.0 - level)
        right, calls = params.structural_contradiction or (0, 0)
        notes.append(
            f"{STRUCTURAL}: a minimal pair or incompatible values, so P(contradiction) is the "
            f"share of such calls people read that were right, {right} of {calls} (shrunk: "
            f"{level:.2f})"
            if calls
            else f"{STRUCTURAL}: a minimal pair or incompatible values, and none such has been "
            f"read yet, so P(contradiction) is {level:.2f} (unknown), not the level of calls "
            "resting on the model's reading alone"
        )
    elif p_c + p_v > 1:  # two separate maps: keep the three probabilities a distribution
        p_c, p_v = p_c / (p_c + p_v), p_v / (p_c + p_v)
    p_u = max(0.0, 1.0 - p_c - p_v)
    if same:
        p_c, p_v, p_u = 0.0, 1.0, 0.0
    if ab.truncated or ba.truncated:
        notes.append(f"long statement truncated to the model's {MAX_WORDS}-word window")
    if same:
        kind, score = JudgementKind.CONVERGES_WITH, 1.0
    elif contradicts:
        kind, score = JudgementKind.CONTRADICTS, p_c
    elif s_v >= params.threshold_convergence and s_v >= s_c:
        kind, score = JudgementKind.CONVERGES_WITH, p_v
    else:
        # blocked contradictions are "different conditions": not a contradiction
        kind, score = JudgementKind.UNRELATED, (p_u + p_c) if blockers else p_u
    # an agreement with a definition is one of vocabulary: the caller files it as a
    # restatement (its probabilities stay the reading of how well the two agree)
    defines = definition_notes(a, b) if kind == JudgementKind.CONVERGES_WITH and not same else []
    notes += defines
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
        contradiction_score=round(s_c, 4),
        convergence_score=round(s_v, 4),
        ab=ab,
        ba=ba,
        evidence=notes + blockers,
        rationale="; ".join(parts),
        same=same,
        controls=controls,
        definitional=bool(defines),
    )


def definition_notes(a: Side, b: Side) -> list[str]:
    """One note per side that defines a term (`kg.definitions`), naming the words that do."""
    return [
        f"definition: {name} defines a term (“{cue}”), so agreeing with it is a restatement "
        "of vocabulary, not evidence"
        for side, name in ((a, "A"), (b, "B"))
        if (cue := definition_cue(side.text))
    ]


def needs_controls(j: Judgement, params: JudgeParams) -> bool:
    """Whether the sides' control readings could change this judgement: controls only lower
    the convergence score, so only a pair that reaches its threshold without them (and is not
    the same statement on both sides) is read again with them. Below the threshold the stated
    probabilities are those of the readings without controls."""
    return not j.same and j.convergence_score >= params.threshold_convergence


def decide_with_controls(
    pairs: list[tuple[Side, Side]],
    readings: list[tuple[NLIScores, NLIScores]],
    texts: list[tuple[str, str]],
    params: JudgeParams,
    read_controls: Callable[[list[str]], dict[str, Control]],
) -> list[Judgement]:
    """Decide each pair from its two readings. Controls only lower the convergence score, so
    only a pair that reaches its threshold without them (`needs_controls`) is decided again
    with its sides' control readings, read in one go by `read_controls` and keyed by `texts`
    (the two sides as the model read them). The judge and `training.fit_judge` both decide
    this way, so the fit and the judge agree."""
    first = [decide(a, b, ab, ba, params) for (a, b), (ab, ba) in zip(pairs, readings, strict=True)]
    near = [i for i, j in enumerate(first) if needs_controls(j, params)]
    ctrl = read_controls([t for i in near for t in texts[i]])
    for i in near:
        (a, b), (ta, tb) = pairs[i], texts[i]
        first[i] = decide(a, b, *readings[i], params, controls=(ctrl[ta], ctrl[tb]))
    return first


class Judge:
    """The NLI model plus the fitted combination; one batched model call per list."""

    name = "nli-judge"

    def __init__(
        self,
        model: NLIModel,
        params: JudgeParams | None = None,
        *,
        skip_neutral: float | None = None,
    ) -> None:
        self.model = model
        # the levels are checked against the weights in the model's folder, pinned or not (an
        # unpinned candidate folder's too; a file that differs from its pin is the model's own
        # error, raised when it loads); the model keeps that reading for its own load
        self.params = params or JudgeParams.load(
            model.model_dir / "judge.json", model_sha256=model.weights_sha256()
        )
        # None: always both directions. A value (e.g. 0.9): skip B→A when A→B is at least
        # this neutral (about half the model passes on real candidates; see bench/judgement)
        self.skip_neutral = skip_neutral
        # recent judgements by text pair, oldest first: investigators asking about the same
        # pairs in one run (the judge, then the LLM adjudicator's queues) cost one model call
        self._memo: dict[tuple[str, str], Judgement] = {}
        self._control_memo: dict[str, Control] = {}

    @property
    def version(self) -> str:
        """Changes whenever the weights or the fitted combination change."""
        p = self.params
        fit = hashlib.sha256(
            json.dumps(
                [p.contradiction, p.convergence, p.threshold_contradiction, p.threshold_convergence]
                + ([list(p.structural_contradiction)] if p.structural_contradiction else [])
            ).encode()
        )
        # the leading number is the decision rules' own version: raise it when `decide` or
        # the evidence it reads changes (3: one sentence with its models, datasets or years
        # swapped is a scope difference; 5: the two directions' contradiction averaged, each
        # discounted by the other direction's entailment; 6: the model reads each pair alone,
        # not in padded batches whose company moved its readings; 7: a minimal pair counts
        # as strongly as incompatible numbers, and the investigator no longer judges a list's
        # introduction or a heading, `nli_judge.checkable`; 8: a minimal pair is decided by
        # what differs, investigators.nli.minimal, not by how much is alike; 9: the same
        # statement on both sides is a restatement, `same_statement`; 10: an entailment into a
        # side counts only above its hypothesis-only control, investigators.nli.controls; 11:
        # an agreement in which a side defines a term is a restatement, `definition_notes`;
        # 12: a structural contradiction has its own level, `JudgeParams.structural_level`;
        # 13: differently numbered studies, benchmarks or experiments are different
        # conditions, and a number after such a label is no measurement, `kg.labels`; a word
        # against a word is unrelated, `input_notes`; 14: a comparison with the two things
        # compared swapped is a minimal pair, `minimal.swapped_pair`, and a value as a
        # percentage and as a fraction is the same statement, `same_statement`; each CJK
        # character counts as a word, `_words`; 15: a negated opposite or two negations is
        # the same polarity, never a contradiction, `minimal.same_polarity`, and an opposite
        # under a shared negation is no minimal pair), so existing findings are judged again
        return f"15+{self.model.name}+fit-{fit.hexdigest()[:8]}"

    def _controls(self, texts: list[str]) -> dict[str, Control]:
        """Control readings of these texts (investigators.nli.controls), remembered."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._control_memo]
        self._control_memo.update(control_readings(self.model, todo))
        out = {t: self._control_memo[t] for t in texts}
        while len(self._control_memo) > MEMO_SIZE:
            del self._control_memo[next(iter(self._control_memo))]
        return out

    def judge(self, pairs: list[tuple[Side, Side]]) -> list[Judgement]:
        """Judge every pair; both directions of all new pairs go to the model in one call."""
        todo = [p for p in pairs if (p[0].text, p[1].text) not in self._memo]
        for p, j in zip(todo, self._judge(todo), strict=True):
            self._memo[(p[0].text, p[1].text)] = j
        out = [self._memo[(a.text, b.text)] for a, b in pairs]
        # the oldest readings go first; clearing it all instead made the adjudicator judge a
        # whole batch again whenever the memo filled between the judge's call and its own
        while len(self._memo) > MEMO_SIZE:
            del self._memo[next(iter(self._memo))]
        return out

    def _judge(self, pairs: list[tuple[Side, Side]]) -> list[Judgement]:
        ta = [truncate(a.text) for a, _ in pairs]
        tb = [truncate(b.text) for _, b in pairs]
        cut = [(x[0], y[0]) for x, y in zip(ta, tb, strict=True)]
        if self.skip_neutral is None:
            scores = self.model.predict(cut + [(y, x) for x, y in cut])
            forward, backward = scores[: len(cut)], scores[len(cut) :]
        else:
            # cascade: B→A only where A→B is not already confidently neutral
            forward = self.model.predict(cut)
            need = [i for i, f in enumerate(forward) if f.neutral < self.skip_neutral]
            back = dict(
                zip(need, self.model.predict([(cut[i][1], cut[i][0]) for i in need]), strict=True)
            )
            backward = [back.get(i, f) for i, f in enumerate(forward)]
        readings: list[tuple[NLIScores, NLIScores]] = []
        for i in range(len(pairs)):
            ab, ba = forward[i], backward[i]
            skipped = ba is ab  # the cascade did not read B→A: it stands in for it
            if ta[i][1] or tb[i][1]:
                ab = replace(ab, truncated=True)
                ba = ab if skipped else ba
            readings.append((ab, ba))
        first = decide_with_controls(pairs, readings, cut, self.params, self._controls)
        out = []
        for (a, b), j in zip(pairs, first, strict=True):
            notes = input_notes(a.text, b.text)
            words = _words(a.text), _words(b.text)
            two_words = words == (1, 1) and not j.same
            if two_words:
                notes.append("two single words: nothing to compare")
            if two_words or 0 in words:
                # empty, or a word against another ("x" against "y" was a convergence; "Not
                # exactly." against "Exactly." is a contradiction, so one word alone is read)
                j = replace(
                    j, kind=JudgementKind.UNRELATED, score=1.0, p_contradiction=0.0,
                    p_convergence=0.0, p_unrelated=1.0,
                )  # fmt: skip
            if notes:
                j = replace(
                    j, evidence=j.evidence + notes, rationale="; ".join([j.rationale, *notes])
                )
            out.append(j)
        return out


# Function words of English and of the other languages most often met in Latin script: a
# statement that uses the latter more is not English, though every letter is ASCII or accented
# Latin ("Les modèles de langage sont dangereux pour la société." had no note).
_ENGLISH = frozenset(
    "the a an of and or to in on at is are was were be been it its this that these those with "
    "for by as from not no we our they their he she you than but if can will would".split()
)
_FOREIGN = frozenset(
    "le la les des du de et est sont une un pour dans avec pas que qui sur au aux ce cette "
    "el los las del por para es una lo como más "
    "der das und ist nicht mit von zu ein eine dem den für auf sich auch "
    "il di che è gli della sono "
    "os um uma não são com".split()
)  # not "per", "non", "die", "con", "y": English has them too ("30 tokens per second per GPU")


def _non_english(words: list[str], letters: list[str]) -> bool:
    """Mostly non-Latin letters, or more foreign than English function words (two at least)."""
    latin = sum(1 for ch in letters if ch.isascii() or "\u00c0" <= ch <= "\u024f")
    if letters and latin / len(letters) < 0.6:
        return True
    low = {w.lower() for w in words}  # distinct words: "per second per GPU" is one
    foreign = len(low & _FOREIGN - _ENGLISH)
    return foreign >= 2 and foreign > len(low & _ENGLISH)


# each CJK character a word, as the word-count of a language written without spaces (red-teamed:
# "线性探针能检测欺骗。" against its negation was "two single words: nothing to compare")
_WORD_OR_CJK = re.compile(f"{CJK}|(?:(?!{CJK})\\w)+")


def _words(text: str) -> int:
    return len(_WORD_OR_CJK.findall(text))


def input_notes(a: str, b: str) -> list[str]:
    """Warnings about inputs the model cannot read well (empty, one word, not English)."""
    notes: list[str] = []
    for text, name in ((a, "A"), (b, "B")):
        words = re.findall(r"\w+", text)
        if not words:
            notes.append(f"{name} has no words: nothing to compare")
            continue
        letters = [ch for ch in text if ch.isalpha()]
        foreign = _non_english(words, letters)
        # a run of CJK letters is one \w+ "word": no word count is read from it
        if len(words) == 1 and not foreign:
            notes.append(f"{name} is a single word: judgement is unreliable")
        if foreign:
            notes.append(f"{name} looks non-English: the model was trained on English only")
    return notes
