"""Typed graph concepts. Models hold data only; writing lives in `kg.writers.store`."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceKind(StrEnum):
    PAPER = "paper"
    POST = "post"
    SUMMARY = "summary"
    RESEARCH_LOG = "research_log"
    NEWS_DIGEST = "news_digest"
    INTERVIEW = "interview"
    ANNOUNCEMENT = "announcement"
    PROTOCOL = "protocol"
    WEB_PAGE = "web_page"
    UNKNOWN = "unknown"


class ClaimKind(StrEnum):
    FINDING = "finding"
    PREDICTION = "prediction"
    RECOMMENDATION = "recommendation"
    DEFINITION = "definition"
    OPINION = "opinion"  # the author's view, marked as such ("I think", "arguably")
    STATEMENT = "statement"  # a plain assertion: not marked as a result, a view or a plan
    METHOD = "method"


class Hedge(StrEnum):
    NONE = "none"
    WEAK = "weak"
    MODERATE = "moderate"
    STRONG = "strong"


Comparator = Literal["=", ">", "<", ">=", "<=", "~", ">>", "<<"]
"""How a number is bounded (= exact, ~ about, >> far above, ...)."""


class Quantity(_Model):
    """One structured number inside a claim."""

    text: str = Field(description="The exact characters of the number in the claim, with unit")
    value: float = Field(description="The (lower) numeric value")
    value_max: float | None = Field(
        default=None, description="Upper end when the text gives a range"
    )
    unit: str | None = Field(default=None, description="Unit such as %, x, $, hours, AUROC")
    comparator: Comparator = Field(default="=", description="How the value is bounded")
    measured: str | None = Field(
        default=None, description="The quantity measured, when a cue names it"
    )
    illustrative: bool = Field(
        default=False, description="An example/hypothetical number, not a belief"
    )
    hedged: bool = Field(
        default=False, description="The number itself carries a question mark or hedge"
    )
    start: int = Field(description="Offset of the number inside the claim text")


class SourceRecord(_Model):
    """One document: a paper, post, summary, digest item, research log."""

    id: str = Field(description="Deterministic id: hash of the cleaned text")
    title: str = Field(description="Title as found in the document (never used in Cypher text)")
    kind: SourceKind = Field(default=SourceKind.UNKNOWN, description="What sort of document it is")
    authors: list[str] = Field(default_factory=list, description="Author names")
    author_confidence: Literal["stated", "inferred", "unknown"] = Field(
        default="unknown", description="Whether authorship is stated in the text or inferred"
    )
    organisation: str | None = Field(default=None, description="Organisation or programme")
    date: str | None = Field(default=None, description="ISO date (or datetime) of publication")
    url: str | None = Field(default=None, description="Canonical URL when known")
    path: str = Field(description="Path of the ingested file")
    part_index: int = Field(default=0, description="Position inside a multi-document file")
    content_hash: str = Field(description="sha256 of the cleaned text")
    file_sha256: str = Field(description="sha256 of the raw file bytes")
    text: str = Field(description="The cleaned text that all offsets refer to")
    language: str = Field(default="en", description="Dominant language code")
    flags: list[str] = Field(default_factory=list, description="Ingestion warnings")
    summary_of_title: str | None = Field(
        default=None, description="Title of the document this one summarises, when declared"
    )
    summary_of_url: str | None = Field(default=None, description="URL of the summarised document")
    cites: list[str] = Field(
        default_factory=list, description="Cited works (arXiv ids, 'X et al. YEAR')"
    )
    methods: list[str] = Field(default_factory=list, description="Named training/eval methods")
    datasets: list[str] = Field(default_factory=list, description="Named datasets/benchmarks")
    speakers: list[str] = Field(default_factory=list, description="People quoted as speakers")


class PassageRecord(_Model):
    """A located span (paragraph or list item) of a source."""

    id: str = Field(description="Deterministic id: source id + offsets")
    source_id: str = Field(description="Owning source")
    index: int = Field(description="Order inside the source")
    section: str | None = Field(default=None, description="Nearest heading above the passage")
    start: int = Field(description="Start offset in the source's cleaned text")
    end: int = Field(description="End offset (exclusive)")
    lost_content: bool = Field(
        default=False, description="Math, numbers or a figure were lost here"
    )
    is_footnote: bool = Field(default=False, description="The passage is a footnote body")
    page: int | None = Field(
        default=None, description="1-based page the passage starts on (PDFs); None elsewhere"
    )


class ClaimRecord(_Model):
    """An atomic assertion: an exact quote plus structure."""

    id: str = Field(description="Deterministic id: source id + offsets")
    source_id: str = Field(description="Owning source")
    passage_id: str = Field(description="Passage the claim sits in")
    text: str = Field(description="Exact quote: source.text[start:end]")
    normalized: str = Field(description="Statement with list labels and markers removed")
    start: int = Field(description="Start offset in the source's cleaned text")
    end: int = Field(description="End offset (exclusive)")
    section: str | None = Field(default=None, description="Heading path of the passage")
    page: int | None = Field(
        default=None, description="1-based page the claim starts on (PDFs); None elsewhere"
    )
    kind: ClaimKind = Field(description="Finding, prediction, recommendation, ...")
    speaker: str | None = Field(default=None, description="Quoted speaker; None means the author")
    hedge: Hedge = Field(default=Hedge.NONE, description="Hedge strength of the assertion")
    hedge_cues: list[str] = Field(default_factory=list, description="Words that hedge it")
    stated_probability: float | None = Field(
        default=None,
        description="A probability the author states for the claim, e.g. 0.9 for '>90%'",
    )
    numbers: list[Quantity] = Field(
        default_factory=list[Quantity], description="Structured numbers"
    )
    lost_content: bool = Field(
        default=False, description="Part of the sentence was lost in conversion"
    )
    in_footnote: bool = Field(default=False, description="The claim comes from a footnote")
    extractor: str = Field(description="Extractor name and version that produced it")
    aspects: list[str] = Field(
        default_factory=list, description="Key phrases the claim is about (kg.aspects)"
    )
    embedding: list[float] | None = Field(default=None, description="Normalised sentence embedding")
    embed_key: str | None = Field(
        default=None,
        description="Hash of the embedder and the text embedded (kg.ids.embed_key): a claim "
        "read again with the same key keeps the vector already in the graph",
    )


class DocumentRecord(_Model):
    """Everything written for one source, in one transaction."""

    source: SourceRecord
    passages: list[PassageRecord]
    claims: list[ClaimRecord]


class FileRecord(_Model):
    """One ingested file and the sources it yielded."""

    sha256: str = Field(description="sha256 of the raw bytes")
    path: str = Field(description="Absolute path: the file's identity")
    size: int = Field(description="Bytes")
    format: str = Field(description="Loader that read it")
    source_ids: list[str] = Field(description="Sources it yielded, in order")
