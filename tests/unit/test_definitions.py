"""Definitions (kg.definitions): what makes a sentence define a term, at ingest and in the judge."""

from __future__ import annotations

import pytest

from ingest.claims.cues import kind_of
from kg.definitions import definition_cue, is_definition
from kg.models import ClaimKind

# the six abstracts of the demo corpus that open by defining membership inference attacks,
# and other definitions from it
DEFINITIONS = [
    "Membership inference attacks (MIAs) aim to determine whether specific data was used to "
    "train a model.",
    "Membership inference attacks (MIAs) attempt to predict whether a particular datapoint is a "
    "member of a target model's training data.",
    "Membership inference (MI) attacks try to determine if a data sample was used to train a "
    "machine learning model.",
    "Membership Inference Attacks (MIA) aim to infer whether a target data record has been "
    "utilized for model training or not.",
    "Recent works have presented methods to identify if individual text sequences were members "
    "of the model's training data, known as membership inference attacks (MIAs).",
    "LLM unlearning aims to eliminate the influence of undesirable data from the pre-trained "
    "model while preserving the model's utilities on other tasks.",
    "Steering vectors (SVs) are a new approach to efficiently adjust language model behaviour "
    "at inference time.",
    "Machine unlearning methods try to remove the influence of specific training examples.",
    "Membership inference is a privacy attack that asks whether a record was in the training set.",
    "The phenomenon of model collapse refers to the deterioration in performance of models "
    "trained on their own outputs.",
    "Definition: Having AIs do virtually all work to develop more capable successor AIs.",
]

NOT_DEFINITIONS = [
    # claims about what things do, or about someone's own method
    "Models try to deceive their evaluators when they are monitored.",
    "Attackers try to extract training data from deployed models.",
    "We aim to show that probes generalise to new deception datasets.",
    "Our method attempts to reduce collapse by mixing in real data.",
    "This approach aims to catch sabotage before deployment.",
    "The attack aims to recover the training set.",
    "Anthropic's monitoring approaches aim to catch sabotage.",
    "Training on synthetic data tries to make up for the shortage of human text.",
    # a judgement of a technique, and a finding after its definition
    "Machine unlearning is a promising approach to mitigate undesirable memorization.",
    "Membership Inference Attacks (MIAs) aim to detect whether specific documents were used in "
    "pretraining, but their effectiveness is undermined by distribution shifts.",
    "Linear probes detect deceptive behaviour in most transcripts we examined.",
]


@pytest.mark.parametrize("sentence", DEFINITIONS)
def test_definitions_are_recognised(sentence: str) -> None:
    assert is_definition(sentence), sentence
    cue = definition_cue(sentence)
    assert cue and cue in sentence  # the words that make it one, for the rationale


@pytest.mark.parametrize("sentence", NOT_DEFINITIONS)
def test_claims_about_things_are_not_definitions(sentence: str) -> None:
    assert definition_cue(sentence) is None, sentence


def test_ingest_files_definitions_first() -> None:
    """The words "attempt to predict" made this definition a prediction, and "detect" would
    make one a finding; a lead-in label "Definition:" (stripped from the claim's normalised
    text) counts."""
    mia = DEFINITIONS[1]
    assert kind_of(mia, has_measurement=False) == ClaimKind.DEFINITION
    body = "Having AIs do virtually all work to develop more capable successor AIs."
    assert kind_of(body, has_measurement=False) == ClaimKind.STATEMENT
    assert kind_of(body, has_measurement=False, label="Definition") == ClaimKind.DEFINITION
    assert kind_of(NOT_DEFINITIONS[0], has_measurement=False) != ClaimKind.DEFINITION
