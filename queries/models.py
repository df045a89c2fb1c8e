"""Typed result rows; these are also the API's response models."""

from __future__ import annotations

from typing import Annotated, Generic, Literal, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, SerializationInfo

T = TypeVar("T")

# Serialisation context key: with it set, path fields are written as file names only. The
# API sets it (it reveals file names, never the server's directories); the CLI does not.
PRIVATE_PATHS = "private_paths"


def file_name(value: str) -> str:
    """The last component of a POSIX or Windows path."""
    return value.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def _path_out(value: str | None, info: SerializationInfo) -> str | None:
    context = cast("dict[str, object] | None", info.context)
    if value is not None and context is not None and context.get(PRIVATE_PATHS):
        return file_name(value)
    return value


# A path on the machine that ingested the file (see PRIVATE_PATHS).
ServerPath = Annotated[str | None, PlainSerializer(_path_out)]


class Row(BaseModel):
    # The base of every result row (queries.topics too): unknown fields are an error.
    model_config = ConfigDict(extra="forbid")


class Page(Row, Generic[T]):
    items: list[T] = Field(description="Rows of this page")
    next_cursor: str | None = Field(default=None, description="Pass back to get the next page")


class LabelCount(Row):
    label: str = Field(description="Node label or relationship type")
    count: int = Field(description="How many")


class SourceRow(Row):
    id: str = Field(description="Source id")
    title: str = Field(description="Title")
    kind: str = Field(description="Source kind")
    path: ServerPath = Field(default=None, description="Ingested file")
    date: str | None = Field(default=None, description="Publication date")
    authors: list[str] = Field(default_factory=list, description="Authors")
    n_claims: int = Field(default=0, description="Claims extracted")
    retracted: bool = Field(default=False, description="Retracted: its evidence does not count")


class GraphStats(Row):
    nodes: list[LabelCount] = Field(description="Node counts by label")
    relationships: list[LabelCount] = Field(description="Relationship counts by type")
    sources: list[SourceRow] = Field(description="Sources, largest first")
    claims_by_kind: list[LabelCount] = Field(description="Claims by kind")
    claims_by_hedge: list[LabelCount] = Field(description="Claims by hedge strength")
    lost_content_claims: int = Field(description="Claims flagged as having lost math/numbers")


class ClaimHit(Row):
    claim_id: str = Field(description="Claim id")
    quote: str = Field(description="Exact quote")
    score: float = Field(
        description="What the hits are ordered by: similarity of meaning to the query, (1 + "
        "cosine) / 2 (mode vector; in mode both, plus 0.05 where the claim's words match too), "
        "or the words' relevance (mode fulltext)"
    )
    match: str = Field(description="'vector', 'fulltext' or 'both'")
    kind: str = Field(description="Claim kind")
    hedge: str = Field(description="Hedge strength")
    speaker: str | None = Field(default=None, description="Quoted speaker, if not the author")
    section: str | None = Field(default=None, description="Section heading")
    page: int | None = Field(default=None, description="1-based page in a PDF; None elsewhere")
    start: int = Field(description="Offset in the source's cleaned text")
    end: int = Field(description="End offset")
    source_id: str = Field(description="Source id")
    source_title: str = Field(description="Source title")
    source_path: ServerPath = Field(default=None, description="Ingested file")


class FindingSide(Row):
    node: Literal["claim", "line"] = Field(
        default="claim", description="A claim, or a line of research (line-level findings)"
    )
    claim_id: str | None = Field(default=None, description="Claim id (claim sides)")
    line_id: str | None = Field(default=None, description="Line of research id (line sides)")
    quote: str = Field(description="Exact quote; for a line, its name and size")
    speaker: str | None = Field(default=None, description="Quoted speaker; None is the author")
    source_id: str | None = Field(default=None, description="Source id (claim sides)")
    source_title: str | None = Field(default=None, description="Source title (claim sides)")
    source_path: ServerPath = Field(default=None, description="The ingested file's path")
    section: str | None = Field(default=None, description="Section heading path (one finding only)")
    page: int | None = Field(default=None, description="1-based page in a PDF; None elsewhere")
    lost_content: bool = Field(
        default=False,
        description="Math or numbers were lost converting its source: read the source",
    )
    context: str | None = Field(
        default=None,
        description="The paragraph the claim sits in, up to 1,200 characters (one finding)",
    )
    source_retracted: bool = Field(
        default=False,
        description="Its source is retracted: the claim's evidence no longer counts (the "
        "finding stays, for the record)",
    )
    source_authors: list[str] = Field(default_factory=list, description="Source authors")
    source_date: str | None = Field(default=None, description="Source publication date")


