"""Training pairs against the hypothesis-only habit (recipe "debias"), and the shipped model's
reading of a statement against itself."""

from __future__ import annotations

import random
from collections import Counter

from investigators.nli.perturb import CONTRADICTION, ENTAILMENT, NEUTRAL
from training.domain import self_and_cue_pairs
from training.nli_data import Pair

CLAIMS = [
    "Probes trained on one model transfer to its fine-tuned variants.",
    "The monitor catches most sabotage attempts in the agentic setting.",
    "Unlearning with RMU lowers WMDP accuracy to near chance.",
    "Models trained on synthetic data lose the tails of the distribution.",
    "Steering vectors change refusal rates on held-out prompts.",
]
DOMAIN = [
    Pair(CLAIMS[0], "Probes trained on one model do not transfer to its fine-tuned variants.",
         CONTRADICTION, "domain:negation"),
    # the perturbed side first (contradiction is trained in both orders)
    Pair("The monitor catches few sabotage attempts in the agentic setting.", CLAIMS[1],
         CONTRADICTION, "domain:quantifier"),
    Pair(CLAIMS[2], "Unlearning with RMU probably lowers WMDP accuracy to near chance.",
         ENTAILMENT, "domain:hedge added"),
]  # fmt: skip
NLI = [
    Pair("A man sleeps on a bench.", "Nobody is sleeping.", CONTRADICTION, "esnli"),
    Pair("A dog runs.", "An animal moves.", ENTAILMENT, "esnli"),
]


def test_self_pairs_are_entailment_and_cue_pairs_pair_the_perturbed_side_with_another_claim():
    out = self_and_cue_pairs(DOMAIN, NLI, CLAIMS, random.Random(1), n=100)
    by = Counter(p.origin for p in out)
    selfs = [p for p in out if p.origin == "domain:self"]
    cues = [p for p in out if p.origin == "domain:cue alone"]
    assert by.keys() == {"domain:self", "domain:cue alone"}
    assert all(p.premise == p.hypothesis and p.label == ENTAILMENT for p in selfs)
    # every claim, both sides of each domain contradiction and the NLI contradiction's
    # hypothesis read against themselves (n exceeds them all); nothing else
    expected = set(CLAIMS) | {DOMAIN[0].hypothesis, DOMAIN[1].premise, "Nobody is sleeping."}
    assert {p.premise for p in selfs} == expected
    assert all(p.label == NEUTRAL for p in cues)
    perturbed = {DOMAIN[0].hypothesis, DOMAIN[1].premise}
    for p in cues:
        flipped = p.premise not in perturbed
        cue, other = (p.hypothesis, p.premise) if flipped else (p.premise, p.hypothesis)
        assert cue in perturbed and other in CLAIMS
        # never the claim the cue was made from: that pair is the contradiction itself
        assert not {cue, other} <= {DOMAIN[0].premise, DOMAIN[0].hypothesis}
        assert not {cue, other} <= {DOMAIN[1].premise, DOMAIN[1].hypothesis}
    # both orders of each cue pair
    assert Counter((p.premise, p.hypothesis) for p in cues) == Counter(
        (p.hypothesis, p.premise) for p in cues
    )


def test_the_number_of_self_pairs_is_capped_and_drawn_reproducibly():
    a = self_and_cue_pairs(DOMAIN, NLI, CLAIMS, random.Random(7), n=4)
    b = self_and_cue_pairs(DOMAIN, NLI, CLAIMS, random.Random(7), n=4)
    assert a == b
    assert sum(p.origin == "domain:self" for p in a) == 4


# Ordinary research statements, written for this test (none is in any training file); the
# weights shipped until December 5th 2026 read 8 of these 12 as contradicting themselves.
OWN = [
    "The model refuses harmful requests more often after fine-tuning.",
    "We found no evidence of sandbagging in any of the evaluated models.",
    "Steering with the refusal direction lowers the attack success rate from 62% to 31%.",
    "Unlearned knowledge does not come back after a few steps of fine-tuning.",
    "Larger models are less likely to be fooled by the adversarial prompts.",
    "The probe's accuracy drops to chance on the held-out distribution.",
    "None of the monitors caught the sabotage attempts.",
    "Training on synthetic data alone makes the model collapse within five generations.",
    "The judge prefers longer answers even when they are worse.",
    "It is not clear that current interpretability tools scale to frontier models.",
    "Membership inference attacks perform barely better than random guessing on LLMs.",
    "Reward hacking became less frequent when the environment was patched, but it never "
    "disappeared.",
]


def test_the_shipped_model_does_not_read_a_statement_as_contradicting_itself():
    from investigators.nli.model import NLIModel

    readings = NLIModel().predict([(s, s) for s in OWN])
    contradicting = [s for s, r in zip(OWN, readings, strict=True) if r.contradiction > 0.5]
    assert len(contradicting) <= 1, contradicting
    assert sum(r.entailment > 0.5 for r in readings) >= 10
