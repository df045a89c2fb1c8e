"""The learned pair ranker: which of a claim's candidates the judge should see first.

Reciprocal-rank fusion treats every channel alike and knows nothing of the claims. The
ranker is a logistic model over the same channel ranks plus what the graph already says
about the pair and the candidate: claim and source similarity, the candidate's length and
kind, whether it is a footnote, whether its source is a paper, and how large its source is
(a claim of a 1,000-claim interview is a worse bet than one of an 8-claim abstract). It is
fitted on the calibration split of the labelled real pairs (`consilience model
fit-ranker`) and stored as a small JSON file of coefficients in `models/retrieval-ranker/`.

Pure: the retriever supplies rankings, vectors and traits; nothing here reads the graph.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ValidationError

from consilience.errors import ConfigurationError
from investigators.retrieval.fusion import Candidate, Ranking

RANKER_PATH = Path(__file__).resolve().parents[2] / "models" / "retrieval-ranker" / "ranker.json"
RANKED_CHANNELS = ("dense", "context", "lexical", "aspect", "counter", "topic", "nearby")
# The LLM channel (it needs a key) was never seen in fitting: the ranker has no coefficient
# for it, so its first LLM_KEEP candidates per claim are kept beyond the budget instead.
# Quantity candidates (no labelled pair reached) count only through the other features.
LLM_KEEP = 3
KINDS = ("finding", "method", "definition", "prediction", "recommendation", "opinion")
FEATURES = (
    *(f"rr_{c}" for c in RANKED_CHANNELS),
    "cos",
    "source_sim",
    "log_length",
    "short",
    *(f"kind_{k}" for k in KINDS),
    "footnote",
    "paper",
    "log_source_claims",
)
RANK_OFFSET = 5  # rr = 1 / (5 + rank): the first few ranks matter, not only the first


class RankerError(ConfigurationError):
    """The ranker file is missing, corrupt or fitted on other features, or cannot be fitted."""


@dataclass(frozen=True)
class Traits:
    """What the graph knows about a claim that bears on whether it is worth judging."""

    length: int
    kind: str
    footnote: bool
    source_kind: str


class RankerModel(BaseModel):
    """Fitted coefficients (standardised features) and where they came from."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    trained_on: dict[str, object] = {}

    def score(self, x: np.ndarray) -> np.ndarray:
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return z @ np.asarray(self.coef) + self.intercept


def load_ranker(path: Path = RANKER_PATH) -> RankerModel:
    """The committed ranker; a clear error when it is missing, corrupt or out of date."""
    hint = (
        f"Restore it with `git checkout -- {path.name}` in {path.parent}, refit it with "
        "`consilience model fit-ranker`, or set CONSILIENCE_RETRIEVAL__RANKER=rrf."
    )
    try:
        model = RankerModel.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise RankerError(f"The retrieval ranker {path} is missing.", hint) from exc
    except (ValueError, ValidationError) as exc:
        raise RankerError(f"The retrieval ranker {path} is not valid ({exc}).", hint) from exc
    if model.features != list(FEATURES) or not (
        len(model.mean) == len(model.scale) == len(model.coef) == len(FEATURES)
    ):
        raise RankerError(f"The retrieval ranker {path} was fitted on other features.", hint)
    return model


def trait_features(t: Traits | None, source_claims: int) -> list[float]:
    """The candidate's own features (log length .. log source size)."""
    if t is None:  # a claim the graph did not describe: middling on every count
        t = Traits(length=100, kind="statement", footnote=False, source_kind="unknown")
    return [
        math.log(t.length + 1),
        float(t.length < 60),
        *(float(t.kind == k) for k in KINDS),
        float(t.footnote),
        float(t.source_kind in ("paper", "summary")),
        math.log(max(1, source_claims)),
    ]


@dataclass
class Pool:
    """One claim's candidates (other sources only) with their per-channel ranks."""

    others: list[str]
    ranks: list[dict[str, int]]
    scores: list[dict[str, float]]


def pool_of(cid: str, channels: Mapping[str, Ranking], source_of: Mapping[str, str]) -> Pool:
    """Every candidate any channel proposed for `cid`, ranked within each channel among
    claims of other sources (the claim's own source never counts). Scores are kept as the
    channels gave them (`_keep` rounds the few that are kept: rounding every pool entry was a
    sixth of this function's time at ~400 entries per claim)."""
    mine = source_of.get(cid)
    index: dict[str, int] = {}
    others: list[str] = []
    all_ranks: list[dict[str, int]] = []
    all_scores: list[dict[str, float]] = []
    for name, ranking in channels.items():
        rank = 0
        for other, s in ranking:
            theirs = source_of.get(other)
            if theirs is None or theirs == mine or other == cid:
                continue
            rank += 1
            i = index.get(other)
            if i is None:
                index[other] = len(others)
                others.append(other)
                all_ranks.append({name: rank})
                all_scores.append({name: s})
            else:
                all_ranks[i].setdefault(name, rank)
                all_scores[i].setdefault(name, s)
    return Pool(others, all_ranks, all_scores)


