"""Candidate pairs: FAISS nearest neighbours across sources, narrowed by structure."""

from __future__ import annotations

from investigators.lexicon import content_words
from kg.faiss_index import ClaimIndex


def neighbour_pairs(
    index: ClaimIndex, claim_ids: list[str], *, k: int = 15, min_similarity: float = 0.55
) -> dict[tuple[str, str], float]:
    """{(a, b): similarity} for each claim's k nearest neighbours (ordered pair keys).

    Cost is one k-NN query per new claim: it grows with new claims, not the graph squared.
    Pairs within one source are dropped by the caller, which knows the sources.
    """
    ids, vecs = index.vectors(claim_ids)
    if not ids:
        return {}
    scores, neighbours = index.search(vecs, k + 1)
    pairs: dict[tuple[str, str], float] = {}
    for a, srow, nrow in zip(ids, scores, neighbours, strict=True):
        for score, b in zip(srow, nrow, strict=False):
            if b == a or score < min_similarity:
                continue
            key = (a, b) if a < b else (b, a)
            pairs[key] = max(pairs.get(key, 0.0), float(score))
    return pairs


def quantity_pairs(
    index: ClaimIndex, partners: dict[str, list[str]], *, min_similarity: float = 0.35
) -> dict[tuple[str, str], float]:
    """Pairs of claims that measure the same quantity, scored by embedding similarity."""
    pairs: dict[tuple[str, str], float] = {}
    for a, others in partners.items():
        ids, vecs = index.vectors([a, *others])
        if len(ids) < 2 or ids[0] != a:
            continue
        sims = vecs[1:] @ vecs[0]
        for b, sim in zip(ids[1:], sims, strict=True):
            if float(sim) >= min_similarity:
                key = (a, b) if a < b else (b, a)
                pairs[key] = max(pairs.get(key, 0.0), float(sim))
    return pairs


def same_subject(a_text: str, b_text: str, a_measured: set[str], b_measured: set[str]) -> bool:
    """Narrowing: the two claims share a content word or measure the same quantity."""
    return bool(content_words(a_text) & content_words(b_text)) or bool(a_measured & b_measured)
