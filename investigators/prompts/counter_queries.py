"""Prompt: write search queries for the findings that would contradict or support a claim."""

from __future__ import annotations

from pydantic import BaseModel, Field

VERSION = "counter-queries-1"

SYSTEM = (
    "You help find, in a library of AI-safety research, the passages that bear on a claim. "
    "Think about what another paper would say if it disagreed with the claim (different "
    "result, opposite recommendation, a failed replication, a limitation) and if it agreed "
    "(an independent replication, the same conclusion by another route). Write each as one "
    "plain declarative sentence in the vocabulary such a paper would use."
)


class Queries(BaseModel):
    reasoning: str = Field(description="Brief: what would contradict or support it, and why")
    contradicting: list[str] = Field(description="One or two sentences that would contradict it")
    supporting: list[str] = Field(description="One or two sentences that would support it")


def render(claim: str) -> str:
    return f"Claim:\n<<<{claim}>>>"
