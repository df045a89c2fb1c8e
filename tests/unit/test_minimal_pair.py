"""Minimal pairs are decided by what differs between the two sides, not by how much is alike."""

from __future__ import annotations

import pytest

from investigators.nli.minimal import minimal_pair, polar_tokens, same_polarity

MINIMAL = [
    (
        "On harmful requests it tells itself that it should comply.",
        "On harmful requests it tells itself that it should not comply.",
    ),
    (
        "A model would choose between the best short and best long trajectories.",
        "A model would choose between the worst short and best long trajectories.",
    ),
    ("It works.", "It does not work."),  # do-support and inflection
    ("Steering works on large models.", "Steering doesn’t work on large models."),
    (
        "We found a difference between the two models.",
        "We found no difference between the two models.",
    ),
    ("The method always holds.", "The method does not always hold."),
    ("Models trained with RLHF refuse more often.", "Models trained with RLHF refuse less often."),
    ("The probe works on every model we tested.", "The probe fails on every model we tested."),
    (
        "Fine-tuning improves calibration on every benchmark.",
        "Fine-tuning does not improve calibration on every benchmark.",
    ),
    (
        "The filter removed the hazardous knowledge.",
        "The filter did not remove the hazardous knowledge.",
    ),
    (
        "We find that the probe generalizes to new tasks.",
        "We find that the probe does not generalize to new tasks.",
    ),
    (
        "Unlearning succeeds against relearning attacks.",
        "Unlearning never succeeds against relearning attacks.",
    ),
    ("Larger models improve calibration.", "Larger models degraded calibration."),  # inflections
    (
        "Quantization does not help and increases latency.",
        "Quantization does not help and reduces latency.",
    ),
]

NOT_MINIMAL = [
    ("This is good for safety.", "This is not bad for safety."),  # two flips cancel
    (  # a hedge added in front
        "Training on synthetic data makes language models collapse in five generations.",
        "It is not clear whether training on synthetic data makes language models collapse in "
        "five generations.",
    ),
    (  # a converse: three opposite words, the same claim
        "Larger models are better than smaller models at code generation.",
        "Smaller models are worse than larger models at code generation.",
    ),
    (  # a different model beside the negation: a scope difference, left to the scope rule
        "Qwen3-8B often tells itself on harmful requests from users that it should comply with "
        "their instructions.",
        "Llama-3-70B often tells itself on harmful requests from users that it should not "
        "comply with their instructions.",
    ),
    (
        "The attack improves recall and also precision.",
        "The attack not only improves recall but also precision.",
    ),
    ("X is known to cause collapse.", "X is not known to cause collapse."),  # evidence, not denial
    ("The effect holds for English.", "The effect does not hold for French."),
    # a changed condition, relative clause, quantifier or modal: both sides can be true
    (
        "Models trained with RLHF refuse harmful requests.",
        "Models trained without RLHF refuse harmful requests.",
    ),
    ("Sycophancy increases after RLHF.", "Sycophancy increases before RLHF."),
    (
        "Models that are fine-tuned on insecure code become misaligned.",
        "Models that are not fine-tuned on insecure code become misaligned.",
    ),
    (
        "When the probe is calibrated, it detects deception.",
        "When the probe is not calibrated, it detects deception.",
    ),
    ("Some models refuse harmful requests.", "Some models do not refuse harmful requests."),
    ("The model may refuse harmful requests.", "The model may not refuse harmful requests."),
    (
        "Deception is detected if the linear probe is calibrated.",
        "Deception is detected if the linear probe is not calibrated.",
    ),
    (  # under "often" both can be true
        "On harmful requests it often tells itself that it should comply.",
        "On harmful requests it often tells itself that it should not comply.",
    ),
    (
        "Some of the larger models refuse harmful requests.",
        "Some of the larger models do not refuse harmful requests.",
    ),
    (
        "The mechanism is well understood in small models.",
        "The mechanism is not well understood in small models.",
    ),
    ("Steering works.", "Steering works."),  # no flip at all
    # an opposite under a negation both share: both can hold (red-teamed)
    (
        "Fine-tuning does not improve accuracy on the benchmark.",
        "Fine-tuning does not degrade accuracy on the benchmark.",
    ),
    ("Good.", "Not good."),  # too little shared to be a statement
]


@pytest.mark.parametrize(("a", "b"), MINIMAL)
def test_one_negation_or_opposite_is_a_minimal_pair(a: str, b: str) -> None:
    assert minimal_pair(a, b) == 1.0
    assert minimal_pair(b, a) == 1.0


@pytest.mark.parametrize(("a", "b"), NOT_MINIMAL)
def test_anything_else_that_differs_is_not(a: str, b: str) -> None:
    assert minimal_pair(a, b) == 0.0
    assert minimal_pair(b, a) == 0.0


def test_contractions_split_into_word_and_not_and_clause_breaks_are_kept() -> None:
    assert polar_tokens("It isn’t, can't and won't") == [
        "it",
        "is",
        "not",
        ",",
        "can",
        "not",
        "and",
        "will",
        "not",
    ]


