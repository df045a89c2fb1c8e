"""Injected-flaw families, scope detection, aspects, counter-queries (pure functions)."""

from __future__ import annotations

import random

from investigators.nli.perturb import (
    CONTRADICTION,
    NEUTRAL,
    changed_number,
    comparative,
    existence,
    negate,
    perturb,
    quantifier,
    recommendation,
    scope_change,
    signed_change,
)
from investigators.nli.scope import scope_difference, scope_of
from investigators.retrieval.counter import counter_queries
from kg.aspects import abbreviations, aspects

R = random.Random(0)


def test_contradiction_families_rewrite_the_claim() -> None:
    assert negate("Probes can detect deception.", R) == "Probes can not detect deception."
    assert negate("Probes cannot detect deception.", R) == "Probes can detect deception."
    assert comparative("H-only Opus sandbags more often than HHH Opus.", R) == (
        "H-only Opus sandbags less often than HHH Opus."
    )
    assert (
        signed_change("The model became 15% more useful.", R) == "The model became 15% less useful."
    )
    assert "no evidence" in (existence("Many models exhibit emergent misalignment.", R) or "")
    assert quantifier("All monitors missed the attack.", R) == "No monitors missed the attack."
    assert recommendation("Use AUC, not accuracy.", R) == "Use accuracy, not AUC."
    new = changed_number("Accuracy rose to 62% at layer 22.", random.Random(1))
    assert new and new != "Accuracy rose to 62% at layer 22."


def test_families_that_do_not_apply_return_none() -> None:
    assert signed_change("Cats are mammals.", R) is None
    assert changed_number("No numbers here.", R) is None
    assert quantifier("Probes detect deception.", R) is None


def test_scope_change_is_neutral_and_perturb_labels() -> None:
    a, b = scope_change("GPT-4o refuses 30% of harmful requests.", R) or ("", "")
    assert a != b and "GPT-4o" in a and "GPT-4o" not in b
    labels = {p.family: p.label for p in perturb("All models should use AUC, not accuracy.", R)}
    assert labels["scope change"] == NEUTRAL and labels["quantifier"] == CONTRADICTION


def test_scope_difference_names_models_datasets_years() -> None:
    assert "models" in (scope_difference("Qwen3-8B scores 62%.", "Llama-3-70B scores 20%.") or "")
    assert "datasets" in (scope_difference("RMU works on WMDP.", "Unlearning fails on TOFU.") or "")
    assert scope_difference("Qwen3-8B scores 62% on WMDP.", "Qwen3-8B scores 20% on WMDP.") is None
    assert scope_difference("The model is good.", "The LLM is bad.") is None
    # a full stop after a name is not part of it (it read as another model)
    assert scope_difference("Probes work on Qwen3-8B.", "Qwen3-8B evades probes.") is None
    assert scope_of("Opus 4.5 on StrongREJECT in 2025").years == frozenset({"2025"})


def test_one_sentence_with_some_conditions_swapped_is_a_scope_difference() -> None:
    """The same words with one of several models (or a year) swapped for another: the same
    finding under other conditions, even when the sides still share a model."""
    got = scope_difference(
        "We fine-tune Qwen3-8B and Llama-3.1-8B using DReST.",
        "We fine-tune OLMo-2-13B and Llama-3.1-8B using DReST.",
    )
    assert got == "only the models differ: qwen38b vs olmo213b"
    got = scope_difference(
        "H-only Sonnet 4 refuses less than the original Sonnet 4.",
        "H-only Mistral-7B refuses less than the original Sonnet 4.",
    )
    assert got == "only the models differ: sonnet4 vs mistral7b"
    got = scope_difference(
        "As argued (Thornley 2025; Lee 2025).", "As argued (Thornley 2022; Lee 2025)."
    )
    assert got == "only the years differ: 2025 vs 2022"
    # the same conditions in another order or role, or other words around them: not a scope
    # difference
    assert scope_difference("Qwen3-8B beats Llama-3-70B.", "Llama-3-70B beats Qwen3-8B.") is None
    best_a = "Of Qwen3-8B and Llama-3-70B, Qwen3-8B is the most robust."
    best_b = "Of Qwen3-8B and Llama-3-70B, Llama-3-70B is the most robust."
    assert scope_difference(best_a, best_b) is None
    # text that looks like a placeholder does not line the two sides up
    assert scope_difference("Replace <model> by Qwen3-8B.", "Replace Llama-3 by Qwen3-8B.") is None
    assert (
        scope_difference(
            "Probes detect deception in Llama-3-70B and Qwen3-8B.",
            "Probes fail to detect deception in Llama-3-70B and Mistral-7B.",
        )
        is None
    )


def test_aspects_expand_defined_abbreviations_and_skip_noise() -> None:
    text = "We study membership inference attacks (MIAs) on LLMs; MIA results are near random."
    abbr = abbreviations(text)
    assert abbr == {"mia": "membership inference attack"}
    got = aspects("MIA results are near random.", abbr)
    assert "membership inference attack" in got
    assert aspects("12 13 14") == [] and aspects("the the the") == []
    assert aspects("collapse collapse collapse") == ["collapse"]


def test_counter_queries_turn_a_claim_toward_its_opposite() -> None:
    qs = counter_queries("Accumulating real data prevents model collapse.")
    assert qs and all(q != "Accumulating real data prevents model collapse." for q in qs)
    assert counter_queries("") == []