class VerdictEntry(Row):
    status: str = Field(description="confirmed, dismissed, or open (a verdict taken back)")
    reviewer: str = Field(description="Who")
    reason: str = Field(default="", description="Why")
    at: str = Field(description="When (ISO timestamp)")


class FindingRow(Row):
    id: str = Field(description="Finding id")
    kind: str = Field(description="contradicts, converges_with, restates, distorts, ...")
    score: float = Field(description="Investigator score in [0, 1]")
    status: str = Field(description="open, confirmed or dismissed")
    independent: bool | None = Field(
        default=None, description="Whether the two sides are independent"
    )
    independence_reason: str | None = Field(default=None, description="Why (in)dependent")
    rationale: str = Field(description="Human-readable rationale naming the evidence")
    cues: list[str] = Field(default_factory=list, description="Cues that fired")
    investigator: str = Field(description="Investigator name")
    version: str = Field(description="Investigator version")
    model: str | None = Field(
        default=None,
        description="The LLM model that answered (as its answer names it), when one took part",
    )
    reviewer: str | None = Field(default=None, description="Who reviewed it")
    review_reason: str | None = Field(
        default=None, description="Why it was confirmed, dismissed or reopened"
    )
    history: list[VerdictEntry] = Field(
        default_factory=list[VerdictEntry],
        description="Every verdict given, oldest first (the last counts)",
    )
    carried_from: str | None = Field(
        default=None,
        description="The finding (gone with an earlier version of a document) whose verdict "
        "this one took back, when it did",
    )
    a: FindingSide
    b: FindingSide


class ArchivedVerdictRow(Row):
    """A human verdict kept after the quotes it was given on left the graph (a document was
    revised or removed); it comes back when the same two quotes are found again."""

    finding_id: str = Field(description="The finding the verdict was given on (now gone)")
    kind: str = Field(description="Kind of that finding")
    status: str = Field(description="confirmed, dismissed, or open (a verdict taken back)")
    reviewer: str | None = Field(default=None, description="Who reviewed it")
    review_reason: str | None = Field(default=None, description="Why")
    reviewed_at: str | None = Field(default=None, description="When (ISO timestamp)")
    archived_at: str = Field(description="When its quotes left the graph")
    quote_a: str | None = Field(default=None, description="Side a's exact quote")
    quote_b: str | None = Field(default=None, description="Side b's exact quote")
    carried_to: str | None = Field(
        default=None, description="The new finding it was given back to, if any"
    )
    comes_back: bool = Field(
        default=True,
        description="Whether a new finding between the same two quotes takes it back (false "
        "for a verdict on a finding about a line of research: it is listed, never given back)",
    )


class ConfidenceRow(Row):
    claim_id: str = Field(description="Claim id")
    quote: str = Field(description="Exact quote")
    source_id: str = Field(description="Source id")
    source_title: str = Field(description="Source title")
    p: float | None = Field(
        default=None, description="Probability the claim holds (posterior mean)"
    )
    low: float | None = Field(default=None, description="5th percentile")
    high: float | None = Field(default=None, description="95th percentile")
    support_lines: int | None = Field(default=None, description="Independent lines supporting it")
    oppose_lines: int | None = Field(default=None, description="Independent lines opposing it")
    effective_lines: float | None = Field(default=None, description="Effective independent lines")
    contested: bool = Field(default=False, description="Open contradictions touch it")
    safety_critical: bool = Field(default=False, description="A claim a safety case may rest on")
    computed_at: str | None = Field(default=None, description="When it was last derived")


class ConfidenceSnapshotRow(Row):
    at: str = Field(description="When")
    p: float = Field(description="Probability then")
    low: float = Field(description="5th percentile then")
    high: float = Field(description="95th percentile then")
    reason: str | None = Field(default=None, description="What triggered the change")


