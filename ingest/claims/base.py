"""The extractor interface shared by the offline rules and the Claude extractor."""

from __future__ import annotations

from collections.abc import Iterable
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


def tag(extractor: ClaimExtractor) -> str:
    """How a claim records what extracted it: `name@version` (e.g. `rules@2`)."""
    return f"{extractor.name}@{extractor.version}"


def outdated(tags: Iterable[str], extractor: ClaimExtractor) -> str | None:
    """The first of these claim tags written by another version of this same extractor, or
    None. Another extractor's tags do not count: claims Claude extracted are not re-read by
    the rules because a later run has no key (nor the reverse; `ingest --force` does that)."""
    return next(
        (t for t in tags if t.rpartition("@")[0] == extractor.name and t != tag(extractor)),
        None,
    )
