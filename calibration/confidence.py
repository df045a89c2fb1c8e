"""Claim confidence: prior + evidence grouped by independent line + penalties -> Beta posterior.

Pure functions. Rules, each recorded as a derivation term:
- dismissed findings, restatements, dependent agreement and evidence from retracted sources
  do not count; agreement from the claim's own line of research does not count;
- evidence is grouped by the other side's line of research (or its source when it has no
  line); within a group only the strongest item counts, so dependent sources count once and a
  duplicate changes nothing;
- each group adds LINE_WEIGHT pseudo-counts times its weight (1 for a human-confirmed finding,
  else the calibrated probability that a human would confirm it);
- support from one line only, or from lines that all use one method, is discounted;
- open contradictions keep the mean but widen the interval, and mark the claim contested.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import betaincinv

from calibration.models import ClaimFacts, Confidence, Evidence, Term, map_key
from calibration.prior import prior_of
from consilience.vocabulary import FindingKind, FindingStatus

LINE_WEIGHT = 2.0
CONCENTRATION_DISCOUNT = 0.5
OPEN_CONTRADICTION_WIDENING = 0.25
INTERVAL = (0.05, 0.95)

Weigher = Callable[[str, float], tuple[float, bool]]
"""(`calibration.fit.map_key`: investigator and kind, score) -> (probability a human confirms,
whether a fitted map gave it)."""


def raw_weigher(investigator: str, score: float) -> tuple[float, bool]:
    return score, False


def _direction(c: ClaimFacts, e: Evidence) -> str | None:
    if e.kind == FindingKind.CONVERGES_WITH and e.independent is not False:
        return "support"
    if e.kind == FindingKind.CONTRADICTS:
        return "oppose"
    if e.kind == FindingKind.DISTORTS and e.side == "a":  # side a is the summary that distorts
        return "oppose"
    if e.kind == FindingKind.CONCENTRATED:
        return "concentration"
    return None


def _group(e: Evidence) -> str:
    if e.other_line_id:
        return f"line:{e.other_line_id}"
    if e.other_source_id:
        return f"source:{e.other_source_id}"
    return f"finding:{e.finding_id}"


def _skip_reason(c: ClaimFacts, e: Evidence, direction: str | None) -> str | None:
    if e.status == FindingStatus.DISMISSED:
        return "dismissed by a reviewer"
    if e.other_retracted:
        return "the other side's source was retracted"
    if direction in ("support", "oppose") and e.other_claim_id is None:
        return "the other side no longer exists"
    if direction is None:
        return f"{e.kind} is not evidence about the claim's truth"
    if direction == "support" and c.line_id and e.other_line_id == c.line_id:
        return "agreement from the claim's own line of research"
    if direction == "oppose" and e.kind == FindingKind.CONTRADICTS and e.other_summarises:
        # red-teamed: a summary misquoting a paper lowered the paper's confidence (and kept
        # it contested); the distortion counts against the summary's claim
        return "contradicted by a summary of the claim's own source: the summary's distortion"
    return None


@dataclass(frozen=True)
class _Posterior:
    """A derivation before its interval: everything `Confidence` holds but `low`/`high`."""

    claim_id: str
    alpha: float
    beta: float
    support_lines: int
    oppose_lines: int
    effective_lines: float
    open_contradictions: int
    n_findings: int
    terms: tuple[Term, ...]

    def confidence(self, low: float, high: float) -> Confidence:
        return Confidence(
            claim_id=self.claim_id,
            p=self.alpha / (self.alpha + self.beta),
            low=low,
            high=high,
            alpha=self.alpha,
            beta=self.beta,
            support_lines=self.support_lines,
            oppose_lines=self.oppose_lines,
            effective_lines=self.effective_lines,
            open_contradictions=self.open_contradictions,
            contested=self.open_contradictions > 0,
            n_findings=self.n_findings,
            terms=self.terms,
        )


def derive(
    c: ClaimFacts,
    evidence: Iterable[Evidence],
    weigh: Weigher = raw_weigher,
    prior: Term | None = None,
) -> Confidence:
    """The claim's confidence and its full derivation. `prior` is `prior_of(c)` when the
    caller already has it (many claims share one: `calibration.updater` keeps them)."""
    return derive_many([(c, evidence, prior)], weigh)[0]


def derive_many(
    claims: Sequence[tuple[ClaimFacts, Iterable[Evidence], Term | None]],
    weigh: Weigher = raw_weigher,
) -> list[Confidence]:
    """`derive` for many claims: (facts, evidence, prior or None) each. The intervals come
    from one call of scipy's `betaincinv` on arrays: the same values as one call per claim, in
    half its time per claim (5.6 against 11.4 us here; a full recompute of 100k claims spent
    ~1 s in the scalar calls)."""
    posts = [_posterior(c, evidence, weigh, prior) for c, evidence, prior in claims]
    if not posts:
        return []
    alpha = np.array([p.alpha for p in posts])
    beta = np.array([p.beta for p in posts])
    lows, highs = (betaincinv(alpha, beta, q).tolist() for q in INTERVAL)
    return [p.confidence(lo, hi) for p, lo, hi in zip(posts, lows, highs, strict=True)]


def _posterior(
    c: ClaimFacts, evidence: Iterable[Evidence], weigh: Weigher, prior: Term | None
) -> _Posterior:
    items = sorted(evidence, key=lambda e: e.finding_id)
    terms = [prior if prior is not None else prior_of(c)]
    alpha, beta = terms[0].alpha, terms[0].beta
    groups: dict[tuple[str, str], tuple[float, list[str], set[str]]] = {}
    skipped: dict[str, list[str]] = {}
    concentrated: list[str] = []
    open_groups: set[str] = set()
    for e in items:
        direction = _direction(c, e)
        reason = _skip_reason(c, e, direction)
        if reason:
            skipped.setdefault(reason, []).append(e.finding_id)
            continue
        if direction == "concentration":
            concentrated.append(e.finding_id)
            continue
        assert direction is not None
        w = (
            1.0
            if e.status == FindingStatus.CONFIRMED
            else float(weigh(map_key(e.investigator, e.kind), e.score)[0])
        )
        key = (direction, _group(e))
        best, ids, methods = groups.get(key, (0.0, [], set(e.other_methods)))
        groups[key] = (max(best, w), [*ids, e.finding_id], methods & set(e.other_methods))
        if e.kind == FindingKind.CONTRADICTS and e.status == FindingStatus.OPEN:
            open_groups.add(key[1])
    for reason, ids in sorted(skipped.items()):
        terms.append(
            Term(name="ignored", detail=f"{len(ids)} finding(s): {reason}", findings=tuple(ids))
        )

    support = sorted(((g, v) for (d, g), v in groups.items() if d == "support"), key=_order)
    oppose = sorted(((g, v) for (d, g), v in groups.items() if d == "oppose"), key=_order)
    weights = [w for _, (w, _, _) in support]
    common = set.intersection(*(m for _, (_, _, m) in support)) if len(support) > 1 else set()
    for i, (g, (w, ids, _)) in enumerate(support):
        factor, why = 1.0, ""
        if len(support) == 1:
            factor, why = CONCENTRATION_DISCOUNT, "; all support comes from this one line"
        elif common and i > 0:
            factor, why = CONCENTRATION_DISCOUNT, f"; every line uses {sorted(common)[0]}"
        elif concentrated and i > 0:
            factor, why = CONCENTRATION_DISCOUNT, "; evidence is concentrated (investigator)"
        weights[i] = w * factor
        alpha += LINE_WEIGHT * w * factor
        terms.append(
            Term(
                name="support",
                detail=f"independent line {g}: weight {w:.2f}{why}",
                alpha=LINE_WEIGHT * w * factor,
                group=g,
                findings=tuple(ids),
            )
        )
    for g, (w, ids, _) in oppose:
        beta += LINE_WEIGHT * w
        terms.append(
            Term(
                name="oppose",
                detail=f"opposing line {g}: weight {w:.2f}",
                beta=LINE_WEIGHT * w,
                group=g,
                findings=tuple(ids),
            )
        )
    if open_groups:
        shrink = 1.0 / (1.0 + OPEN_CONTRADICTION_WIDENING * len(open_groups))
        terms.append(
            Term(
                name="penalty",
                detail=f"{len(open_groups)} open contradiction(s): interval widened "
                f"(evidence scaled by {shrink:.2f}) until reviewed",
                alpha=alpha * shrink - alpha,
                beta=beta * shrink - beta,
            )
        )
        alpha, beta = alpha * shrink, beta * shrink
    total = sum(weights)
    n_eff = total * total / sum(w * w for w in weights) if total > 0 else 0.0
    return _Posterior(
        claim_id=c.id,
        alpha=alpha,
        beta=beta,
        support_lines=len(support),
        oppose_lines=len(oppose),
        effective_lines=round(n_eff, 4),
        open_contradictions=len(open_groups),
        n_findings=len(items),
        terms=tuple(terms),
    )


def _order(item: tuple[str, tuple[float, list[str], set[str]]]) -> tuple[float, str]:
    """Strongest first; ties by group id, so the result never depends on insertion order."""
    return (-item[1][0], item[0])
