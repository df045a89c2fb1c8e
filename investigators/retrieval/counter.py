"""Counter-queries: a claim rewritten toward its opposite, so it meets what denies it."""

from __future__ import annotations

import random

from investigators.nli.perturb import antonym, comparative, negate, quantifier, recommendation

_FLIPS = (comparative, antonym, recommendation, quantifier, negate)


def counter_queries(text: str, most: int = 2) -> list[str]:
    """Up to `most` distinct opposite rewrites (deterministic)."""
    rng = random.Random(len(text))
    out: list[str] = []
    for fn in _FLIPS:
        new = fn(text, rng)
        if new and new != text and new not in out:
            out.append(new)
        if len(out) >= most:
            break
    return out
