"""The confidence mathematics, as properties (hypothesis)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from calibration.confidence import derive
from calibration.models import ClaimFacts, Evidence
from consilience.vocabulary import FindingKind, FindingStatus

KINDS = ["finding", "prediction", "recommendation", "method", "definition", "opinion", "statement"]
SOURCES = ["paper", "post", "summary", "research_log", "news_digest", "unknown"]

facts_st = st.builds(
    ClaimFacts,
    id=st.just("c"),
    kind=st.sampled_from(KINDS),
    hedge=st.sampled_from(["none", "weak", "moderate", "strong"]),
    source_kind=st.sampled_from(SOURCES),
    stated_probability=st.none() | st.floats(0.0, 1.0),
    line_id=st.just("L-own"),
)


def _ev(
    i: int,
    kind: FindingKind,
    score: float,
    line: str,
    status: FindingStatus = FindingStatus.OPEN,
) -> Evidence:
    return Evidence(
        finding_id=f"f{i:04d}",
        kind=kind,
        investigator="inv",
        score=score,
        status=status,
        independent=True,
        other_claim_id=f"c-{line}-{i}",
        other_source_id=f"s-{line}-{i}",
        other_line_id=line,
    )


evidence_st = st.lists(
    st.builds(
        _ev,
        i=st.integers(0, 9999),
        kind=st.sampled_from(
            [
                FindingKind.CONVERGES_WITH,
                FindingKind.CONTRADICTS,
                FindingKind.DISTORTS,
                FindingKind.RESTATES,
            ]
        ),
        score=st.floats(0.05, 1.0),
        line=st.sampled_from(["L1", "L2", "L3", "L4"]),
        status=st.sampled_from(list(FindingStatus)),
    ),
    max_size=12,
    unique_by=lambda e: e.finding_id,
)


@given(facts_st, st.floats(0.3, 1.0), st.floats(0.3, 1.0))
def test_independent_support_beats_the_same_support_from_one_line(f, w1, w2) -> None:
    two_lines = derive(
        f,
        [
            _ev(1, FindingKind.CONVERGES_WITH, w1, "L1"),
            _ev(2, FindingKind.CONVERGES_WITH, w2, "L2"),
        ],
    )
    one_line = derive(
        f,
        [
            _ev(1, FindingKind.CONVERGES_WITH, w1, "L1"),
            _ev(2, FindingKind.CONVERGES_WITH, w2, "L1"),
        ],
    )
    assert two_lines.p > one_line.p
    assert two_lines.support_lines == 2 and one_line.support_lines == 1


@given(facts_st, evidence_st)
def test_a_confirmed_contradiction_lowers_confidence(f, evidence) -> None:
    before = derive(f, evidence)
    after = derive(
        f, [*evidence, _ev(10_000, FindingKind.CONTRADICTS, 0.9, "L9", FindingStatus.CONFIRMED)]
    )
    assert after.p < before.p


@given(facts_st, evidence_st)
def test_support_never_lowers_and_opposition_never_raises(f, evidence) -> None:
    base = derive(f, evidence)
    assert derive(
        f, [*evidence, _ev(10_001, FindingKind.CONVERGES_WITH, 0.8, "L8", FindingStatus.CONFIRMED)]
    ).p >= (base.p - 1e-12)
    assert (
        derive(f, [*evidence, _ev(10_002, FindingKind.CONTRADICTS, 0.8, "L8")]).p <= base.p + 1e-12
    )


@given(
    st.sampled_from(KINDS),
    st.sampled_from(SOURCES),
    st.sampled_from(["weak", "moderate", "strong"]),
)
def test_a_hedged_claim_starts_lower_than_a_plain_one(kind, source, hedge) -> None:
    plain = derive(ClaimFacts(id="c", kind=kind, hedge="none", source_kind=source), [])
    hedged = derive(ClaimFacts(id="c", kind=kind, hedge=hedge, source_kind=source), [])
    assert hedged.p < plain.p
    assert hedged.high - hedged.low > plain.high - plain.low - 0.05


def test_a_hedged_stated_probability_is_a_wide_prior_not_the_number() -> None:
    stated = derive(ClaimFacts(id="c", kind="prediction", stated_probability=0.9), [])
    hedged = derive(
        ClaimFacts(
            id="c", kind="prediction", hedge="moderate", hedge_cues=["?"], stated_probability=0.9
        ),
        [],
    )
    assert abs(stated.p - 0.9) < 1e-9
    assert hedged.p < 0.75  # not 0.9
    assert hedged.high - hedged.low > stated.high - stated.low + 0.1  # and wide


@given(facts_st, evidence_st, st.data())
def test_adding_a_duplicate_of_existing_evidence_changes_nothing(f, evidence, data) -> None:
    if not evidence:
        return
    original = data.draw(st.sampled_from(evidence))
    dup = original.model_copy(update={"finding_id": "f-dup", "other_source_id": "s-dup"})
    before, after = derive(f, evidence), derive(f, [*evidence, dup])
    assert (after.p, after.low, after.high) == (before.p, before.low, before.high)


@given(facts_st, evidence_st, st.randoms())
@settings(max_examples=50)
def test_results_do_not_depend_on_insertion_order(f, evidence, rnd: random.Random) -> None:
    shuffled = list(evidence)
    rnd.shuffle(shuffled)
    assert derive(f, evidence) == derive(f, shuffled)


@given(facts_st, evidence_st)
def test_dismissed_restated_and_same_line_evidence_count_for_nothing(f, evidence) -> None:
    base = derive(f, evidence)
    noise = [
        _ev(20_000, FindingKind.CONVERGES_WITH, 1.0, "L5", FindingStatus.DISMISSED),
        _ev(20_001, FindingKind.RESTATES, 1.0, "L6"),
        _ev(20_002, FindingKind.CONVERGES_WITH, 1.0, "L-own"),
    ]
    after = derive(f, [*evidence, *noise])
    assert (after.p, after.low, after.high) == (base.p, base.low, base.high)


@given(facts_st, evidence_st)
def test_interval_brackets_the_mean_and_open_contradictions_widen_it(f, evidence) -> None:
    c = derive(f, evidence)
    assert 0.0 <= c.low <= c.p <= c.high <= 1.0
    ids = {e.finding_id for e in evidence if e.kind == "contradicts" and e.status == "open"}
    assert c.contested == bool(ids)


@given(facts_st, evidence_st)
def test_evidence_whose_other_side_was_deleted_counts_for_nothing(f, evidence) -> None:
    orphan = _ev(30_000, FindingKind.CONVERGES_WITH, 1.0, "L7", FindingStatus.CONFIRMED).model_copy(
        update={"other_claim_id": None}
    )
    before, after = derive(f, evidence), derive(f, [*evidence, orphan])
    assert (after.p, after.low, after.high) == (before.p, before.low, before.high)


@settings(max_examples=60)
@given(st.lists(st.tuples(facts_st, evidence_st), max_size=6))
def test_derive_many_gives_each_claim_the_intervals_of_one_scalar_call(claims) -> None:
    """The batch form computes the intervals on arrays: every claim's numbers are exactly
    those of scipy's scalar call on its own posterior, in the order given."""
    from scipy.special import betaincinv

    from calibration.confidence import INTERVAL, derive_many

    out = derive_many([(f, ev, None) for f, ev in claims])
    assert len(out) == len(claims)
    for (f, ev), c in zip(claims, out, strict=True):
        assert c.n_findings == len(ev) and c.claim_id == f.id
        assert c.p == c.alpha / (c.alpha + c.beta)
        assert (c.low, c.high) == tuple(float(betaincinv(c.alpha, c.beta, q)) for q in INTERVAL)
        assert c.contested == (c.open_contradictions > 0)


@given(facts_st, evidence_st, st.sampled_from([FindingStatus.OPEN, FindingStatus.CONFIRMED]))
def test_a_contradiction_from_a_summary_of_the_claims_own_source_counts_for_nothing(
    f, evidence, status
) -> None:
    """Red-teamed: a summary misquoting a paper lowered the paper's claim (its distortion
    counts against the summary's claim instead)."""
    base = derive(f, evidence)
    from_summary = _ev(30_000, FindingKind.CONTRADICTS, 0.99, "L-sum", status).model_copy(
        update={"other_summarises": True, "independent": False}
    )
    after = derive(f, [*evidence, from_summary])
    assert (after.p, after.low, after.high) == (base.p, base.low, base.high)
    assert after.contested == base.contested
