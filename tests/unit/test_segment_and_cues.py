from __future__ import annotations

import pytest

from ingest.claims.cues import hedge_of, kind_of
from ingest.claims.numbers import extract_numbers
from ingest.claims.rules import is_claim_sentence
from ingest.segment import Segmenter
from investigators.cues import number_cue
from kg.models import ClaimKind, Hedge

SEG = Segmenter()


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in SEG.spans(text)]


def test_abbreviations_do_not_split_sentences() -> None:
    text = (
        "Greenblatt et al. found this in Fig. 3 of the paper. We use e.g. probes, i.e. "
        "linear ones. A pretty high chance (>90%?) of successfully managing risks holds."
    )
    assert sentences(text) == [
        "Greenblatt et al. found this in Fig. 3 of the paper.",
        "We use e.g. probes, i.e. linear ones.",
        "A pretty high chance (>90%?) of successfully managing risks holds.",
    ]


def test_spans_are_exact_offsets() -> None:
    text = "  First claim here is real.   Second one follows here.  "
    for s, e in SEG.spans(text):
        assert text[s:e].strip() == text[s:e]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("We find that probes detect deception reliably.", Hedge.NONE),
        ("This might generalise to larger models.", Hedge.STRONG),
        ("Probably the AI control work matters most.", Hedge.MODERATE),
        ("Models generally refuse such requests.", Hedge.WEAK),
    ],
)
def test_hedges(sentence: str, expected: Hedge) -> None:
    assert hedge_of(sentence)[0] == expected


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("We find that SFT provides the largest gains.", ClaimKind.FINDING),
        ("Use AUC, not accuracy, for binary classification.", ClaimKind.RECOMMENDATION),
        ("We train a Qwen3.5-27B monitor with GRPO.", ClaimKind.METHOD),
        ("Then we'll say these AIs are in a Basin of Good Deference.", ClaimKind.DEFINITION),
        ("Timelines will be like a decade maybe.", ClaimKind.PREDICTION),
    ],
)
def test_kinds(sentence: str, kind: ClaimKind) -> None:
    assert kind_of(sentence, has_measurement=False) == kind


def test_model_names_are_not_measurements() -> None:
    nums = extract_numbers("Qwen3-32B and GPT-5.4 reach AUROC 0.79 while Llama-3.1-8B gets 62%.")
    assert [(n.value, n.unit) for n in nums] == [(0.79, None), (62.0, "%")]
    assert nums[0].measured == "auroc"


def test_hedged_probability_and_comparators() -> None:
    nums = extract_numbers("a pretty high chance (>90%?) of success with 30-50x speed")
    first, second = nums
    assert (first.value, first.comparator, first.unit, first.hedged) == (90.0, ">", "%", True)
    assert (second.value, second.value_max, second.unit) == (30.0, 50.0, "x")


@pytest.mark.parametrize(
    ("text", "comparator"),
    [
        ("an AUROC above 0.9", ">"),
        ("an AUROC Above 0.9", ">"),  # at a sentence's start too
        ("an AUROC greater than 0.9", ">"),
        ("accuracy exceeds 0.9", ">"),
        ("an AUROC below 0.9", "<"),
        ("fewer than 0.9 of the runs", "<"),
        ("no more than 0.9 of the runs", "<="),
        ("no less than 0.9 of the runs", ">="),
        ("About 0.9 of the runs", "~"),
        ("accuracy must exceed 0.9", ">"),
        # a negated bound is the other way (review: "never exceeded 5%" read as "> 5%")
        ("the error rate never exceeded 0.9", "<="),
        ("accuracy was not above 0.9", "<="),
        ("it isn't below 0.9", ">="),
    ],
)
def test_bounds_in_words_are_comparators(text: str, comparator: str) -> None:
    (n,) = extract_numbers(text)
    assert (n.value, n.comparator) == (0.9, comparator)


def test_a_value_inside_a_bound_is_no_conflict_and_one_outside_is() -> None:
    """Red-teamed: "an AUROC above 0.9" / "an AUROC of 0.91" was a contradiction ("above" was
    not read as a bound)."""
    above = "The probe reaches an AUROC above 0.9 on deception."
    inside = "The probe reaches an AUROC of 0.97 on deception."
    outside = "The probe reaches an AUROC of 0.8 on deception."
    assert number_cue(extract_numbers(above), extract_numbers(inside), above, inside) is None
    cue = number_cue(extract_numbers(above), extract_numbers(outside), above, outside)
    assert cue is not None and "above 0.9" in cue.detail
    never = "The refusal rate never exceeded 5% across all prompts."
    reached = "The refusal rate reached 9% across all prompts."
    assert number_cue(extract_numbers(never), extract_numbers(reached), never, reached)


def test_illustrative_numbers_are_flagged() -> None:
    nums = extract_numbers("We could use, e.g. 3 months of lead time.")
    assert nums and all(n.illustrative for n in nums)


@pytest.mark.parametrize(
    ("sentence", "is_claim"),
    [
        ("Or is the distinction itself considered observer-relative?", False),
        ('"When does training a model change its goals?"', False),
        ("Introduction", False),
        ("Don't Edit Your Ideas Before Having Them", False),
        ("See here for the full paper.", False),
        ("SFT provides the largest gains, while RL gives smaller improvements.", True),
        # sentences whose content is elsewhere (from the corpus and its papers); a claim that
        # only cites a figure, or says where something "can be found", is kept
        ("Our evaluation tasks can be found here.", False),
        ("More information on AOBench can be found in the Appendix.", False),
        (
            "For full implementation details including hyperparameter selection, see Appendix A.",
            False,
        ),
        ("See Figure 4 for an example prompt.", False),
        ("If you're curious to try it, click here (it's free).", False),
        ("The train-test gap is also smaller for DReST agents: 49% smaller (see Figure 5).", True),
        ("Evidence of reward hacking can be found in many frontier models today.", True),
    ],
)
def test_claim_decision(sentence: str, is_claim: bool) -> None:
    assert is_claim_sentence(sentence, "paragraph") is is_claim


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        (
            "Membership inference attacks ask whether a datapoint was in the training set.",
            "statement",
        ),
        ("I think membership inference is mostly a distribution-shift artefact.", "opinion"),
        ("Arguably, the benchmark measures temporal shift rather than membership.", "opinion"),
        ("In my view the attacks barely work on pre-training data.", "opinion"),
        ("We find that attacks barely outperform random guessing.", "finding"),
        ("Labs should publish their safety frameworks.", "recommendation"),
    ],
)
def test_a_claim_is_an_opinion_only_when_marked_as_one(sentence: str, kind: str) -> None:
    from ingest.claims.cues import kind_of

    assert kind_of(sentence, has_measurement=False).value == kind
