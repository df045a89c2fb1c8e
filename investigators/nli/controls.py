"""Hypothesis-only controls: how far the model reads a statement as entailed after premises
that have nothing to do with it.

A small NLI model learns habits from the hypothesis alone. In the main job of December 2026,
18 of the 56 convergences the judge called were one-way entailments into the same abstract
sentence ("We show that the result of LLM evaluation is consistent with the results obtained
by expert human evaluation: ..."), from premises such as "Our evaluation tasks can be found
here." or "Qualities that might be expected to generalize well ... are those corresponding to
classic human goodness"; its confidence rose to 0.88 on 13 "independent lines" of such
support. After "The museum is closed on Mondays." the model reads that sentence as entailed
0.70; of the 457 quotes in the labelled real pairs, no other reaches 0.13 (median 0.00, 95th
percentile 0.003).

The control reading of a statement is the highest entailment the model gives it after each of
CONTROL_PREMISES (everyday sentences on no subject the project reads about). The judge counts
an entailment into a statement only above that: what an unrelated premise also draws is no
evidence that the two statements agree.

Contradiction readings are not controlled. Under SNLI's convention (two captions of different
scenes contradict), which the model learned and bench/judgement's e-SNLI and CAD sets keep,
97% of those sets' hypotheses read as contradicted after one of these premises (median
0.94-0.97): subtracting that took the judge's contradiction AUC on e-SNLI from 0.93 to 0.45.
(Some corpus sentences have the same habit: "This blog condemns all threats of violence."
reads as contradicted 0.95 after one of them; its contradictions stay for review.)
"""

from __future__ import annotations

from dataclasses import dataclass

from investigators.nli.model import NLIModel

CONTROL_PREMISES = (
    "The bridge was reopened to traffic in 1998 after repairs.",
    "Most of the rainfall in the region occurs between June and September.",
    "The recipe calls for two cups of flour and one egg.",
    "The team won the championship after a penalty shoot-out.",
    "The museum is closed on Mondays.",
    "Copper is a good conductor of electricity.",
    "The committee will meet again next month.",
    "The survey had a response rate of 40 percent.",
)


@dataclass(frozen=True)
class Control:
    """The model's highest entailment reading of a statement after the control premises."""

    entailment: float = 0.0


NO_CONTROL = Control()
# A pair's controls: side A's, then side B's.
SideControls = tuple[Control, Control]
NO_CONTROLS: SideControls = (NO_CONTROL, NO_CONTROL)


def control_readings(model: NLIModel, texts: list[str]) -> dict[str, Control]:
    """Each text's control reading (one batched model call; texts already cut to the model's
    window by the caller). Read by all six layers, never the early-exit head: a control is the
    highest entailment the model reads from an unrelated premise, and the head, fitted to say
    "neutral", would understate it (its reading of a held-out exited pair was off by up to 0.39)."""
    unique = list(dict.fromkeys(texts))
    if not unique:
        return {}
    n = len(CONTROL_PREMISES)
    got = model.predict([(p, t) for t in unique for p in CONTROL_PREMISES], allow_exit=False)
    return {
        t: Control(entailment=max(s.entailment for s in got[i * n : (i + 1) * n]))
        for i, t in enumerate(unique)
    }