SWAPPED = [  # red-teamed: called convergences at 0.78-0.84
    (
        "Probes outperform SAEs on deception detection.",
        "SAEs outperform probes on deception detection.",
    ),
    ("Model A is safer than model B.", "Model B is safer than model A."),
    ("Claude is more honest than GPT-4.", "GPT-4 is more honest than Claude."),
    (
        "Larger models are more robust than smaller models to prompt injection.",
        "Smaller models are more robust than larger models to prompt injection.",
    ),
]
NOT_SWAPPED = [
    ("Model A is as safe as model B.", "Model B is as safe as model A."),  # symmetric
    ("Probes correlate with SAE features.", "SAE features correlate with probes."),
    ("Model A does not beat model B.", "Model B does not beat model A."),  # both can hold
    ("Model A may outperform model B.", "Model B may outperform model A."),
    (  # a converse: a word changed too
        "Larger models are better than smaller models.",
        "Smaller models are worse than larger models.",
    ),
    ("Model A is safer than model B.", "Model A is safer than model B."),
    ("Training on A then B helps.", "Training on B then A helps."),  # no asymmetric relation
    (
        "When probes outperform SAEs, we use probes.",
        "When SAEs outperform probes, we use probes.",
    ),
    # review: both orders can hold under a frequency, hedge, partial quantity, report or number
    ("Probes rarely outperform SAEs.", "SAEs rarely outperform probes."),
    (
        "Probes outperform SAEs on a few benchmarks.",
        "SAEs outperform probes on a few benchmarks.",
    ),
    (
        "Probes outperform SAEs on at least one benchmark.",
        "SAEs outperform probes on at least one benchmark.",
    ),
    ("Probes outperform SAEs in 40% of the tasks.", "SAEs outperform probes in 40% of the tasks."),
    ("Probes likely outperform SAEs.", "SAEs likely outperform probes."),
    ("Prior work claimed probes outperform SAEs.", "Prior work claimed SAEs outperform probes."),
]


@pytest.mark.parametrize(("a", "b"), SWAPPED)
def test_a_comparison_with_its_two_sides_swapped_is_a_contradiction(a: str, b: str) -> None:
    from investigators.nli.judge import Side, evidence_of
    from investigators.nli.minimal import swapped_pair

    assert swapped_pair(a, b) == 1.0 and swapped_pair(b, a) == 1.0
    ev = evidence_of(Side(a), Side(b))
    assert ev.structural and any(n.startswith("swapped comparison") for n in ev.notes)


@pytest.mark.parametrize(("a", "b"), NOT_SWAPPED)
def test_symmetric_negated_hedged_or_converse_swaps_are_not(a: str, b: str) -> None:
    from investigators.nli.minimal import swapped_pair

    assert swapped_pair(a, b) == 0.0


SAME_POLARITY = [
    # red-teamed: called a contradiction at 0.9; "improves" implies "does not degrade"
    ("Fine-tuning does not degrade accuracy.", "Fine-tuning improves accuracy."),
    ("This is good for safety.", "This is not bad for safety."),
    ("The probe never fails on held-out tasks.", "The probe does not fail on held-out tasks."),
    (
        "Fine-tuning does not improve accuracy on the benchmark.",
        "Fine-tuning does not degrade accuracy on the benchmark.",
    ),
    ("RLHF does not increase sycophancy.", "RLHF reduces sycophancy."),
    ("Fine-tuning did not degrade accuracy.", "Fine-tuning improved accuracy."),  # review
    (
        "Fine-tuning did not lead to a significant increase in bias.",
        "Fine-tuning did not lead to a significant decrease in bias.",
    ),
]

NOT_SAME_POLARITY = [
    *MINIMAL,
    # two separate flips, one in each clause: both claims are denied
    (
        "Probes work on small models, and steering is safe.",
        "Probes do not work on small models, and steering is unsafe.",
    ),
    ("Steering works.", "Steering works."),  # nothing flipped
    ("X is not known to degrade accuracy.", "X improves accuracy."),  # evidence, not denial
    ("Fine-tuning does not degrade accuracy.", "Pruning improves accuracy."),  # other subject
    # the negation is in another clause (review): a real flip
    (
        "Quantization does not help and increases latency.",
        "Quantization does not help and reduces latency.",
    ),
    ("RLHF is not cheap but improves helpfulness.", "RLHF is not cheap but degrades helpfulness."),
    # evaluative opposites and contradictories under a negation take opposite stances
    ("POST would not be a good failsafe.", "POST would not be a bad failsafe."),
]


@pytest.mark.parametrize(("a", "b"), SAME_POLARITY)
def test_flips_that_cancel_are_the_same_polarity(a: str, b: str) -> None:
    assert same_polarity(a, b) and same_polarity(b, a)
    assert minimal_pair(a, b) == 0.0


@pytest.mark.parametrize(("a", "b"), NOT_SAME_POLARITY)
def test_a_flip_left_standing_is_not(a: str, b: str) -> None:
    assert not same_polarity(a, b)
    assert not same_polarity(b, a)
