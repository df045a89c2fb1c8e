from __future__ import annotations

from typing import TypedDict, Unpack

import pytest

from ingest.claims.numbers import extract_numbers
from investigators.base import CandidatePair, ClaimView, FindingKind, Independence, Verdict
from investigators.contradiction import ContradictionInvestigator
from investigators.convergence import ConvergenceInvestigator
from investigators.independence import SourceFacts, judge, lines_of_research


class ViewExtras(TypedDict, total=False):
    """The other optional ClaimView fields a test may set."""

    speaker: str | None
    stated_probability: float | None
    in_footnote: bool
    source_path: str | None
    line_id: str | None


def view(
    cid: str, text: str, source: str = "s1", hedge: str = "none", **kw: Unpack[ViewExtras]
) -> ClaimView:
    return ClaimView(
        id=cid,
        text=text,
        normalized=text,
        kind="finding",
        hedge=hedge,
        numbers=extract_numbers(text),
        source_id=source,
        source_title=source,
        source_kind="paper",
        **kw,
    )


def pair(a: str, b: str, sim: float = 0.85, independent: bool = True) -> CandidatePair:
    return CandidatePair(
        a=view("a", a, "s1"),
        b=view("b", b, "s2"),
        similarity=sim,
        independence=Independence(independent=independent, reason="test"),
    )


# Real corpus sentences and their perturbations.
@pytest.mark.parametrize(
    ("a", "b", "cue"),
    [
        (
            "SFT provides the largest gains, while RL gives smaller improvements.",
            "SFT does not provide the largest gains, while RL gives smaller improvements.",
            "negation",
        ),
        (
            "The logit monitor outperforms the verbalization monitor using fewer rollouts.",
            "The logit monitor underperforms the verbalization monitor using fewer rollouts.",
            "antonym",
        ),
        (
            "The logit monitor achieves AUROC 0.79 from a single rollout.",
            "The logit monitor achieves AUROC 0.52 from a single rollout.",
            "number",
        ),
        (
            "All existing H-only models help with harmful requests under an HHH prompt.",
            "None of the existing H-only models help with harmful requests under an HHH prompt.",
            "quantifier",
        ),
    ],
)
def test_each_cue_fires_on_real_sentences(a: str, b: str, cue: str) -> None:
    (v,) = ContradictionInvestigator().investigate([pair(a, b)])
    assert v.kind == FindingKind.CONTRADICTS and cue in v.cues and v.score >= 0.5
    assert "“" in v.rationale and a in v.rationale and b in v.rationale


def test_paraphrase_is_not_a_contradiction_but_converges() -> None:
    a = "Training small open-weight monitors is a cost-effective alternative to frontier monitors."
    b = "Training small open-weight monitors offers a cheap alternative to frontier monitors."
    p = pair(a, b, sim=0.9)
    assert ContradictionInvestigator().investigate([p]) == []
    (v,) = ConvergenceInvestigator().investigate([p])
    assert v.kind == FindingKind.CONVERGES_WITH and v.independent is True


def test_dependent_agreement_is_a_restatement_not_corroboration() -> None:
    a = "AIs slightly above minimum capability will run 30-50x faster than humans."
    (v,) = ConvergenceInvestigator().investigate([pair(a, a, sim=0.99, independent=False)])
    assert v.kind == FindingKind.RESTATES and v.independent is False


def test_reported_views_and_questions_never_contradict() -> None:
    p = pair(
        "Monitoring detects scheming reliably.", "Monitoring does not detect scheming reliably."
    )
    p.b.speaker = "(reported view)"
    assert ContradictionInvestigator().investigate([p]) == []
    q = pair(
        "Monitoring detects scheming reliably.", "Does monitoring not detect scheming reliably?"
    )
    assert ContradictionInvestigator().investigate([q]) == []


def test_independence_rules() -> None:
    post = SourceFacts(id="post", title="How do we defer?", kind="post")
    summary = SourceFacts(id="sum", title="Summary", kind="summary", summarises=frozenset({"post"}))
    a1 = SourceFacts(id="a1", title="A", kind="paper", authors=frozenset({"Zvi"}))
    a2 = SourceFacts(id="a2", title="B", kind="post", authors=frozenset({"Zvi"}))
    lab = SourceFacts(id="g", title="G", kind="paper", orgs=frozenset({"Goodfire"}))
    other = SourceFacts(id="o", title="O", kind="paper", orgs=frozenset({"GDM"}))
    assert not judge(summary, post).independent
    assert not judge(post, summary).independent
    assert not judge(a1, a2).independent and "Zvi" in judge(a1, a2).reason
    assert judge(lab, other).independent
    lines = lines_of_research([post, summary, a1, a2, lab, other])
    sizes = sorted(len(x["members"]) for x in lines)
    assert sizes == [1, 1, 2, 2]
    why = {sid: r for x in lines for sid, r in x["member_reasons"].items()}
    assert why["a1"] == why["a2"] == ["shared author: Zvi"]
    assert why["sum"] == ["summary of a source in the line"] and why["g"] == ["single source"]


