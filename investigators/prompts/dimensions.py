"""Prompt: propose missing dimensions (what evidence is absent) for a safety-critical claim."""

from __future__ import annotations

from pydantic import BaseModel, Field

VERSION = "dimensions-1"

SYSTEM = (
    "You review the evidence behind one safety-critical claim from AI-safety research. List "
    "the dimensions along which the claim is untested or under-supported: other model "
    "scales or families, other methods, independent replication, distribution shift, "
    "adversarial or scheming models, longer horizons, eval awareness, human baselines. Be "
    "specific to the claim; give at most five; reason first."
)


class Dimension(BaseModel):
    dimension: str = Field(description="What is missing, in a few words")
    why: str = Field(description="Why it matters for this claim")
    evidence_needed: str = Field(description="The observation that would settle it")


class Dimensions(BaseModel):
    reasoning: str = Field(description="How the claim's current support was assessed")
    dimensions: list[Dimension] = Field(description="At most five missing dimensions")


def render(claim: str, source: str, support: list[str], opposition: list[str]) -> str:
    lines = [f"Claim (from {source}):\n<<<{claim}>>>", "Support found so far:"]
    lines += [f"- {s}" for s in support] or ["- none"]
    lines += ["Opposition found so far:"] + ([f"- {o}" for o in opposition] or ["- none"])
    return "\n".join(lines)
