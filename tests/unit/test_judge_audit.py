"""The audit of the main job's calls: its pairs split by document like the labelled pairs, and
the prior shift that refits a map's level to the calls' share of right ones."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from training import real_pairs
from training.fit_judge import prior_shift


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_the_shift_brings_the_stated_probability_to_the_shrunk_share_of_right_calls() -> None:
    z = [2.0] * 9  # the map said 0.88 for each call; one of nine was right
    d = prior_shift(z, [True] + [False] * 8)
    assert _sigmoid(2.0 + d) == pytest.approx(1.5 / 10, abs=1e-6)
    assert d == pytest.approx(math.log(0.15 / 0.85) - 2.0, abs=1e-4)


def test_the_shift_is_finite_without_a_right_call_and_rises_with_the_right_ones() -> None:
    z = [0.5, 1.0, 3.0, -1.0]
    none = prior_shift(z, [False] * 4)
    assert -30 < none < 0
    assert sum(_sigmoid(v + none) for v in z) / 4 == pytest.approx(0.5 / 5, abs=1e-6)
    shifts = [prior_shift(z, [True] * k + [False] * (4 - k)) for k in range(5)]
    assert shifts == sorted(shifts) and len(set(shifts)) == 5
    assert prior_shift([], []) == 0.0


def test_audited_pairs_split_by_the_documents_of_both_sides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    split = {
        "abstracts": {"calibration_topics": ["unlearning"], "test_topics": ["steering"]},
        "corpus": {"test_sources": ["002/Some post"]},
    }
    (tmp_path / "split.json").write_text(json.dumps(split))

    def side(topic: str, quote: str) -> dict[str, str]:
        return {"doc": f"demo/abstracts/{topic}/x.md", "quote": quote}

    rows = [
        {"id": "aud-1", "topic": "t", "a": side("steering", "a1"), "b": side("steering", "b1"),
         "label": "unrelated", "called": "converges_with"},
        {"id": "aud-2", "topic": "t", "a": side("unlearning", "a2"), "b": side("unlearning", "b2"),
         "label": "convergence", "called": "converges_with"},
        {"id": "aud-3", "topic": "t", "a": side("unlearning", "a3"), "b": side("steering", "b3"),
         "label": "contradiction", "called": "contradicts"},
    ]  # fmt: skip
    (tmp_path / "audit.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    monkeypatch.setattr(real_pairs, "DATA", tmp_path)
    got = {p.id: p for p in real_pairs.load(("audit",))}
    assert [got[i].split for i in ("aud-1", "aud-2", "aud-3")] == ["test", "calibration", "unused"]
    assert got["aud-3"].called == "contradicts" and got["aud-2"].label == "convergence"
    assert got["aud-1"].a.quote == "a1" and got["aud-1"].a.source == "demo/abstracts/steering/x.md"


def test_the_fit_keeps_only_the_audited_calls_the_rules_still_make() -> None:
    """A sentence against its own quotation was a contradiction call of the audited run; the
    rules now call it a restatement, so it no longer counts among the contradiction calls. A
    minimal pair the judge calls a contradiction whatever the model reads stays."""
    from investigators.nli.model import NLIModel
    from training.fit_judge import still_called
    from training.real_pairs import RealPair, RealSide

    def pair(pid: str, a: str, b: str) -> RealPair:
        return RealPair(
            id=pid, topic="t", a=RealSide("demo/abstracts/x/1.md", "x", a),
            b=RealSide("demo/abstracts/y/2.md", "y", b), label="related", subtype="",
            split="calibration", note="", called="contradicts",
        )  # fmt: skip

    text = "Linear probes detect deceptive behaviour in most transcripts we examined."
    quoted = pair("q", f"“{text}”", text)
    negated = pair("n", text, text.replace("detect", "do not detect"))
    kept = still_called(NLIModel(), [quoted, negated])
    assert [p.id for p, _, _ in kept] == ["n"]
    (_, contradiction, _) = kept[0]
    assert contradiction >= 0.5


def test_without_an_audit_file_the_maps_keep_the_labelled_pairs_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from investigators.nli.model import NLIModel
    from training import fit_judge

    monkeypatch.setattr(fit_judge, "DATA", tmp_path)
    assert fit_judge.audit_shifts(
        NLIModel(), {"contradiction": (1, 0), "convergence": (1, 0)}
    ) == fit_judge.Audit({}, (0, 0))
    assert fit_judge._shift({}, "convergence") == 0.0


def test_structural_contradiction_calls_are_counted_apart_from_the_map(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A call resting on a minimal pair or on incompatible values is counted for the level of
    its own; the contradiction map's shift is fitted on the other calls only."""
    from investigators.nli.model import NLIModel
    from training import fit_judge

    split = {
        "abstracts": {"calibration_topics": ["unlearning"], "test_topics": ["steering"]},
        "corpus": {"test_sources": []},
    }
    (tmp_path / "split.json").write_text(json.dumps(split))
    text = "Linear probes detect deceptive behaviour in most transcripts we examined."

    def row(i: int, a: str, b: str, label: str) -> dict[str, object]:
        return {"id": f"aud-{i}", "topic": "t", "label": label, "called": "contradicts",
                "a": {"doc": "demo/abstracts/unlearning/x.md", "quote": a},
                "b": {"doc": "demo/abstracts/unlearning/y.md", "quote": b}}  # fmt: skip

    rows = [
        row(1, text, text.replace("detect", "do not detect"), "contradiction"),  # minimal pair
        row(2, "The monitor catches 80% of sabotage attempts in our coding tasks.",
            "The monitor catches 35% of sabotage attempts in our coding tasks.", "related"),
        row(3, "The blog condemns all threats of violence.",
            "There are too many avenues of harmless information for that standard.", "unrelated"),
    ]  # fmt: skip
    (tmp_path / "audit.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    monkeypatch.setattr(real_pairs, "DATA", tmp_path)
    monkeypatch.setattr(fit_judge, "DATA", tmp_path)
    pairs = {p.id: p for p in real_pairs.load(("audit",))}
    assert [fit_judge.structural(pairs[f"aud-{i}"]) for i in (1, 2, 3)] == [True, True, False]
    audit = fit_judge.audit_shifts(NLIModel(), {"contradiction": (1, 0), "convergence": (1, 0)})
    assert audit.structural == (1, 2)
    still = [p.id for p, _, _ in fit_judge.still_called(NLIModel(), list(pairs.values()))]
    assert audit.fits["contradiction"].calls == len(still) - 2  # only the model's own calls
