"""Typed values of the calibration module: evidence in, confidence and its derivation out."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from consilience.vocabulary import FindingKind, FindingStatus

# The kinds of finding that are evidence about a claim, each with a map of its own: one
# investigator's scores mean different things for each (a contradiction probability, a
# convergence probability); red-teamed, one map pooled them, and restatements (never
# evidence) with them.
EVIDENCE_KINDS = tuple(
    k.value for k in (FindingKind.CONTRADICTS, FindingKind.CONVERGES_WITH, FindingKind.DISTORTS)
)


def map_key(investigator: str, kind: str) -> str:
    """What a map is fitted and looked up by: the investigator and the finding's kind."""
    return f"{investigator}:{kind}"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


Direction = Literal["support", "oppose", "concentration"]


class ClaimFacts(_Model):
    """What the prior is built from."""

    id: str = Field(description="Claim id")
    kind: str = Field(description="Claim kind (finding, prediction, ...)")
    hedge: str = Field(default="none", description="Hedge strength: none, weak, moderate, strong")
    hedge_cues: list[str] = Field(default_factory=list, description="Words that hedge it")
    stated_probability: float | None = Field(
        default=None, description="Probability the author states"
    )
    stated_illustrative: bool = Field(
        default=False, description="The stated probability is an example or quoted, not a belief"
    )
    source_kind: str = Field(default="unknown", description="Kind of the claim's source")
    source_retracted: bool = Field(default=False, description="The claim's source was retracted")
    line_id: str | None = Field(default=None, description="Line of research of the claim's source")


class Evidence(_Model):
    """One finding seen from the claim it bears on."""

    finding_id: str = Field(description="Finding id")
    kind: FindingKind = Field(description="Finding kind")
    investigator: str = Field(description="Investigator that produced it")
    score: float = Field(ge=0.0, le=1.0, description="Investigator score")
    status: FindingStatus = Field(description="Where the finding is in review")
    independent: bool | None = Field(
        default=None, description="Whether the two sides are independent"
    )
    side: str = Field(default="a", description="Which side of the finding the claim is on")
    other_claim_id: str | None = Field(default=None, description="The claim on the other side")
    other_source_id: str | None = Field(default=None, description="Source of the other side")
    other_line_id: str | None = Field(default=None, description="Line of the other side")
    other_methods: list[str] = Field(default_factory=list, description="Methods it names")
    other_retracted: bool = Field(
        default=False, description="The other side's source was retracted"
    )
    other_summarises: bool = Field(
        default=False,
        description="The other side's source summarises this claim's source (declared or "
        "detected): a contradiction from it is the summary's distortion",
    )


class Term(_Model):
    """One step of a derivation, in the order applied. Frozen, its findings a tuple: the
    updater shares one prior term (and one whole Confidence) among every claim with the same
    prior inputs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="prior, line, penalty, calibration, ...")
    detail: str = Field(description="Human-readable explanation")
    alpha: float = Field(default=0.0, description="Pseudo-count added in favour")
    beta: float = Field(default=0.0, description="Pseudo-count added against")
    group: str | None = Field(default=None, description="Independence group (line) it belongs to")
    findings: tuple[str, ...] = Field(default=(), description="Finding ids behind it")


class Confidence(_Model):
    """A claim's probability with a 90% interval and how it was derived (frozen, its terms a
    tuple: shared)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    claim_id: str = Field(description="Claim id")
    p: float = Field(ge=0.0, le=1.0, description="Posterior mean probability the claim holds")
    low: float = Field(ge=0.0, le=1.0, description="5th percentile")
    high: float = Field(ge=0.0, le=1.0, description="95th percentile")
    alpha: float = Field(description="Beta posterior alpha")
    beta: float = Field(description="Beta posterior beta")
    support_lines: int = Field(description="Independent lines supporting it")
    oppose_lines: int = Field(description="Independent lines opposing it")
    effective_lines: float = Field(description="Effective number of independent supporting lines")
    open_contradictions: int = Field(description="Unreviewed contradictions touching it")
    contested: bool = Field(description="Open contradictions block an 'accepted' status")
    n_findings: int = Field(description="Findings considered (including dismissed)")
    terms: tuple[Term, ...] = Field(description="The derivation, step by step")