def test_shared_speaker_citation_or_method_and_data_make_sources_dependent() -> None:
    a = SourceFacts(id="a", speakers=frozenset({"Dean Ball"}), title="t", kind="paper")
    b = SourceFacts(id="b", speakers=frozenset({"Dean Ball"}), title="t", kind="paper")
    assert "both quote Dean Ball" in judge(a, b).reason
    c = SourceFacts(id="c", cites=frozenset({"arXiv:2602.10067"}), title="t", kind="paper")
    d = SourceFacts(id="d", cites=frozenset({"arXiv:2602.10067"}), title="t", kind="paper")
    assert not judge(c, d).independent and "arXiv:2602.10067" in judge(c, d).reason
    m1 = SourceFacts(
        id="m1", methods=frozenset({"GRPO"}), datasets=frozenset({"Petri"}), title="t", kind="paper"
    )
    m2 = SourceFacts(
        id="m2", methods=frozenset({"GRPO"}), datasets=frozenset({"Petri"}), title="t", kind="paper"
    )
    m3 = SourceFacts(
        id="m3",
        methods=frozenset({"GRPO"}),
        datasets=frozenset({"WildChat"}),
        title="t",
        kind="paper",
    )
    assert not judge(m1, m2).independent
    assert judge(m1, m3).independent  # same method, different data: still independent


def test_dependency_extraction_from_text() -> None:
    from ingest.dependencies import cited_works, datasets, methods

    text = (
        "Following Greenblatt et al. (2024) and arXiv:2602.10067, we train with GRPO and "
        "SFT and evaluate on StrongREJECT and Petri using linear probes."
    )
    assert cited_works(text) == ["arXiv:2602.10067", "greenblatt et al. 2024"]
    assert methods(text) == ["GRPO", "SFT", "linear probes"]
    assert datasets(text) == ["Petri", "StrongREJECT"]


def _summary_pair(a: ClaimView, b: ClaimView) -> CandidatePair:
    """A pair of a source and its summary (the one whose id is "m" is the summary's claim)."""
    summ = a if a.id == "m" else b
    summ.source_kind = "summary"
    return CandidatePair(
        a=a,
        b=b,
        similarity=0.9,
        independence=Independence(
            independent=False, reason="one summarises the other", summary_source=summ.source_id
        ),
    )


def test_a_distortion_reads_the_summary_side_from_the_link_not_the_source_kind() -> None:
    """A summary link between two sources of another kind (a paper declared a summary of a
    report, a summary-kind note summarised by a paper) was read by source kind: the summary
    side was always b, or the summary-kind one, and the distortion was filed on the source's
    claim."""
    from investigators.distortion import DistortionInvestigator
    from investigators.independence import SourceFacts, judge

    report = SourceFacts(id="REP", title="report", kind="summary")
    paper = SourceFacts(id="PAP", title="paper", kind="paper", summarises=frozenset({"REP"}))
    for a, b in ((report, paper), (paper, report)):
        assert judge(a, b).summary_source == "PAP"
    assert judge(report, SourceFacts(id="X", title="x", kind="paper")).summary_source is None

    src = view("s", "Probes detect deception in most transcripts.", "REP")
    src.source_kind = "summary"
    summ = view("m", "Probes detect deception in all transcripts.", "PAP")
    for a, b in ((src, summ), (summ, src)):
        ind = judge(report, paper)
        (v,) = DistortionInvestigator().investigate(
            [CandidatePair(a=a, b=b, similarity=0.9, independence=ind)]
        )
        assert (v.a_id, v.b_id) == ("m", "s") and v.cues == ["overgeneralised"]
        assert "Summary: “Probes detect deception in all" in v.rationale
    # without the link's direction (dependent for another reason) there is no distortion
    other = Independence(independent=False, reason="shared author: x")
    assert (
        DistortionInvestigator().investigate(
            [CandidatePair(a=summ, b=src, similarity=0.9, independence=other)]
        )
        == []
    )


def test_summary_distortions_lost_hedge_and_rounding() -> None:
    from investigators.distortion import DistortionInvestigator

    src = view(
        "s",
        "DReST roughly halves the mean probability of influencing shutdown to 0.297.",
        "POST",
        hedge="moderate",
    )
    summ = view("m", "DReST halves the probability of influencing shutdown to 0.30.", "SUM")
    (v,) = DistortionInvestigator().investigate([_summary_pair(summ, src)])
    assert v.kind == FindingKind.DISTORTS and v.a_id == "m"
    assert {"lost-hedge", "rounded-number"} <= set(v.cues)


