"""The records kg writes for the investigators and the calibration module: one typed
definition each, so the only writer states its own schema (and the Cypher that stores them,
`kg.cypher.investigation.UPSERT_*_FINDINGS` and `kg.cypher.calibration.SET_CONFIDENCES`,
reads exactly these fields)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from consilience.vocabulary import FindingKind


class FindingRecord(BaseModel):
    """A finding as stored: two sides (claims or lines) and what was concluded about them."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="Deterministic id: kind, both sides, and who decided")
    a_id: str = Field(description="Side a: a claim id or a line id")
    b_id: str = Field(description="Side b: a claim id or a line id")
    kind: FindingKind = Field(description="What the finding says about the two sides")
    score: float = Field(ge=0.0, le=1.0, description="The investigator's score")
    rationale: str = Field(description="Why, in words (model probabilities, evidence)")
    cues: list[str] = Field(default_factory=list[str], description="Evidence that fired")
    investigator: str = Field(description="Which investigator decided")
    version: str = Field(description="Its version (a model's includes its weights' sha256)")
    model: str | None = Field(default=None, description="The model that judged, if any")
    independent: bool | None = Field(
        default=None, description="Whether the two sides' sources are independent"
    )
    independence_reason: str | None = Field(default=None, description="Why (in)dependent")

    def row(self) -> dict[str, object]:
        """The UNWIND row: ids for matching, the rest as node properties (None left out, so
        a re-found finding keeps properties it had and a verdict is never overwritten)."""
        props = self.model_dump(exclude={"id"}, exclude_none=True)
        props["kind"] = self.kind.value
        return {"id": self.id, "a_id": self.a_id, "b_id": self.b_id, "props": props}


class ConfidenceRecord(BaseModel):
    """A claim's confidence as stored; numbers it replaces go to the history."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="Claim id")
    p: float = Field(description="Probability the claim holds")
    low: float = Field(description="Lower end of the 90% interval")
    high: float = Field(description="Upper end of the 90% interval")
    support_lines: int = Field(description="Independent lines of research that support it")
    oppose_lines: int = Field(description="Independent lines that oppose it")
    effective_lines: float = Field(description="Effective number of independent lines")
    contested: bool = Field(description="An open contradiction bears on it")
    n_findings: int = Field(description="Findings counted")
    derivation: str = Field(description="JSON list of the derivation's terms")
    safety_critical: bool = Field(description="Whether the claim is safety-critical")
    changed: bool = Field(
        description="The numbers differ from the ones read before deriving (the update "
        "report's count; the writer decides the history again under the claim's lock)"
    )
    reason: str = Field(description="Why it was recomputed (full, verdict, retraction, ...)")
    sig: str = Field(description="Signature of the stored values (skips identical rewrites)")
    inputs: str = Field(
        default="", description="Digest of everything it was derived from (skips re-deriving)"
    )
    read_at: int = Field(
        description="When its inputs were read (server clock, epoch ms): a record from an "
        "earlier read than the stored confidence's is not written"
    )
