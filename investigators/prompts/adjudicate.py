"""Prompt: adjudicate one candidate pair of claims."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

VERSION = "adjudicate-1"

Label = Literal[
    "explicit_contradiction",
    "implicit_contradiction",
    "tension",
    "insufficient_evidence",
    "compatible",
    "implicit_agreement",
    "explicit_agreement",
]
# Graded labels mapped to numbers; calibration can later learn P(human confirms | label).
CONTRADICTION_SCORE: dict[str, float] = {
    "explicit_contradiction": 0.95,
    "implicit_contradiction": 0.75,
    "tension": 0.5,
}
AGREEMENT_SCORE: dict[str, float] = {"explicit_agreement": 0.95, "implicit_agreement": 0.7}

SYSTEM = (
    "You check two claims from AI-safety research sources for consistency. Decide whether "
    "both can be true at once. Consider who asserts each claim (a quoted speaker or a view "
    "the author argues against is not the author's claim), hedging, scope, time and the "
    "quantity measured. Think first, then give a graded label, and quote the exact words of "
    "each side that decide it."
)


class Adjudication(BaseModel):
    reasoning: str = Field(description="Step-by-step comparison, before the label")
    label: Label = Field(description="From explicit contradiction to explicit agreement")
    quote_a: str = Field(description="The decisive words of claim A, verbatim")
    quote_b: str = Field(description="The decisive words of claim B, verbatim")
    rationale: str = Field(description="One or two sentences for a human reviewer")


def _data(text: str) -> str:
    """A document's text as data inside the prompt: the delimiters it could close or open
    neutralised (red-teamed: a title holding ">>>" and "<<<" spoke outside its claim)."""
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


def _label(text: str) -> str:
    """A title or speaker, one line of data (a line break in it started a line of the
    prompt's own)."""
    return _data(" ".join(text.split()))


def render(
    a_text: str,
    a_source: str,
    a_speaker: str | None,
    b_text: str,
    b_source: str,
    b_speaker: str | None,
) -> str:
    """The question about two claims. Text without the delimiters or line breaks in titles
    is rendered as it always was (answers cached under this version stay valid)."""
    return (
        f"Claim A (source: {_label(a_source)}; asserted by: "
        f"{_label(a_speaker or 'the author')}):\n<<<{_data(a_text)}>>>\n\nClaim B (source: "
        f"{_label(b_source)}; asserted by: {_label(b_speaker or 'the author')}):\n"
        f"<<<{_data(b_text)}>>>"
    )
