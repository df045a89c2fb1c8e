"""Nearest-neighbour pairs from the FAISS copy (the summary-detection pre-pass uses them;
investigation candidates come from investigators.retrieval)."""

from __future__ import annotations

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
