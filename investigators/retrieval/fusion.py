"""Reciprocal-rank fusion of channel rankings under a per-claim budget (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

RRF_K = 60


@dataclass
class Candidate:
    """One unordered pair, with every channel that proposed it and the best fused rank."""

    a: str
    b: str
    fused: float = 0.0
    rank: int = 10**9
    channels: dict[str, float] = field(default_factory=dict)


Ranking = list[tuple[str, float]]  # (other claim id, channel score), best first


def fuse(
    per_claim: dict[str, dict[str, Ranking]],
    source_of: dict[str, str],
    budget: int,
    weights: Mapping[str, float] | None = None,
) -> dict[tuple[str, str], Candidate]:
    """For each claim: RRF over its channels (each rank worth `weights[channel] / (60 + rank)`,
    weight 1 by default), other sources only, top `budget` kept.

    A pair proposed from both sides keeps the union of channels and its best rank.
    """
    weights = weights or {}
    out: dict[tuple[str, str], Candidate] = {}
    for cid, channels in per_claim.items():
        mine = source_of.get(cid)
        scores: dict[str, float] = {}
        seen: dict[str, dict[str, float]] = {}
        for name, ranking in channels.items():
            w = weights.get(name, 1.0)
            rank = 0
            for other, s in ranking:
                if other == cid or source_of.get(other) in (None, mine):
                    continue
                rank += 1
                scores[other] = scores.get(other, 0.0) + w / (RRF_K + rank)
                seen.setdefault(other, {})[name] = round(float(s), 4)
        best = sorted(scores.items(), key=lambda t: (-t[1], t[0]))[:budget]
        for r, (other, s) in enumerate(best, start=1):
            key = (cid, other) if cid < other else (other, cid)
            c = out.get(key)
            if c is None:
                c = out[key] = Candidate(a=key[0], b=key[1])
            c.fused = max(c.fused, round(s, 5))
            c.rank = min(c.rank, r)
            c.channels.update(seen[other])
    return out
