"""Explainable conflict cues between two claims (pure functions)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from investigators.lexicon import (
    ANTONYMS,
    EXISTENTIAL_NONE,
    FEW,
    MOST,
    NEGATIONS,
    UNIVERSAL,
    content_words,
    tokens,
)
from kg.models import Quantity


@dataclass(frozen=True)
class Cue:
    name: str  # negation, antonym, number, quantifier, hedge
    weight: float  # how strongly this cue alone signals a contradiction
    detail: str


def _negation_count(toks: list[str]) -> int:
    return sum(1 for t in toks if t in NEGATIONS or t.endswith("n't"))


def overlap(a: str, b: str) -> float:
    """Jaccard overlap of content words (negations excluded)."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def negation_cue(a: str, b: str) -> Cue | None:
    ta, tb = tokens(a), tokens(b)
    na, nb = _negation_count(ta), _negation_count(tb)
    if (na % 2) == (nb % 2):
        return None
    ov = overlap(a, b)
    if ov < 0.4:
        return None
    return Cue(
        "negation",
        0.55 + 0.4 * ov,
        f"one side is negated ({na} vs {nb} negations) with {ov:.0%} shared content",
    )


def antonym_cue(a: str, b: str) -> Cue | None:
    ca, cb = Counter(tokens(a)), Counter(tokens(b))
    only_a = {w for w in ca if ca[w] > cb.get(w, 0)}  # counts, so a word used twice
    only_b = {w for w in cb if cb[w] > ca.get(w, 0)}  # and swapped once still shows
    for w in sorted(only_a):
        opposites = ANTONYMS.get(w, frozenset()) & only_b
        if opposites:
            o = sorted(opposites)[0]
            ov = overlap(_without_word(a, w), _without_word(b, o))
            if ov >= 0.3:
                return Cue(
                    "antonym", 0.5 + 0.45 * ov, f"'{w}' vs '{o}' with {ov:.0%} shared content"
                )
    return None


def _without_word(text: str, word: str) -> str:
    """The text without that whole word ("cause" leaves "because" alone)."""
    return re.sub(rf"(?<![\w'’-]){re.escape(word)}(?![\w'’-])", "", text, flags=re.IGNORECASE)


def quantifier_cue(a: str, b: str) -> Cue | None:
    sa, sb = set(tokens(a)), set(tokens(b))
    pairs = ((UNIVERSAL, EXISTENTIAL_NONE), (MOST, FEW), (UNIVERSAL, FEW))
    for left, right in pairs:
        for x, y in ((sa, sb), (sb, sa)):
            lw, rw = (x & left) - y, (y & right) - x
            if lw and rw and overlap(a, b) >= 0.3:
                return Cue("quantifier", 0.7, f"'{sorted(lw)[0]}' vs '{sorted(rw)[0]}'")
    return None


def _interval(q: Quantity) -> tuple[float, float]:
    lo, hi = q.value, q.value_max if q.value_max is not None else q.value
    if q.comparator in (">", ">=", ">>"):
        hi = float("inf")
    elif q.comparator in ("<", "<=", "<<"):
        lo = float("-inf")
    elif q.comparator == "~":
        lo, hi = lo * 0.9, hi * 1.1
    return lo, hi


def number_cue(a_nums: list[Quantity], b_nums: list[Quantity], a: str, b: str) -> Cue | None:
    """Incompatible values for the same quantity (same unit and measure, similar context)."""
    if overlap(a, b) < 0.3:
        return None

    def shared(q: Quantity, others: list[Quantity]) -> bool:
        return any(
            abs(q.value - o.value) <= 1e-9 and (q.unit or "") == (o.unit or "") for o in others
        )

    # Compare only the numbers that differ between the two sides: two different numbers
    # inside one sentence are not a conflict with a copy of that sentence.
    a_only = [x for x in a_nums if not shared(x, b_nums)]
    b_only = [y for y in b_nums if not shared(y, a_nums)]
    for x in a_only:
        for y in b_only:
            if x.illustrative or y.illustrative or x.measured == "year" or y.measured == "year":
                continue
            if (x.unit or "") != (y.unit or ""):
                continue
            if x.measured and y.measured and x.measured != y.measured:
                continue
            (alo, ahi), (blo, bhi) = _interval(x), _interval(y)
            if ahi < blo or bhi < alo:
                gap = abs(x.value - y.value) / max(abs(x.value), abs(y.value), 1e-9)
                if gap < 0.05:
                    continue
                what = x.measured or y.measured or "the same quantity"
                return Cue(
                    "number", 0.6 + 0.35 * min(1.0, gap * 2), f"{what}: '{x.text}' vs '{y.text}'"
                )
    return None


_HEDGE_RANK = {"none": 0, "weak": 1, "moderate": 2, "strong": 3}


def hedge_cue(a_hedge: str, b_hedge: str, a: str, b: str) -> Cue | None:
    """A firm assertion against a strongly hedged version of the same statement."""
    if abs(_HEDGE_RANK.get(a_hedge, 0) - _HEDGE_RANK.get(b_hedge, 0)) >= 2 and overlap(a, b) >= 0.5:
        return Cue("hedge", 0.3, f"certainty differs: {a_hedge} vs {b_hedge}")
    return None