class ClaimConfidence(ConfidenceRow):
    derivation: list[str] = Field(default_factory=list, description="Derivation, step by step")
    history: list[ConfidenceSnapshotRow] = Field(
        default_factory=list[ConfidenceSnapshotRow], description="Every change, oldest first"
    )


class ConfidenceSummary(Row):
    claims: int = Field(description="Claims in the graph")
    scored: int = Field(description="Claims with a confidence")
    safety_critical: int = Field(description="Safety-critical claims")
    contested: int = Field(description="Claims with open contradictions")


class SourceDetail(SourceRow):
    url: str | None = Field(default=None, description="Canonical URL")
    organisation: str | None = Field(default=None, description="Organisation or programme")
    line_id: str | None = Field(default=None, description="Line of research")
    line_name: str | None = Field(default=None, description="Line of research name")
    retracted: bool = Field(default=False, description="Retracted by a user")
    retraction_reason: str | None = Field(default=None, description="Why")
    summarises: list[str] = Field(default_factory=list, description="Sources it summarises")
    summarised_by: list[str] = Field(default_factory=list, description="Its summaries")
    not_summary_of: list[str] = Field(
        default_factory=list,
        description="Sources a user said it does not summarise (never linked by detection)",
    )


class ClaimDetail(Row):
    id: str = Field(description="Claim id")
    quote: str = Field(description="Exact quote (source.text[start:end])")
    kind: str = Field(description="finding, prediction, recommendation, ...")
    hedge: str = Field(description="Hedge strength")
    hedge_cues: list[str] = Field(default_factory=list, description="Words that hedge it")
    speaker: str | None = Field(default=None, description="Quoted speaker; None is the author")
    section: str | None = Field(default=None, description="Section heading")
    page: int | None = Field(default=None, description="1-based page in a PDF; None elsewhere")
    start: int = Field(description="Offset in the source's cleaned text")
    end: int = Field(description="End offset")
    stated_probability: float | None = Field(
        default=None, description="Probability the author states"
    )
    numbers: list[dict[str, object]] = Field(
        default_factory=list[dict[str, object]], description="Numbers"
    )
    lost_content: bool = Field(default=False, description="Math or numbers lost in conversion")
    source_id: str = Field(description="Source id")
    source_title: str = Field(description="Source title")
    source_path: ServerPath = Field(default=None, description="Ingested file")
    source_kind: str | None = Field(default=None, description="Source kind")
    line_id: str | None = Field(default=None, description="Line of research of its source")
    line_name: str | None = Field(default=None, description="Line of research name")


class EvidenceTrail(Row):
    """A claim with its confidence, the derivation, its history and every finding on it."""

    claim: ClaimDetail
    confidence: ClaimConfidence | None = Field(default=None, description="None until computed")
    findings: list[FindingRow] = Field(description="Findings about the claim, best first")


class LineMember(Row):
    id: str = Field(description="Source id")
    title: str = Field(description="Source title")
    kind: str | None = Field(default=None, description="Source kind")
    date: str | None = Field(default=None, description="Publication date")
    authors: list[str] = Field(default_factory=list[str], description="Stated authors")
    organisation: str | None = Field(default=None, description="Organisation")
    n_claims: int = Field(default=0, description="Claims extracted from it")
    reasons: list[str] = Field(
        default_factory=list[str],
        description="Why it is in the line: the author, organisation, speaker, cited work or "
        "summary link it shares with another member ('single source' when alone)",
    )


class LineDetail(Row):
    id: str = Field(description="Line id")
    name: str | None = Field(default=None, description="Name (a primary source's title)")
    basis: list[str] = Field(default_factory=list[str], description="All reasons, together")
    members: list[LineMember] = Field(description="The sources in the line")
    n_line_findings: int = Field(description="Line-level findings about it")


class LineRow(Row):
    id: str = Field(description="Line id")
    name: str | None = Field(default=None, description="Name (its largest source)")
    basis: list[str] = Field(default_factory=list, description="Why its sources are grouped")
    sources: list[str] = Field(description="Source titles")
    n_sources: int = Field(description="Sources in the line")
    n_line_findings: int = Field(description="Line-level findings")
