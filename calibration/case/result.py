"""What evaluating a safety case returns (also the API's response model)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Quote(_Model):
    claim_id: str = Field(description="Claim id")
    quote: str = Field(description="Exact quote")
    source_id: str = Field(description="Source id")
    source_title: str = Field(description="Source title")
    source_path: str | None = Field(default=None, description="Ingested file")


class LineEvidence(_Model):
    line: str = Field(description="Independence group (line of research or source)")
    weight: float = Field(description="Weight it carried in the confidence")
    quotes: list[Quote] = Field(description="The claims on that line that bear on the leaf")


class Contradiction(_Model):
    finding_id: str = Field(description="Finding id")
    score: float = Field(description="Investigator score")
    rationale: str | None = Field(default=None, description="Why the investigator flagged it")
    against: Quote = Field(description="The contradicting claim")
    swing: float = Field(description="How far the top goal would move if confirmed")


class Leaf(_Model):
    claim: Quote = Field(description="The claim the leaf rests on")
    own_line: str | None = Field(default=None, description="The claim's own line of research")
    supporting_lines: list[LineEvidence] = Field(description="Independent lines for it")
    opposing_lines: list[LineEvidence] = Field(description="Independent lines against it")
    effective_lines: float = Field(description="Effective number of independent lines")
    open_contradictions: list[Contradiction] = Field(description="Unreviewed contradictions")
    derivation: list[str] = Field(description="The confidence derivation, step by step")


class NodeResult(_Model):
    id: str = Field(description="Node id in the case file")
    type: str = Field(description="goal, evidence, assumption or context")
    text: str = Field(description="Statement (for evidence: the quote)")
    depth: int = Field(description="Depth in the tree (root = 0)")
    parent: str | None = Field(default=None, description="Parent goal (first one, if shared)")
    combine: str | None = Field(default=None, description="all-of or any-of, for goals")
    p: float | None = Field(default=None, description="Probability (None for assumptions/context)")
    low: float | None = Field(
        default=None, description="Lower bound (leaves at their 5th percentile)"
    )
    high: float | None = Field(default=None, description="Upper bound (leaves at their 95th)")
    contested: bool = Field(default=False, description="Open contradictions touch it")
    assumptions: list[str] = Field(default_factory=list, description="Assumptions relied on")
    leaf: Leaf | None = Field(default=None, description="Evidence details for evidence nodes")


class Sensitivity(_Model):
    node_id: str = Field(description="Evidence node")
    swing: float = Field(description="Top-goal change as the leaf moves across its interval")


class CaseEvaluation(_Model):
    title: str = Field(description="Case title")
    root: str = Field(description="Top goal id")
    p: float = Field(description="Top-goal probability")
    low: float = Field(description="Top-goal lower bound")
    high: float = Field(description="Top-goal upper bound")
    evaluated_at: str = Field(description="ISO timestamp: what was known when")
    nodes: list[NodeResult] = Field(description="Every node, depth-first from the root")
    assumptions: list[NodeResult] = Field(description="Assumptions relied on (never scored)")
    sensitivity: list[Sensitivity] = Field(description="Leaves, most influential first")
    warnings: list[str] = Field(description="Correlated leaves, undeveloped goals, ...")