@pytest.mark.parametrize(
    ("source", "summary", "widened"),
    [
        (
            "Linear probes detect deceptive behaviour in most transcripts we examined.",
            "Linear probes detect deceptive behaviour in all transcripts examined.",
            ("most", "all"),
        ),
        ("The model often refuses harmful requests.", "The model always refuses harmful requests.",
         ("often", "always")),
        ("The model often refuses harmful requests.", "The model refuses harmful requests.", None),
        ("All models refuse harmful requests.", "Most models refuse harmful requests.", None),
        # qualified or idiomatic "all" (review)
        ("Probes detect it in most transcripts.", "Probes detect it in almost all transcripts.",
         None),
        ("Most models refuse.", "Not all models refuse.", None),
        ("Most models did not refuse.", "The models did not refuse at all.", None),
        ("Some models refuse harmful prompts.", "All in all, models refuse harmful prompts.",
         None),
        ("Most runs succeed.", "The runs succeed in all but one case.", None),
    ],
)  # fmt: skip
def test_a_summary_that_widens_part_of_the_cases_to_all_distorts(
    source: str, summary: str, widened: tuple[str, str] | None
) -> None:
    """A summary saying of all cases what its source says of most (the overgeneralisation
    summaries are known for) was no distortion: only hedges and numbers were read."""
    from investigators.distortion import DistortionInvestigator

    src, summ = view("s", source, "POST"), view("m", summary, "SUM")
    found = DistortionInvestigator().investigate([_summary_pair(src, summ)])
    if widened is None:
        assert found == []
        return
    (v,) = found
    assert v.kind == FindingKind.DISTORTS and (v.a_id, v.b_id) == ("m", "s")
    assert v.cues == ["overgeneralised"]
    assert f"'{widened[0]}' in the source, '{widened[1]}' in the summary" in v.rationale


def test_a_contradiction_on_a_distorted_pair_is_folded_into_the_distortion() -> None:
    """Red-teamed: a summary claim and its source claim got a distorts finding and, beside
    it, a low-score contradicts finding on the same two quotes (read as two problems)."""
    from investigators.distortion import DistortionInvestigator, fold_contradictions

    src = view("s", "Linear probes detect deception in most transcripts.", "POST")
    summ = view("m", "Linear probes detect deception in all transcripts.", "SUM")
    (d,) = DistortionInvestigator().investigate([_summary_pair(src, summ)])

    def contra(a: str, b: str, score: float, by: str = "nli-judge") -> Verdict:
        return Verdict(
            kind=FindingKind.CONTRADICTS, a_id=a, b_id=b, score=score, investigator=by,
            rationale="NLI contradiction 0.91 / 0.12; dependent. A: “x” — T. B: “y” — U.",
            version="15", independence_reason="dependent",
        )  # fmt: skip

    judge_reading, other = contra("s", "m", 0.61), contra("x", "s", 0.8)
    kept, folded = fold_contradictions([judge_reading, d, other], frozenset())  # ids any order
    assert folded == [judge_reading]
    (d2, other2) = kept
    assert other2 is other and d2.kind == FindingKind.DISTORTS and (d2.a_id, d2.b_id) == ("m", "s")
    assert d2.cues == ["contradicts-source", "overgeneralised"]
    problems, quotes = d.rationale.split(". Summary: “")
    assert d2.rationale == (
        f"{problems}; the nli-judge investigator also reads the two as contradicting each other "
        f"(0.61: NLI contradiction 0.91 / 0.12). Summary: “{quotes}"
    )
    assert d2.score == d.score and d.cues == ["overgeneralised"]  # its own score; d unchanged
    # a pair a human verdict bears on is not folded (the caller finds those)
    assert fold_contradictions([judge_reading, d], frozenset(), {frozenset(("m", "s"))}) == (
        [judge_reading, d], []
    )  # fmt: skip
    # an adjudicator's label stays a finding of its own; no distortion: nothing changes
    claude = contra("m", "s", 0.9, by="llm-adjudicator")
    assert fold_contradictions([d, claude], frozenset({"llm-adjudicator"})) == ([d, claude], [])
    assert fold_contradictions([other], frozenset()) == ([other], [])


def test_the_dimension_proposer_is_shown_a_distortion_as_opposition() -> None:
    """Red-teamed: the proposer was told the source claim a summary distorts "supports" the
    summary's claim (and the other way round)."""
    from investigators.runner import evidence_for_proposer

    src = view("s", "Refusal training reduces harmful compliance in most models.", "POST")
    summ = view("m", "Refusal training reduces harmful compliance in all models.", "SUM")
    agree = view("x", "Refusal training lowers harmful compliance.", "OTHER")

    def verdict(kind: FindingKind, a: str, b: str) -> Verdict:
        return Verdict(
            kind=kind, a_id=a, b_id=b, score=0.7, rationale="r", investigator="t", version="1"
        )

    support, opposition = evidence_for_proposer(
        [verdict(FindingKind.DISTORTS, "m", "s"), verdict(FindingKind.CONVERGES_WITH, "s", "x")],
        {c.id: c for c in (src, summ, agree)},
    )
    assert opposition == {"m": [f"“{src.text}” — POST"], "s": [f"“{summ.text}” — SUM"]}
    assert support == {"s": [f"“{agree.text}” — OTHER"], "x": [f"“{src.text}” — POST"]}
