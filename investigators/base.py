"""The investigator protocol and the values that flow through it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from consilience.vocabulary import FindingKind  # defined once for every layer; re-exported here
from kg.models import Quantity


class ClaimView(BaseModel):
    """What an investigator may see of a claim."""

    model_config = ConfigDict(extra="forbid")
    id: str
    text: str
    normalized: str
    kind: str
    hedge: str
    speaker: str | None = None
    stated_probability: float | None = None
    numbers: list[Quantity] = Field(default_factory=list)
    in_footnote: bool = False
    source_id: str
    source_title: str
    source_path: str | None = None
    source_kind: str
    line_id: str | None = None


class Independence(BaseModel):
    model_config = ConfigDict(extra="forbid")
    independent: bool = Field(description="Whether the two sides count as separate evidence")
    reason: str = Field(description="Why (shared author, summary-of link, ...)")
    summary_source: str | None = Field(
        default=None,
        description="The id of the source that summarises the other, where one does (the "
        "direction of the SUMMARISES link, whatever kind either source is)",
    )


class CandidatePair(BaseModel):
    model_config = ConfigDict(extra="forbid")
    a: ClaimView
    b: ClaimView
    similarity: float = Field(description="Cosine similarity of the two embeddings")
    independence: Independence | None = None
    retrieval_score: float = Field(
        default=0.0,
        description="The retriever's score for the pair: the learned ranker's probability that "
        "it is a real relation worth judging (the fused reciprocal-rank score without a ranker)",
    )


class Verdict(BaseModel):
    """One investigator's conclusion about a pair; becomes a Finding."""

    model_config = ConfigDict(extra="forbid")
    kind: FindingKind
    a_id: str
    b_id: str
    score: float = Field(ge=0.0, le=1.0)
    rationale: str
    cues: list[str] = Field(default_factory=list)
    investigator: str
    version: str
    model: str | None = None
    independent: bool | None = None
    independence_reason: str | None = None


class Investigator(Protocol):
    """One job, pure decision logic; the runner does all I/O."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str:
        """Recorded on every finding (a model's version includes its weights' sha256)."""
        ...

    def investigate(self, pairs: list[CandidatePair]) -> list[Verdict]: ...


class Conclusion(BaseModel):
    """What a deferred investigator concludes at the end of a run."""

    model_config = ConfigDict(extra="forbid")
    verdicts: list[Verdict] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list, description="For the run's report")
    unsettled: set[str] = Field(
        default_factory=set,
        description="Claims whose questions went unanswered and are to be asked again: they "
        "stay unchecked, so the next run asks",
    )


@runtime_checkable
class Deferred(Protocol):
    """An investigator that gathers over a run's batches and concludes once, when the run
    ends (the LLM adjudicator asks the run's best questions in one request)."""

    def finish(self) -> Conclusion:
        """The run's conclusions."""
        ...
