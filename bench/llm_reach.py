"""bench/candidates part 2: which labelled real pairs Claude would be asked about (no key).

The adjudicator's find queue (`investigators.llm_selection`): over a run's batches, the kept
candidate pairs the judge reads as unrelated that the retriever's ranker rates most likely
related; the run's best are asked at its end. Which pairs it picks needs no key: this runs
the same functions over the candidates a run keeps at budget 30 (claims in batches of
`investigators.runner.BATCH`, in index order) with the shipped judge and the default
settings, and counts the labelled real pairs among the picks. The check queue (the judge's
least certain readings) would need every kept pair judged (~10 min on the corpus) and is
assumed to fill its share; it is not run here.
"""

from __future__ import annotations

from collections import Counter

from consilience.settings import LLMSettings
from investigators.base import CandidatePair
from investigators.cypher import runner as rq
from investigators.llm_selection import QuestionPool, askable, likely_missed, reader, split_room
from investigators.nli.judge import Judge
from investigators.retrieval.fusion import Candidate
from investigators.runner import claim_view
from kg.graph import Graph
from training.real_pairs import RealPair

BUDGETS = (200, 1000)


def find_queue_reach(
    graph: Graph,
    judge: Judge,
    batches: list[dict[tuple[str, str], Candidate]],
    mapped: dict[str, tuple[str, str]],
    pairs: list[RealPair],
) -> dict[str, dict[str, str]]:
    """For each budget: labelled pairs (by split and label) among the find queue's picks."""
    llm = LLMSettings()
    band = (llm.band_low, llm.band_high)
    members = sorted({x for b in batches for key in b for x in key})
    with graph.read() as s:
        views = {r["id"]: claim_view(r.data()) for r in s.run(rq.CLAIM_VIEWS, ids=members)}
    label_of = {tuple(sorted(ab)): p for p in pairs if (ab := mapped.get(p.id))}
    judged = reader(judge)  # the judge remembers its readings: the two budgets share them

    out: dict[str, dict[str, str]] = {}
    for budget in BUDGETS:
        pool = QuestionPool(budget)
        for batch in batches:
            cands = askable(
                [
                    CandidatePair(a=views[a], b=views[b], similarity=0.0, retrieval_score=c.fused)
                    for (a, b), c in batch.items()
                    if a in views and b in views
                ]
            )
            pool.offer(likely_missed(cands, judged, band, budget))
        # the check queue is assumed to fill its share (the main job's band holds ~3,000)
        _, n_find = split_room(budget, llm.find_share, budget, len(pool))
        picked = pool.best()[:n_find]
        hits = Counter(
            (p.split, p.label)
            for q in picked
            if (p := label_of.get(tuple(sorted((q.pair.a.id, q.pair.b.id))))) is not None
        )
        out[str(budget)] = {
            split: ", ".join(f"{lab} {n}" for (sp, lab), n in sorted(hits.items()) if sp == split)
            or "none"
            for split in ("test", "calibration")
        }
        out[str(budget)]["questions"] = str(len(picked))
    return out
