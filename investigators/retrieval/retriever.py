"""The retriever: channels (dense, dense in context, lexical, aspects, counter-queries,
quantities, topics, nearby sources, LLM-written queries), each claim's candidates ordered by
the learned ranker (ranker.py) or reciprocal-rank fusion, under a budget.

Cost per run grows with the new claims: one k-NN search per channel per new claim, one
batched full-text and one batched aspect query per chunk; never a scan of all pairs. The
nearby channel adds one pass over the stored vectors per run (source centroids) and, per new
claim, a product with the claims of its most similar sources (15 by default); every run
reads each claim's source once (one record), and the ranker reads its candidates' traits and
builds a feature row per candidate. On 2 slow cores, for one paper of 300 claims against
100k claims, retrieval + pairing take ~14.4 s and the whole run ~21 s; embedding the
counter-queries is ~5 s of it (bench/candidates part 3).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from consilience.errors import ConsilienceError
from investigators.cypher import retrieval as q
from investigators.cypher import runner as rq
from investigators.retrieval.counter import counter_queries
from investigators.retrieval.fusion import Candidate, Ranking, fuse
from investigators.retrieval.llm_queries import MAX_UNREAD_RUNS, Prefetched
from investigators.retrieval.ranker import (
    Pool,
    RankerModel,
    Traits,
    keep_shared,
    pair_matrix,
    pool_of,
    trait_features,
)
from kg.aspects import STOP
from kg.embedding import Embedder
from kg.faiss_index import ClaimIndex
from kg.graph import Graph

CHANNELS = (
    "dense",
    "context",
    "lexical",
    "aspect",
    "counter",
    "quantity",
    "topic",
    "nearby",
    "llm",
)

QueryWriter = Callable[[list[tuple[str, str]]], dict[str, list[str]]]


@runtime_checkable
class Prefetching(Protocol):
    """A query writer that can ask about a whole run's claims ahead, in one request."""

    def prefetch(self, batches: list[list[tuple[str, str]]]) -> Prefetched:
        """The claims whose queries Claude never read (a request that failed or was not
        sent, past the run's cap), and why a request failed."""
        ...


@dataclass
class RetrievalConfig:
    """Per-claim budget and per-channel depths (RETRIEVAL__* settings)."""

    budget: int = 30
    # Channel depths: the pool the ranker chooses from (the depths it was fitted with).
    k_dense: int = 100
    k_context: int = 60
    k_lexical: int = 60
    k_aspect: int = 60
    k_counter: int = 30
    # Opposite rewrites embedded per claim. The second one reached no labelled pair the first
    # did not (budgets 10/30/60, both splits; the ranker's pairs differed by 13 in 133k); with
    # two, the channel took 123 s of the corpus' 229 s candidate stage, mostly embedding.
    counter_queries: int = 1
    k_topic: int = 60
    k_llm: int = 10
    k_nearby: int = 300
    nearby_sources: int = 15
    # The learned ranker (ranker.py) orders each claim's pool; None: reciprocal-rank fusion.
    ranker: RankerModel | None = None
    # Reciprocal-rank weight of a channel (1 when absent), used without a ranker. `nearby`
    # at 2: chosen on the calibration split of the labelled real pairs (weights 1/2/3/5
    # swept); at 5 it took over the fusion (budget 60 = nearby alone).
    weights: dict[str, float] = field(default_factory=lambda: {"nearby": 2.0})
    aspect_max_degree: int = 200
    channels: tuple[str, ...] = CHANNELS


@dataclass
class Retrieved:
    pairs: dict[tuple[str, str], Candidate]
    skipped: list[str] = field(default_factory=list)
    per_channel: dict[str, int] = field(default_factory=dict)
    # wall seconds per channel, and "ranking" for fusion or the ranker
    seconds: dict[str, float] = field(default_factory=dict)


def lexical_query(text: str, most: int = 12) -> str:
    """Plain lower-case content words OR'ed: nothing Lucene could parse as syntax."""
    words = []
    for w in re.findall(r"[A-Za-z][A-Za-z0-9]{2,}", text):
        lw = w.lower()
        if lw not in STOP and lw not in ("and", "or", "not", "to") and lw not in words:
            words.append(lw)
    return " ".join(words[:most])


