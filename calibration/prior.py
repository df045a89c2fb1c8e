"""The prior: what a claim is worth before any other document bears on it.

A Beta(mean * strength, (1 - mean) * strength) distribution. Hedging lowers the mean and the
strength (a wider interval); a probability the author states sets the mean, but a hedged one
("(>90%?)") only pulls halfway towards it and stays wide.
"""

from __future__ import annotations

import re

from calibration.models import ClaimFacts, Term

KIND_MEAN = {
    "finding": 0.60,
    "method": 0.65,
    "definition": 0.70,
    "prediction": 0.45,
    "recommendation": 0.50,
    "opinion": 0.50,
    "statement": 0.55,
}
HEDGE = {  # (shift of the mean, factor on the strength)
    "none": (0.0, 1.0),
    "weak": (-0.05, 0.85),
    "moderate": (-0.10, 0.7),
    "strong": (-0.20, 0.5),
}
SOURCE_SHIFT = {
    "paper": 0.05,
    "protocol": 0.0,
    "post": 0.0,
    "research_log": -0.02,
    "interview": -0.02,
    "web_page": -0.03,
    "summary": -0.05,
    "news_digest": -0.05,
    "announcement": -0.05,
    "unknown": 0.0,
}
BASE_STRENGTH = 4.0
STATED_STRENGTH = 6.0
HEDGED_STATED_STRENGTH = 2.0
RETRACTED_MEAN = 0.2


def _clamp(x: float) -> float:
    return min(0.98, max(0.02, x))


_QUOTED = re.compile(r"[“\"]([^”\"]{0,400})[”\"]")


def stated_is_illustrative(text: str, numbers: list[dict[str, object]], p: float | None) -> bool:
    """A stated probability that is an example or sits inside a quoted standard ("we'd be fine
    with 'each has an independent 90% chance'") is not the author's belief about the claim."""
    if p is None:
        return False
    pct = f"{round(p * 100):d}%"
    if any(
        n.get("illustrative") and n.get("unit") == "%" and n.get("value") == p * 100
        for n in numbers
    ):
        return True
    return any(pct in m.group(1) for m in _QUOTED.finditer(text))


def prior_of(c: ClaimFacts) -> Term:
    """The prior as the first derivation term (alpha, beta are its pseudo-counts)."""
    shift, factor = HEDGE.get(c.hedge, HEDGE["moderate"])
    mean = _clamp(KIND_MEAN.get(c.kind, 0.5) + shift + SOURCE_SHIFT.get(c.source_kind, 0.0))
    strength = BASE_STRENGTH * factor
    why = f"{c.kind} claim, hedge {c.hedge}, from a {c.source_kind}"
    if c.stated_probability is not None and c.stated_illustrative:
        why += f"; the {c.stated_probability:.0%} it mentions is an example, not a belief"
    elif c.stated_probability is not None:
        stated = _clamp(c.stated_probability)
        hedged = "?" in c.hedge_cues or c.hedge in ("moderate", "strong")
        if hedged:
            mean = _clamp((mean + stated) / 2)
            strength = HEDGED_STATED_STRENGTH
            why += f"; the author's hedged {stated:.0%} pulls it halfway and keeps it wide"
        else:
            mean, strength = stated, STATED_STRENGTH
            why += f"; the author states {stated:.0%}"
    if c.source_retracted:
        mean, strength = min(mean, RETRACTED_MEAN), BASE_STRENGTH
        why += "; its source was retracted"
    return Term(
        name="prior",
        detail=f"prior mean {mean:.2f} (strength {strength:.1f}): {why}",
        alpha=mean * strength,
        beta=(1 - mean) * strength,
    )
