"""The learned pair ranker: pools, features, keeping the best, loading, fitting rows."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from investigators.retrieval.fusion import Candidate
from investigators.retrieval.ranker import (
    FEATURES,
    RANKED_CHANNELS,
    RankerError,
    RankerModel,
    Traits,
    keep_shared,
    load_ranker,
    pair_matrix,
    pool_of,
    trait_features,
)
from training.ranker import fit, map_quotes, training_rows
from training.real_pairs import RealPair, RealSide

SRC = {"a1": "A", "a2": "A", "b1": "B", "b2": "B", "c1": "C"}


def test_pool_ranks_each_channel_among_other_sources_only() -> None:
    pool = pool_of(
        "a1",
        {
            "dense": [("a2", 0.9), ("b1", 0.8), ("zz", 0.7), ("c1", 0.6)],
            "lexical": [("c1", 3.0), ("b2", 2.0)],
        },
        SRC,
    )
    # own source (a2) and claims of unknown source (zz) never count, not even for ranks
    assert pool.others == ["b1", "c1", "b2"]
    assert pool.ranks == [{"dense": 1}, {"dense": 2, "lexical": 1}, {"lexical": 2}]
    assert pool.scores[1] == {"dense": 0.6, "lexical": 3.0}


def test_pair_matrix_columns_and_channels_without_a_coefficient() -> None:
    pool = pool_of("a1", {"nearby": [("b1", 0.5)], "llm": [("b1", 0.4), ("c1", 0.3)]}, SRC)
    traits = {"b1": trait_features(Traits(200, "finding", False, "paper"), 8)}
    x = pair_matrix(
        pool,
        np.array([0.3, 0.1]),
        np.array([0.9, 0.2]),
        lambda o: traits.get(o, trait_features(None, 1)),
    )
    col = {f: i for i, f in enumerate(FEATURES)}
    assert x.shape == (2, len(FEATURES))
    assert x[0, col["rr_nearby"]] == pytest.approx(1 / 6)
    # the LLM channel has no coefficient: it adds no feature (keep_shared keeps it apart)
    assert float(np.abs(x[1, : len(RANKED_CHANNELS)]).sum()) == 0.0
    assert x[0, col["cos"]] == 0.3 and x[1, col["source_sim"]] == 0.2
    assert x[0, col["kind_finding"]] == 1 and x[0, col["paper"]] == 1
    assert x[0, col["log_source_claims"]] == pytest.approx(math.log(8))
    assert x[1, col["kind_finding"]] == 0
    assert x[1, col["log_length"]] == pytest.approx(math.log(101))


def test_llm_candidates_are_kept_beyond_the_budget() -> None:
    ranking = [("b1", 0.9), ("b2", 0.8)]
    pool = pool_of("a1", {"dense": ranking, "llm": [("c1", 0.5)]}, SRC)
    out: dict[tuple[str, str], Candidate] = {}
    keep_shared({"a1": (pool, np.array([1.0, 0.5, -9.0]))}, 1, out)
    assert set(out) == {("a1", "b1"), ("a1", "c1")}  # budget 1 by score, plus the LLM's first
    assert out[("a1", "c1")].rank == 2 and out[("a1", "c1")].channels == {"llm": 0.5}


def test_kept_candidates_carry_channel_scores_rounded_and_as_plain_floats() -> None:
    """The pool keeps the channels' raw scores; a kept candidate gets them rounded to 4
    places as plain floats (they go to JSON: the candidates log, the API)."""
    pool = pool_of("a1", {"dense": [("b1", 0.123456)], "lexical": [("b1", 7.77777)]}, SRC)
    out: dict[tuple[str, str], Candidate] = {}
    keep_shared({"a1": (pool, np.array([1.0]))}, 1, out)
    got = out[("a1", "b1")].channels
    assert got == {"dense": 0.1235, "lexical": 7.7778}
    assert all(type(v) is float for v in got.values())


def test_short_claims_are_flagged() -> None:
    col = {f: i for i, f in enumerate(FEATURES)}
    off = len(RANKED_CHANNELS) + 2
    assert trait_features(Traits(20, "statement", True, "post"), 1)[col["short"] - off] == 1.0
    assert trait_features(Traits(80, "statement", True, "post"), 1)[col["footnote"] - off] == 1.0


def test_one_claim_keeps_the_budget_by_score_and_merges_both_sides() -> None:
    pool = pool_of("a1", {"dense": [("b1", 0.9), ("b2", 0.8), ("c1", 0.7)]}, SRC)
    out: dict[tuple[str, str], Candidate] = {}
    keep_shared({"a1": (pool, np.array([0.0, 2.0, -1.0]))}, 2, out)
    assert set(out) == {("a1", "b2"), ("a1", "b1")}
    assert out[("a1", "b2")].rank == 1 and out[("a1", "b1")].rank == 2
    assert out[("a1", "b2")].fused == pytest.approx(1 / (1 + math.exp(-2)), abs=1e-5)
    assert out[("a1", "b2")].channels == {"dense": 0.8}
    # the same pair from the other side keeps its best rank and both channels
    back = pool_of("b2", {"lexical": [("a1", 5.0)]}, SRC)
    keep_shared({"b2": (back, np.array([3.0]))}, 2, out)
    assert out[("a1", "b2")].channels == {"dense": 0.8, "lexical": 5.0}
    assert out[("a1", "b2")].fused == pytest.approx(1 / (1 + math.exp(-3)), abs=1e-5)


def test_a_batch_shares_its_budget_with_a_floor_and_a_cap() -> None:
    """Budget 5 over two claims = 10 pairs: the claim with strong candidates takes more than
    5, never more than 3 x 5, and the weak one still keeps its 5 best (the floor)."""
    others = [f"s{i}" for i in range(30)]
    src = {"rich": "R", "poor": "P", **{o: f"S{o}" for o in others}}
    ranking = [(o, 1.0 - i / 100) for i, o in enumerate(others)]
    rich = pool_of("rich", {"dense": ranking}, src)
    poor = pool_of("poor", {"dense": ranking}, src)
    strong = np.array([10.0 - i * 0.1 for i in range(30)])  # all better than any of poor's
    weak = np.array([-5.0 - i * 0.1 for i in range(30)])
    out: dict[tuple[str, str], Candidate] = {}
    keep_shared({"rich": (rich, strong), "poor": (poor, weak)}, 5, out)
    by = {c: [k for k in out if c in k] for c in ("rich", "poor")}
    assert len(out) == 10
    assert len(by["poor"]) == 5 and len(by["rich"]) == 5  # the floor takes the whole budget
    out = {}
    keep_shared({"rich": (rich, strong), "poor": (poor, weak), "idle": (poor, weak - 9)}, 10, out)
    assert len(out) == 30  # 3 claims x 10, shared
    counts = {c: sum(c in k for k in out) for c in ("rich", "poor", "idle")}
    # the floors (5 each), then the rest to the best scores: rich takes what the weak
    # claims did not need
    assert counts == {"rich": 20, "poor": 5, "idle": 5}
    ranks = sorted(out[k].rank for k in out if "rich" in k)
    assert ranks == list(range(1, counts["rich"] + 1))  # ranks follow the claim's own order
    # a pair kept from both sides in one batch merges
    both: dict[tuple[str, str], Candidate] = {}
    a = pool_of("a1", {"dense": [("b1", 0.9)]}, SRC)
    b = pool_of("b1", {"lexical": [("a1", 4.0)]}, SRC)
    keep_shared({"a1": (a, np.array([1.0])), "b1": (b, np.array([2.0]))}, 1, both)
    assert set(both) == {("a1", "b1")} and both[("a1", "b1")].channels == {
        "dense": 0.9,
        "lexical": 4.0,
    }


def test_infinite_or_missing_scores_keep_the_floor() -> None:
    src = {"a1": "A", "b1": "B", "b2": "B", "c1": "C"}
    pool = pool_of("a1", {"dense": [("b1", 0.9), ("b2", 0.8), ("c1", 0.7)]}, src)
    out: dict[tuple[str, str], Candidate] = {}
    keep_shared({"a1": (pool, np.array([-np.inf, np.nan, -np.inf]))}, 2, out)
    assert len(out) == 2  # the claim's floor (here its whole budget), whatever the scores


def test_the_cap_bounds_one_claim_in_a_batch_of_idle_ones() -> None:
    others = [f"s{i}" for i in range(50)]
    src = {"rich": "R", **{o: f"S{o}" for o in others}, **{f"i{n}": f"I{n}" for n in range(9)}}
    rich = pool_of("rich", {"dense": [(o, 0.5) for o in others]}, src)
    scored = {"rich": (rich, np.linspace(5.0, 4.0, 50))}
    for n in range(9):  # claims with a single weak candidate each
        idle = pool_of(f"i{n}", {"dense": [("s0", 0.1)]}, src)
        scored[f"i{n}"] = (idle, np.array([-9.0]))
    out: dict[tuple[str, str], Candidate] = {}
    keep_shared(scored, 4, out)  # 40 pairs to share; rich may take 3 x 4 = 12 at most
    assert sum("rich" in k for k in out) == 12


def _model(**over: object) -> dict[str, object]:
    n = len(FEATURES)
    return {"features": list(FEATURES), "mean": [0.0] * n, "scale": [1.0] * n,
            "coef": [0.0] * n, "intercept": 0.0, **over}  # fmt: skip


def test_load_ranker_errors_name_the_file_and_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "ranker.json"
    with pytest.raises(RankerError, match="missing") as e:
        load_ranker(missing)
    assert "fit-ranker" in e.value.hint and "rrf" in e.value.hint
    missing.write_text("{not json")
    with pytest.raises(RankerError, match="not valid"):
        load_ranker(missing)
    missing.write_text(json.dumps(_model(features=["cos"])))
    with pytest.raises(RankerError, match="other features"):
        load_ranker(missing)
    missing.write_text(json.dumps(_model(coef=[1.0])))
    with pytest.raises(RankerError, match="other features"):
        load_ranker(missing)
    missing.write_text(json.dumps(_model(intercept=0.5)))
    assert load_ranker(missing).score(np.zeros((2, len(FEATURES)))).tolist() == [0.5, 0.5]


def test_the_committed_ranker_loads_and_prefers_top_ranked_nearby_claims() -> None:
    model = load_ranker()
    assert model.trained_on["calibration_pairs"]
    col = {f: i for i, f in enumerate(FEATURES)}
    base = np.array(model.mean)
    better = base.copy()
    better[col["rr_nearby"]] = 1 / 6  # first in the nearby channel
    worse = base.copy()
    worse[col["rr_nearby"]] = 0.0
    s = model.score(np.vstack([better, worse]))
    assert s[0] > s[1]


def _pair(pid: str, label: str, split: str) -> RealPair:
    side = RealSide(doc="d", source="d", quote="q")
    return RealPair(pid, "t", side, side, label, "", split, "")


def test_training_rows_never_read_other_split_pairs() -> None:
    pairs = [_pair("p1", "contradiction", "calibration"), _pair("p2", "convergence", "test")]
    mapped = {"p1": ("a1", "b1"), "p2": ("a1", "c1")}
    pool = pool_of("a1", {"dense": [("b1", 0.9), ("c1", 0.8), ("b2", 0.7)]}, SRC)
    x = np.arange(3 * len(FEATURES), dtype=float).reshape(3, -1)
    back = pool_of("b1", {"dense": [("a1", 0.9)]}, SRC)
    pools = {"a1": (pool, x), "b1": (back, x[:1])}
    xs, ys = training_rows(pools, mapped, pairs)
    # a1's pool without c1 (a test pair), plus b1's row pointing back at a1
    assert ys.tolist() == [1, 0, 1]
    assert xs.shape == (3, len(FEATURES)) and xs[1].tolist() == x[2].tolist()


def test_fit_refuses_too_few_positives_and_fits_a_separable_signal() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, len(FEATURES)))
    with pytest.raises(RankerError, match="too few"):
        fit(x, np.zeros(400, dtype=int), {})
    y = (x[:, 0] > 1.0).astype(int)
    m = fit(x, y, {"note": "synthetic"})
    assert (
        isinstance(m, RankerModel) and m.coef[0] > 1.0 and m.trained_on["positive_rows"] == y.sum()
    )
    z = np.zeros((2, len(FEATURES)))
    z[0, 0] = 2.0
    s = m.score(z)
    assert s[0] > s[1]


def test_map_quotes_finds_the_claim_of_the_same_file() -> None:
    said = "Model collapse follows from training on generated data."
    claims = [
        {"id": "c1", "text": said, "path": "/x/a.txt"},
        {"id": "c2", "text": said, "path": "/x/b.txt"},
        {
            "id": "c3",
            "text": "Accumulating real data avoids collapse entirely.",
            "path": "/x/b.txt",
        },
    ]
    side_a = RealSide(
        doc="a.txt", source="a", quote="model collapse follows from training on generated data"
    )
    side_b = RealSide(doc="b.txt", source="b", quote="accumulating real data avoids collapse")
    far = RealSide(doc="b.txt", source="b", quote="nothing like any sentence here at all")
    pairs = [
        RealPair("p1", "t", side_a, side_b, "contradiction", "", "calibration", ""),
        RealPair("p2", "t", side_a, far, "contradiction", "", "calibration", ""),
    ]  # fmt: skip
    assert map_quotes(claims, pairs) == {"p1": ("c1", "c3")}
