"""The safety-case file format (YAML or JSON), version 1.

A flat map of nodes keyed by id, so that a tree (and any mistaken cycle) is explicit:

    version: 1
    title: Automated alignment research is safe to rely on
    root: G1                      # optional when exactly one goal is nobody's child
    nodes:
      G1: {type: goal, text: "...", combine: all-of, children: [G2, E1],
           assumptions: [A1], context: [C1]}
      E1: {type: evidence, quote: "exact words from a claim", source: "004"}
      E2: {type: evidence, claim: "<claim id>"}
      A1: {type: assumption, text: "N is not scheming"}
      C1: {type: context, text: "..."}

`goal` nodes combine their children with `all-of` (every child must hold: probabilities
multiply) or `any-of` (independent alternatives: 1 - product of failures). `evidence` leaves
reference one graph claim by `claim` id or by an exact `quote` (optionally narrowed by a
`source`: words of the source's title or file name, never its folders). `assumption` and
`context` nodes are attached to goals and are never scored as evidence.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

NodeType = Literal["goal", "evidence", "assumption", "context"]
Combine = Literal["all-of", "any-of"]
# Red-teamed: a 200,000-character title kept `case evaluate` rendering for over a minute.
MAX_TITLE = 1_000
MAX_TEXT = 20_000


class CaseNode(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: NodeType = Field(description="goal, evidence, assumption or context")
    text: str | None = Field(
        default=None, max_length=MAX_TEXT, description="Statement (goals, assumptions, context)"
    )
    combine: Combine = Field(default="all-of", description="How a goal's children combine")
    children: list[str] = Field(default_factory=list, description="Subgoals and evidence")
    assumptions: list[str] = Field(default_factory=list, description="Assumptions relied on")
    context: list[str] = Field(default_factory=list, description="Context nodes")
    claim: str | None = Field(default=None, max_length=200, description="Evidence: claim id")
    quote: str | None = Field(
        default=None, max_length=MAX_TEXT, description="Evidence: exact words of a graph claim"
    )
    source: str | None = Field(
        default=None,
        max_length=MAX_TITLE,
        description="Evidence: words of the source's title or file name",
    )

    @model_validator(mode="after")
    def _shape(self) -> CaseNode:
        if self.text is not None:
            self.text = " ".join(self.text.split())
        if self.type == "evidence":
            if not (self.claim or (self.quote and self.quote.strip())):
                raise ValueError("an evidence node needs `claim` (an id) or a non-empty `quote`")
            if self.children or self.assumptions or self.context:
                raise ValueError("an evidence node is a leaf: no children/assumptions/context")
        elif self.type in ("assumption", "context"):
            if not self.text:
                raise ValueError(f"a {self.type} node needs `text`")
            if self.children or self.claim or self.quote:
                raise ValueError(f"a {self.type} node is never evidence: no children or claim")
        elif not self.text:
            raise ValueError("a goal needs `text`")
        return self


class SafetyCase(BaseModel):
    """A claims-arguments-evidence tree whose leaves reference graph claims."""

    model_config = ConfigDict(extra="forbid")
    version: Literal[1] = Field(default=1, description="Format version")
    title: str = Field(max_length=MAX_TITLE, description="What the case argues")
    description: str | None = Field(default=None, max_length=MAX_TEXT, description="Free text")
    root: str | None = Field(default=None, description="Top goal id")
    nodes: dict[str, CaseNode] = Field(description="Nodes by id")
