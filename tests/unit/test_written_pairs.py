"""The team-written NLI pairs: valid, the held-out topic group never trains, no labelled
real pair's quote (the judge's calibration and test data) is among them."""

from __future__ import annotations

from collections import Counter

from training.real_pairs import load as load_real
from training.written import HELD_GROUP, held_out, load, training_pairs


def test_written_pairs_are_valid_and_the_held_out_group_never_trains() -> None:
    rows = load()
    assert len(rows) >= 2000
    groups = Counter(g for g, _ in rows)
    assert groups[HELD_GROUP] >= 300 and len(groups) == 7
    assert all(p.premise and p.hypothesis and p.premise != p.hypothesis for _, p in rows)
    held = {(p.premise, p.hypothesis) for p in held_out()}
    trained = {(p.premise, p.hypothesis) for p in training_pairs(copies=1)}
    trained |= {(h, p) for p, h in trained}
    assert held and not held & trained
    # contradiction is symmetric, so it trains in both orders; a plain entailment does not
    fams = Counter(p.origin for p in training_pairs(copies=1))
    support = sum(1 for g, p in rows if g != HELD_GROUP and p.origin == "written:support")
    assert fams["written:support"] == support
    contra = sum(1 for g, p in rows if g != HELD_GROUP and p.origin == "written:takeaway")
    assert fams["written:takeaway"] == 2 * contra


def test_no_labelled_real_quote_is_in_the_written_pairs() -> None:
    sentences = {s.strip().lower() for _, p in load() for s in (p.premise, p.hypothesis)}
    quotes = {q.strip().lower() for r in load_real() for q in (r.a.quote, r.b.quote)}
    assert quotes and not sentences & quotes
