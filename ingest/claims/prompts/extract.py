"""Prompt: extract claims from one passage as exact quotes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

VERSION = "extract-2"

SYSTEM = (
    "You extract atomic claims from AI-safety research text. A claim is an assertion the "
    "text makes (finding, prediction, recommendation, definition, opinion, method, or a "
    "plain statement when it is none of these; opinion only when the text marks it as a "
    "view). Not "
    "claims: questions, headings, navigation, example stimuli, lists of titles. Quote each "
    "claim EXACTLY as it appears in the passage (a verbatim substring). Name the speaker "
    "when the passage quotes someone other than the author."
)


class LLMClaim(BaseModel):
    reasoning: str = Field(description="Why this sentence is a claim, briefly")
    quote: str = Field(description="Exact verbatim substring of the passage")
    kind: Literal[
        "finding", "prediction", "recommendation", "definition", "opinion", "method", "statement"
    ]
    speaker: str | None = Field(default=None, description="Quoted speaker, if not the author")


class LLMClaims(BaseModel):
    claims: list[LLMClaim]


def render(title: str, section: str | None, passage: str) -> str:
    return (
        f"Document: {title}\nSection: {section or '-'}\n\nPassage:\n<<<\n{passage}\n>>>\n"
        "Record every claim in the passage."
    )