_RANK_COLUMN = {c: i for i, c in enumerate(RANKED_CHANNELS)}


def pair_matrix(
    pool: Pool,
    cos: np.ndarray,
    source_sim: np.ndarray,
    traits: Callable[[str], list[float]],
) -> np.ndarray:
    """The feature rows of one claim's pool (FEATURES order); channels without a coefficient
    (llm, quantity) add no feature. Built by columns (one Python pass collects the ranks):
    row by row it took about a second per 300 new claims (~110k pool entries, profiled)."""
    n, k = len(pool.others), len(RANKED_CHANNELS)
    x = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if not n:
        return x
    rows: list[int] = []
    cols: list[int] = []
    ranks: list[int] = []
    for j, by_channel in enumerate(pool.ranks):
        for name, r in by_channel.items():
            c = _RANK_COLUMN.get(name)
            if c is not None:
                rows.append(j)
                cols.append(c)
                ranks.append(r)
    x[rows, cols] = 1.0 / (RANK_OFFSET + np.asarray(ranks, dtype=np.float64))
    x[:, k] = cos
    x[:, k + 1] = source_sim
    x[:, k + 2 :] = np.asarray([traits(o) for o in pool.others], dtype=np.float64)
    return x


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _order(pool: Pool, scores: np.ndarray) -> list[int]:
    return sorted(range(len(pool.others)), key=lambda j: (-scores[j], pool.others[j]))


def _keep(
    cid: str,
    pool: Pool,
    scores: np.ndarray,
    order: list[int],
    kept: list[int],
    out: dict[tuple[str, str], Candidate],
) -> None:
    """`kept` (positions in the pool) into `out`, fused = the ranker's probability, and the
    LLM channel's first LLM_KEEP candidates beyond them (the ranker never saw them)."""
    chosen = set(kept)
    llm = sorted(
        (
            j
            for j in order
            if j not in chosen and pool.ranks[j].get("llm", LLM_KEEP + 1) <= LLM_KEEP
        ),
        key=lambda j: pool.ranks[j]["llm"],
    )
    for r, j in enumerate(kept + llm, start=1):
        key = _pair(cid, pool.others[j])
        c = out.get(key)
        if c is None:
            c = out[key] = Candidate(a=key[0], b=key[1])
        c.fused = max(c.fused, round(1.0 / (1.0 + math.exp(-float(scores[j]))), 5))
        c.rank = min(c.rank, r)
        c.channels.update({ch: round(float(v), 4) for ch, v in pool.scores[j].items()})


# Sharing the budget across a batch: every claim keeps at least its FLOOR best candidates and
# at most CAP_FACTOR x budget.
FLOOR = 5
CAP_FACTOR = 3


def keep_shared(
    scored: Mapping[str, tuple[Pool, np.ndarray]],
    budget: int,
    out: dict[tuple[str, str], Candidate],
) -> None:
    """A batch of new claims shares `budget` x (claims in the batch) pairs: each claim's
    FLOOR best first, then the best-scored of the rest across the whole batch, at most
    CAP_FACTOR x budget per claim, and each claim's first LLM_KEEP LLM candidates beyond that.

    Some claims have many good candidates (a finding of a short abstract among papers on
    its topic), others none worth judging (a heading, a procedural sentence); a fixed
    `budget` per claim spends the same on both. On the labelled real pairs (bench/candidates)
    sharing it reaches more of them with fewer pairs: at budget 30, 24 of 37 test
    contradictions and 45 of 58 convergences against 20 and 38, 25.5 pairs per claim
    against 26.4. The cost stays budget x new claims: linear in what a run adds."""
    floor, cap = min(FLOOR, budget), CAP_FACTOR * budget
    # logits beyond ±50 rank alike (and their probability stays finite); NaN ranks last
    clean = {
        cid: (pool, np.clip(np.nan_to_num(sc, nan=-50.0), -50.0, 50.0))
        for cid, (pool, sc) in scored.items()
    }
    orders = {cid: _order(pool, scores) for cid, (pool, scores) in clean.items()}
    best: dict[tuple[str, str], tuple[bool, float]] = {}  # (a floor pick, score)
    for cid, (pool, scores) in clean.items():
        for r, j in enumerate(orders[cid][:cap]):
            key = _pair(cid, pool.others[j])
            value = (r < floor, float(scores[j]))
            if key not in best or value > best[key]:
                best[key] = value
    total = budget * len(scored)
    ranked = sorted(best, key=lambda k: (not best[k][0], -best[k][1], k))
    chosen = set(ranked[:total])
    for cid, (pool, scores) in clean.items():
        order = orders[cid]
        kept = [j for j in order[:cap] if _pair(cid, pool.others[j]) in chosen]
        _keep(cid, pool, scores, order, kept, out)
