"""Detect summaries from overlap: most of a short source restates a longer one (pure)."""

from __future__ import annotations


def detect_summaries(
    close_pairs: dict[tuple[str, str], float],
    source_of: dict[str, str],
    claims_in: dict[str, int],
    *,
    min_share: float = 0.25,
    min_claims: int = 3,
) -> list[tuple[str, str, float]]:
    """(summary source, summarised source, share) for source pairs where at least
    `min_share` of the shorter source's claims closely restate claims of the longer one."""
    restating: dict[tuple[str, str], set[str]] = {}
    for a, b in close_pairs:
        sa, sb = source_of.get(a), source_of.get(b)
        if sa is None or sb is None or sa == sb:
            continue
        short, long_ = (sa, sb) if claims_in.get(sa, 0) <= claims_in.get(sb, 0) else (sb, sa)
        restating.setdefault((short, long_), set()).add(a if short == sa else b)
    out = []
    for (short, long_), claims in restating.items():
        share = len(claims) / max(1, claims_in.get(short, 0))
        if len(claims) >= min_claims and share >= min_share:
            out.append((short, long_, round(share, 3)))
    return out
