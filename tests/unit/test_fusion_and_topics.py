"""Reciprocal-rank fusion under a budget, and online topic assignment (pure)."""

from __future__ import annotations

import numpy as np

from investigators.retrieval.fusion import fuse
from investigators.retrieval.topics import TopicState, assign


def test_fusion_drops_same_source_keeps_budget_and_records_channels() -> None:
    src = {"a": "S1", "b": "S2", "c": "S2", "d": "S1", "e": "S3"}
    per = {
        "a": {
            "dense": [("d", 0.9), ("b", 0.8), ("c", 0.7)],
            "lexical": [("c", 12.0), ("e", 3.0)],
        }
    }
    out = fuse(per, src, budget=2)
    assert set(out) == {("a", "c"), ("a", "b")}  # d is the same source; e ranked third
    assert out[("a", "c")].channels == {"dense": 0.7, "lexical": 12.0}
    assert out[("a", "c")].rank == 1  # in both channels: best fused rank
    assert fuse(per, src, budget=1).keys() == {("a", "c")}


def test_a_pair_proposed_from_both_sides_is_one_candidate() -> None:
    src = {"a": "S1", "b": "S2"}
    per = {"a": {"dense": [("b", 0.5)]}, "b": {"lexical": [("a", 2.0)]}}
    out = fuse(per, src, budget=5)
    assert list(out) == [("a", "b")] and set(out[("a", "b")].channels) == {"dense", "lexical"}


def test_a_channel_weight_moves_its_ranking_up() -> None:
    src = {"a": "S1", "b": "S2", "c": "S3"}
    per = {"a": {"dense": [("b", 0.9)], "nearby": [("c", 0.4)], "lexical": [("b", 5.0)]}}
    assert fuse(per, src, budget=1).keys() == {("a", "b")}  # two channels beat one
    assert fuse(per, src, budget=1, weights={"nearby": 5.0}).keys() == {("a", "c")}


def _unit(v: list[float]) -> np.ndarray:
    x = np.asarray(v, dtype=np.float32)
    return x / np.linalg.norm(x)


def test_topics_join_near_claims_and_respect_the_cap() -> None:
    topics: list[TopicState] = []
    claims = [("c1", _unit([1, 0, 0])), ("c2", _unit([0.9, 0.1, 0])), ("c3", _unit([0, 1, 0]))]
    got, capped = assign(claims, topics, threshold=0.8, cap=10, new_id=lambda c: f"t-{c}")
    assert got == {"c1": "t-c1", "c2": "t-c1", "c3": "t-c3"} and capped == []
    more = [("c4", _unit([1, 0.05, 0])), ("c5", _unit([1, 0, 0.05]))]
    got2, capped2 = assign(more, topics, threshold=0.8, cap=2, new_id=lambda c: f"t-{c}")
    assert capped2 == ["t-c1"] and got2["c4"] == "t-c4"  # full topic: a new one starts
    assert all(abs(float(np.linalg.norm(t.centroid)) - 1) < 1e-5 for t in topics)
