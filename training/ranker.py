"""Fit the retrieval ranker on the calibration split of the labelled real pairs.

`consilience model fit-ranker` gathers the data (a graph holding the corpus and the demo
abstracts, as the main job leaves it); this module maps the labelled quotes to claims and
fits the model. Rows: for every claim that holds a calibration-pair quote, every candidate in
its pool; positives are its labelled partners (contradiction, convergence or restatement),
the rest count as negatives (unlabelled pairs are mostly unrelated; the ones that are not
only make the figures pessimistic). Test-split pairs are never read: their rows are dropped.
A scikit-learn logistic regression on standardised features, classes balanced, C = 1.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from investigators.cypher.retrieval import CLAIMS_WITH_PATHS
from investigators.retrieval.fusion import Candidate
from investigators.retrieval.ranker import (
    FEATURES,
    RANKER_PATH,
    Pool,
    RankerError,
    RankerModel,
    keep_shared,
)
from investigators.retrieval.retriever import RetrievalConfig, Retriever
from investigators.runner import BATCH
from kg.embedding import Embedder
from kg.faiss_index import ClaimIndex
from kg.graph import Graph
from training.real_pairs import RealPair, load

POSITIVE = ("contradiction", "convergence", "restatement")


def _tokens(t: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", t.lower().replace("&amp;", "&")))


def map_quotes(claims: list[dict[str, str]], pairs: list[RealPair]) -> dict[str, tuple[str, str]]:
    """Pair id -> (claim id a, claim id b), where both quotes map to an extracted claim of
    their document (`claims`: id, text, path); token overlap, at least half the quote."""
    by_file: dict[str, list[tuple[str, set[str]]]] = {}
    for c in claims:
        by_file.setdefault(Path(c["path"]).name, []).append((c["id"], _tokens(c["text"])))

    def best(doc: str, quote: str) -> str | None:
        q = _tokens(quote)
        top, score = None, 0.0
        for cid, ct in by_file.get(Path(doc).name, []):
            if not ct:
                continue
            s = len(q & ct) / max(1, len(q)) * min(1.0, 2 * len(q & ct) / max(1, len(ct)))
            if s > score:
                top, score = cid, s
        return top if score >= 0.5 else None

    out = {}
    for p in pairs:
        a, b = best(p.a.doc, p.a.quote), best(p.b.doc, p.b.quote)
        if a and b and a != b:
            out[p.id] = (a, b)
    return out


def training_rows(
    pools: Mapping[str, tuple[Pool, np.ndarray]],
    mapped: Mapping[str, tuple[str, str]],
    pairs: list[RealPair],
    split: str = "calibration",
) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and labels from the pools of the claims that hold `split` quotes."""
    label = {p.id: p for p in pairs}
    partner: dict[tuple[str, str], list[str]] = {}  # two labelled pairs may share claims
    for pid, (a, b) in mapped.items():
        partner.setdefault((a, b), []).append(pid)
        partner.setdefault((b, a), []).append(pid)
    anchors = sorted(
        {
            c
            for pid, ab in mapped.items()
            if label[pid].split == split and label[pid].label in POSITIVE
            for c in ab
        }
    )
    xs: list[np.ndarray] = []
    ys: list[int] = []
    for a in anchors:
        if a not in pools:
            continue
        pool, x = pools[a]
        for j, b in enumerate(pool.others):
            pids = partner.get((a, b), [])
            if any(label[pid].split != split for pid in pids):
                continue  # a pair of another split: never read
            positive = any(label[pid].label in POSITIVE for pid in pids)
            xs.append(x[j])
            ys.append(int(positive))
    if not xs:
        return np.zeros((0, len(FEATURES))), np.zeros(0, dtype=int)
    return np.vstack(xs), np.array(ys)


def fit(x: np.ndarray, y: np.ndarray, about: dict[str, object]) -> RankerModel:
    """The logistic model over standardised features."""
    from sklearn.linear_model import LogisticRegression

    if y.sum() < 10 or y.sum() == len(y):
        raise RankerError(
            f"{int(y.sum())} positive rows of {len(y)}: too few to fit the ranker.",
            "Ingest the corpus and demo/abstracts first (the main job does), then rerun "
            "`consilience model fit-ranker`.",
        )
    mean = x.mean(axis=0)
    scale = np.where(x.std(axis=0) > 1e-9, x.std(axis=0), 1.0)
    clf = LogisticRegression(C=1.0, max_iter=5000, class_weight="balanced")
    clf.fit((x - mean) / scale, y)
    return RankerModel(
        features=list(FEATURES),
        mean=[round(float(v), 6) for v in mean],
        scale=[round(float(v), 6) for v in scale],
        coef=[round(float(v), 6) for v in clf.coef_[0]],
        intercept=round(float(np.asarray(clf.intercept_).ravel()[0]), 6),
        trained_on={
            **about,
            "rows": len(y),
            "positive_rows": int(y.sum()),
            "fitted_at": datetime.now(UTC).date().isoformat(),
            "method": "sklearn LogisticRegression(C=1, class_weight='balanced'), standardised",
        },
    )


def reached(
    top: Mapping[str, set[str]], mapped: Mapping[str, tuple[str, str]], ids: list[str]
) -> int:
    """How many of these pairs are in either claim's kept candidates."""
    n = 0
    for pid in ids:
        a, b = mapped[pid]
        n += b in top.get(a, set()) or a in top.get(b, set())
    return n


def fit_on_graph(
    graph: Graph, index: ClaimIndex, embedder: Embedder, out: Path = RANKER_PATH
) -> list[str]:
    """Run every channel over every claim of the graph (the corpus and demo abstracts must
    be ingested), fit on the calibration split, write `out`; lines to print."""
    pairs = load()
    with graph.read() as s:
        claims = [r.data() for r in s.run(CLAIMS_WITH_PATHS)]
    mapped = map_quotes(claims, pairs)
    retriever = Retriever(graph, index, embedder, RetrievalConfig())
    ids = list(index.ids)
    pools: dict[str, tuple[Pool, np.ndarray]] = {}
    for i in range(0, len(ids), 400):
        per, _ = retriever.rankings(ids[i : i + 400])
        pools.update(retriever.pools(per))
    x, y = training_rows(pools, mapped, pairs)
    calib = [
        p.id for p in pairs if p.id in mapped and p.split == "calibration" and p.label in POSITIVE
    ]
    model = fit(
        x,
        y,
        {
            "claims": len(ids),
            "calibration_pairs": len(calib),
            "pool": "RetrievalConfig() defaults",
            "data": "corpus + demo/abstracts",
        },
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(model.model_dump(), indent=1) + "\n", encoding="utf-8")
    kept: dict[tuple[str, str], Candidate] = {}
    scored = {c: (pool, model.score(xm)) for c, (pool, xm) in pools.items() if pool.others}
    order = list(scored)
    for i in range(0, len(order), BATCH):  # the budget shared per batch, as a run does
        keep_shared({c: scored[c] for c in order[i : i + BATCH]}, RetrievalConfig().budget, kept)
    top: dict[str, set[str]] = {}
    for a, b in kept:
        top.setdefault(a, set()).add(b)
    return [
        f"{len(ids):,} claims; {len(mapped)} labelled pairs map to claims; "
        f"{len(y):,} rows ({int(y.sum())} positive) from {len(calib)} calibration pairs",
        f"calibration pairs reached at budget {RetrievalConfig().budget} (in-sample): "
        f"{reached(top, mapped, calib)}/{len(calib)}",
        f"wrote {out}",
    ]