class Retriever:
    """Reads the graph and the FAISS copies; writes nothing."""

    def __init__(
        self,
        driver: Graph,
        index: ClaimIndex,
        embedder: Embedder,
        config: RetrievalConfig | None = None,
        *,
        query_writer: QueryWriter | None = None,
    ) -> None:
        self.driver = driver
        self.index = index
        self.embedder = embedder
        self.config = config or RetrievalConfig()
        self.query_writer = query_writer
        self._sources: dict[str, str] | None = None
        self._sizes: dict[str, int] = {}  # claims per source, counted with `_sources`
        self._traits: dict[str, list[float]] = {}  # by claim, read as candidates need them
        self._centroids: (
            tuple[tuple[int, int], dict[str, int], np.ndarray, dict[str, np.ndarray]] | None
        ) = None

    def prefetch_queries(self, batches: list[list[str]]) -> tuple[list[str], set[str]]:
        """Have the LLM channel's queries for a run's batches written in one request, ahead
        (each batch's own call then finds them cached). Returns warnings for the report, and
        the claims whose queries Claude never read: the run leaves them unchecked, so the next
        run retrieves for them again (red-teamed: past the run's cap, or after a failed
        request, they were marked checked and only `--all` ever wrote their queries)."""
        writer = self.query_writer
        if "llm" not in self.config.channels or not isinstance(writer, Prefetching):
            return [], set()
        # the claims each batch's own call will see: those in the index, in batch order
        found = [[c for c in chunk if self.index.position(c) is not None] for chunk in batches]
        with self.driver.read() as s:
            ids = [c for f in found for c in f]
            texts = {r["id"]: r["text"] for r in s.run(q.CLAIM_TEXTS, ids=ids)}
        try:
            got = writer.prefetch([[(c, texts[c]) for c in f if c in texts] for f in found])
        except ConsilienceError as exc:  # the answers' cache (the database) failed
            return [
                f"LLM queries could not be written ahead ({exc.message}); the LLM channel "
                "skips the claims it was asked about in this run, and they stay unchecked: the "
                "next `consilience investigate` asks for them again"
            ], {c for f in found for c in f}
        unread, let_go, warnings = got.unread, got.let_go, []
        if got.failed is not None:
            warnings.append(
                f"LLM queries could not be written ahead ({got.failed}); the LLM channel "
                f"skips the claims it was asked about in this run, and {len(unread)} stay "
                "unchecked: the next `consilience investigate` asks for them again."
            )
        elif unread:  # (a request that failed says so itself, as it fails)
            warnings.append(
                f"Claude did not read the retrieval queries for {len(unread)} claim(s) (a "
                "request that failed, or one past the run's cap): they stay unchecked, and the "
                "next `consilience investigate` asks for them again."
            )
        if let_go:
            warnings.append(
                f"Claude has not read the retrieval queries for {len(let_go)} claim(s) in "
                f"{MAX_UNREAD_RUNS} runs: they are marked checked without them (the other "
                "channels found their candidates); `consilience investigate --all` asks again."
            )
        return warnings, unread

    def source_of(self) -> dict[str, str]:
        """Every claim's source (read again when the index has grown past it)."""
        if self._sources is None or len(self._sources) < len(self.index.ids):
            with self.driver.read() as s:
                rec = s.run(q.CLAIM_SOURCES).single()
            ids, sources = (rec["ids"], rec["sources"]) if rec else ([], [])
            self._sources = dict(zip(ids, sources, strict=True))
            self._sizes = {}
            for sid in sources:
                self._sizes[sid] = self._sizes.get(sid, 0) + 1
        return self._sources

    def trait_rows(self, wanted: list[str]) -> dict[str, list[float]]:
        """The wanted claims' own ranker features (length, kind, footnote, source kind and
        size), by claim; each claim's read once, when first wanted. A claim not in the graph
        has none. Only the candidates are read: reading every claim's cost seconds per run at
        100k claims."""
        src = self.source_of()
        todo = [c for c in dict.fromkeys(wanted) if c not in self._traits]
        for start in range(0, len(todo), 10_000):
            with self.driver.read() as s:
                rec = s.run(q.CLAIM_TRAITS, ids=todo[start : start + 10_000]).single()
            if rec is None:
                continue
            for cid, length, kind, footnote, source_kind in zip(
                rec["ids"], rec["lengths"], rec["kinds"], rec["footnotes"], rec["source_kinds"],
                strict=True,
            ):  # fmt: skip
                self._traits[cid] = trait_features(
                    Traits(length, kind, footnote, source_kind),
                    self._sizes.get(src.get(cid, ""), 1),
                )
        return self._traits

    # ---- channels -------------------------------------------------------------------
    def _knn(self, vecs: np.ndarray, k: int) -> list[Ranking]:
        if not len(vecs):
            return []
        scores, ids = self.index.search(vecs, k + 1)
        return [
            list(zip(row_ids, map(float, row_s), strict=False))
            for row_ids, row_s in zip(ids, scores, strict=True)
        ]

    def _context_vectors(self, ids: list[str], vecs: np.ndarray) -> np.ndarray:
        """Each claim with its neighbouring sentences: 2·v + v(prev) + v(next), normalised."""
        src = self.source_of()
        sources = sorted({src[c] for c in ids if c in src})
        with self.driver.read() as s:
            order = {r["source_id"]: r["ids"] for r in s.run(q.SOURCE_CLAIM_ORDER, sources=sources)}
        neighbours: dict[str, list[str]] = {}
        for seq in order.values():
            for i, c in enumerate(seq):
                neighbours[c] = seq[max(0, i - 1) : i] + seq[i + 1 : i + 2]
        wanted = sorted({n for c in ids for n in neighbours.get(c, [])})
        nid, nvec = self.index.vectors(wanted)
        nv = dict(zip(nid, nvec, strict=True))
        out = []
        for c, v in zip(ids, vecs, strict=True):
            x = 2 * v + sum((nv[n] for n in neighbours.get(c, []) if n in nv), np.zeros_like(v))
            out.append(x / max(1e-9, float(np.linalg.norm(x))))
        return np.vstack(out) if out else vecs

    def _lexical(self, ids: list[str], texts: dict[str, tuple[str, str]]) -> dict[str, Ranking]:
        rows = [
            {"id": c, "q": lexical_query(texts[c][0]), "source_id": texts[c][1]}
            for c in ids
            if c in texts
        ]
        rows = [r for r in rows if r["q"]]
        if not rows:
            return {}
        with self.driver.read() as s:
            return {
                r["id"]: [(h[0], float(h[1])) for h in r["hits"]][: self.config.k_lexical]
                # twice as deep: hits from the claim's own source are dropped after the limit
                for r in s.run(q.LEXICAL_NEIGHBOURS, rows=rows, k=2 * self.config.k_lexical)
            }

    def _aspect(self, ids: list[str]) -> dict[str, Ranking]:
        with self.driver.read() as s:
            return {
                r["id"]: [(h[0], float(h[1])) for h in r["hits"]]
                for r in s.run(
                    q.ASPECT_NEIGHBOURS,
                    ids=ids,
                    k=self.config.k_aspect,
                    n=max(2, len(self.index.ids)),
                    max_degree=self.config.aspect_max_degree,
                )
            }

    def _by_similarity(
        self, partners: dict[str, list[str]], vec: dict[str, np.ndarray], k: int
    ) -> dict[str, Ranking]:
        """Each claim's partners (found in the graph) ranked by embedding similarity."""
        out: dict[str, Ranking] = {}
        for c, others in partners.items():
            oid, ovec = self.index.vectors(others)
            if c in vec and oid:
                sims = ovec @ vec[c]
                out[c] = [(oid[int(i)], float(sims[int(i)])) for i in np.argsort(-sims)[:k]]
        return out

    def _topic(self, ids: list[str], vec: dict[str, np.ndarray]) -> dict[str, Ranking]:
        """Claims of other sources in the same topic."""
        with self.driver.read() as s:
            partners = {
                r["id"]: r["others"]
                for r in s.run(q.TOPIC_PARTNERS, ids=ids, limit=self.config.k_topic * 5)
            }
        return self._by_similarity(partners, vec, self.config.k_topic)

    def _quantity(self, ids: list[str], vec: dict[str, np.ndarray]) -> dict[str, Ranking]:
        """Claims that measure the same quantity (numbers with a named measure)."""
        with self.driver.read() as s:
            partners = {
                r["id"]: r["others"]
                for r in s.run(rq.QUANTITY_PARTNERS, ids=ids, limit=self.config.k_topic * 2)
            }
        return self._by_similarity(partners, vec, self.config.k_topic * 2)

    def _source_centroids(self) -> tuple[dict[str, int], np.ndarray, dict[str, np.ndarray]]:
        """Each source's row in the centroid matrix, its mean claim vector (normalised) and
        the index rows of its claims.

        One pass over the stored vectors, in blocks; cached for the index as it is now (a
        Retriever lives for one run, so the pass is paid once per run)."""
        key = (id(self.index.index), len(self.index.ids))
        if self._centroids is not None and self._centroids[0] == key:
            return self._centroids[1:]
        src = self.source_of()
        names = sorted({src[c] for c in self.index.ids if c in src})
        row = {name: i for i, name in enumerate(names)}
        rows = np.array([row.get(src.get(c, ""), -1) for c in self.index.ids], dtype=np.int64)
        sums = np.zeros((len(names), self.index.dimensions), dtype=np.float32)
        n = len(rows)
        for start in range(0, n, 10_000):
            block = self.index.vectors_from(start, min(10_000, n - start))
            mine = rows[start : start + len(block)]
            order = np.argsort(mine[mine >= 0], kind="stable")
            kept, vecs = mine[mine >= 0][order], block[mine >= 0][order]
            if len(kept):
                starts = np.flatnonzero(np.r_[True, kept[1:] != kept[:-1]])
                sums[kept[starts]] += np.add.reduceat(vecs, starts, axis=0)
        sums /= np.maximum(1e-9, np.linalg.norm(sums, axis=1, keepdims=True))
        order = np.argsort(rows, kind="stable")  # one sort, not a scan per source
        order = order[rows[order] >= 0]
        bounds = np.searchsorted(rows[order], np.arange(len(names) + 1))
        positions = {name: order[bounds[i] : bounds[i + 1]] for i, name in enumerate(names)}
        self._centroids = (key, row, sums, positions)
        return row, sums, positions

    def _nearby(self, ids: list[str], vec: dict[str, np.ndarray]) -> dict[str, Ranking]:
        """Claims of the sources most like this claim's own (mean claim vectors), ranked by
        claim similarity plus half the source similarity. Papers on one question disagree in
        words far apart; their sources are close even when the two sentences are not."""
        row, cents, positions = self._source_centroids()
        if len(row) < 2 or self.config.nearby_sources < 1:
            return {}
        names = list(row)  # in row order
        src = self.source_of()
        by_source: dict[str, list[str]] = {}
        for c in ids:
            if c in vec and src.get(c) in row:
                by_source.setdefault(src[c], []).append(c)
        out: dict[str, Ranking] = {}
        for name, mine in by_source.items():
            sims = cents @ cents[row[name]]
            order = np.argsort(-sims)
            near = order[order != row[name]][: self.config.nearby_sources]
            pos = np.concatenate([positions[names[i]] for i in near])
            bonus = np.concatenate([np.full(len(positions[names[i]]), 0.5 * sims[i]) for i in near])
            ovec = self.index.rows(pos)
            scores = np.vstack([vec[c] for c in mine]) @ ovec.T + bonus[None, :].astype(np.float32)
            k = min(self.config.k_nearby, len(pos))
            for qi, c in enumerate(mine):
                top = np.argpartition(-scores[qi], k - 1)[:k] if k < len(pos) else np.arange(k)
                top = top[np.argsort(-scores[qi][top])]
                out[c] = [(self.index.ids[int(pos[j])], float(scores[qi, j])) for j in top]
        return out

    def _queries(self, texts: dict[str, list[str]], k: int) -> dict[str, Ranking]:
        flat = [(c, t) for c, qs in texts.items() for t in qs]
        if not flat:
            return {}
        qv = self.embedder.embed([t for _, t in flat])
        out: dict[str, Ranking] = {}
        for (c, _), ranking in zip(flat, self._knn(qv, k), strict=True):
            merged = dict(out.get(c, []))
            for other, s in ranking:
                merged[other] = max(merged.get(other, -1.0), s)
            out[c] = sorted(merged.items(), key=lambda t: -t[1])
        return out

    # ---- all together ------------------------------------------------------------------
    def retrieve(self, ids: list[str]) -> Retrieved:
        """Fused candidates for these (new) claims; channels that failed are named."""
        seconds: dict[str, float] = {}
        per, skipped = self.rankings(ids, seconds)
        t = time.perf_counter()
        if self.config.ranker is None:
            pairs = fuse(per, self.source_of(), self.config.budget, self.config.weights)
        else:
            pairs = self.ranked(per, self.config.ranker, self.config.budget)
        seconds["ranking"] = time.perf_counter() - t
        counts: dict[str, int] = {}
        for cand in pairs.values():
            for ch in cand.channels:
                counts[ch] = counts.get(ch, 0) + 1
        return Retrieved(pairs=pairs, skipped=skipped, per_channel=counts, seconds=seconds)

    def pools(self, per: dict[str, dict[str, Ranking]]) -> dict[str, tuple[Pool, np.ndarray]]:
        """Each claim's pool of candidates and their ranker feature rows."""
        src = self.source_of()
        row, cents, _ = self._source_centroids()
        pools = {c: pool_of(c, chans, src) for c, chans in per.items()}
        wanted = sorted({o for p in pools.values() for o in p.others} | set(pools))
        traits = self.trait_rows(wanted)
        known = [(c, p) for c in wanted if (p := self.index.position(c)) is not None]
        at = {c: i for i, (c, _) in enumerate(known)}
        vecs = self.index.rows(np.array([p for _, p in known], dtype=np.int64))
        srow = {c: row.get(src.get(c, ""), -1) for c in wanted}
        default = trait_features(None, 50)  # not in the graph (yet): a mid-size source
        out: dict[str, tuple[Pool, np.ndarray]] = {}
        for c, pool in pools.items():
            if c not in at:
                continue
            n = len(pool.others)
            cos, ssim = np.zeros(n), np.zeros(n)
            if n:
                mine = np.array([at.get(o, -1) for o in pool.others])
                cos = np.where(mine >= 0, vecs[np.maximum(mine, 0)] @ vecs[at[c]], 0.0)
                orow = np.array([srow[o] for o in pool.others])
                if srow[c] >= 0:
                    ssim = np.where(orow >= 0, cents[np.maximum(orow, 0)] @ cents[srow[c]], 0.0)
            out[c] = (pool, pair_matrix(pool, cos, ssim, lambda o: traits.get(o, default)))
        return out

    def ranked(
        self, per: dict[str, dict[str, Ranking]], ranker: RankerModel, budget: int
    ) -> dict[tuple[str, str], Candidate]:
        """The batch's `budget` x claims best candidates by the learned ranker, shared
        between its claims (`keep_shared`)."""
        out: dict[tuple[str, str], Candidate] = {}
        scored = {
            c: (pool, ranker.score(x)) for c, (pool, x) in self.pools(per).items() if pool.others
        }
        keep_shared(scored, budget, out)
        return out

    def rankings(
        self, ids: list[str], seconds: dict[str, float] | None = None
    ) -> tuple[dict[str, dict[str, Ranking]], list[str]]:
        """Each claim's ranking per channel (before fusion), and what was skipped; the wall
        seconds each channel took go into `seconds` ("reads" for the claims' own rows)."""
        cfg, use = self.config, set(self.config.channels)
        clock = seconds if seconds is not None else {}
        t0 = time.perf_counter()
        skipped: list[str] = []
        found, vecs = self.index.vectors(ids)
        vec = dict(zip(found, vecs, strict=True))
        with self.driver.read() as s:
            texts = {r["id"]: (r["text"], r["source_id"]) for r in s.run(q.CLAIM_TEXTS, ids=found)}
        per: dict[str, dict[str, Ranking]] = {c: {} for c in found}
        now = time.perf_counter()
        clock["reads"], t0 = now - t0, now

        def put(channel: str, rankings: dict[str, Ranking]) -> None:
            nonlocal t0
            for c, r in rankings.items():
                if c in per and r:
                    per[c][channel] = r
            now = time.perf_counter()
            clock[channel] = clock.get(channel, 0.0) + now - t0
            t0 = now

        if "dense" in use:
            put("dense", dict(zip(found, self._knn(vecs, cfg.k_dense), strict=True)))
        if "context" in use and found:
            ctx = self._context_vectors(found, vecs)
            put("context", dict(zip(found, self._knn(ctx, cfg.k_context), strict=True)))
        if "lexical" in use:
            put("lexical", self._lexical(found, texts))
        if "aspect" in use:
            put("aspect", self._aspect(found))
        if "counter" in use and cfg.counter_queries > 0:
            cq = {
                c: counter_queries(texts[c][0], most=cfg.counter_queries)
                for c in found
                if c in texts
            }
            put("counter", self._queries(cq, cfg.k_counter))
        if "quantity" in use:
            put("quantity", self._quantity(found, vec))
        if "topic" in use:
            put("topic", self._topic(found, vec))
        if "nearby" in use:
            put("nearby", self._nearby(found, vec))
        if "llm" in use:
            if self.query_writer is None:
                skipped.append(
                    "llm queries: no ANTHROPIC_API_KEY, or not among CONSILIENCE_LLM__USES "
                    "(offline channels only)"
                )
            else:
                try:
                    written = self.query_writer([(c, texts[c][0]) for c in found if c in texts])
                    put("llm", self._queries(written, cfg.k_llm))
                except Exception as exc:  # noqa: BLE001 - any LLM failure leaves the rest
                    skipped.append(
                        f"llm queries failed ({type(exc).__name__}: {exc}); the other channels ran"
                    )
        return per, skipped
