"""The extractor interface shared by the offline rules and the Claude extractor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ingest.document import PlacedBlock
from kg.models import ClaimKind, Hedge, Quantity, SourceKind


@dataclass
class ExtractedClaim:
    """A claim located by absolute offsets into the source's cleaned text."""

    start: int
    end: int
    kind: ClaimKind
    normalized: str
    hedge: Hedge = Hedge.NONE
    hedge_cues: list[str] = field(default_factory=list)
    speaker: str | None = None
    stated_probability: float | None = None
    numbers: list[Quantity] = field(default_factory=list)
    lost_content: bool = False
    in_footnote: bool = False


class ClaimExtractor(Protocol):
    """Turns a source's placed blocks into located claims."""

    name: str
    version: str

    def extract(
        self, text: str, blocks: list[PlacedBlock], source_kind: SourceKind
    ) -> list[ExtractedClaim]: ...
