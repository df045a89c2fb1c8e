"""What loaders produce: a document as ordered, cleaned blocks plus metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kg.models import SourceKind

BlockKind = Literal["heading", "paragraph", "list_item", "footnote", "table"]
BLOCK_SEPARATOR = "\n\n"


@dataclass
class Block:
    text: str
    kind: BlockKind = "paragraph"
    lost_content: bool = False
    speaker: str | None = None
    page: int | None = None  # 1-based page the block starts on (PDFs); None elsewhere
    # (offset in text, page) where a later page begins inside the block: a paragraph that
    # runs over a page break
    page_breaks: tuple[tuple[int, int], ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The page that the character at `offset` of the block's text is on."""
        page = self.page
        for start, p in self.page_breaks:
            if start > offset:
                break
            page = p
        return page


@dataclass
class ParsedDocument:
    """One source's worth of content, before segmentation."""

    title: str
    blocks: list[Block]
    kind: SourceKind | None = None
    authors: list[str] = field(default_factory=list)
    author_confidence: Literal["stated", "inferred", "unknown"] = "unknown"
    organisation: str | None = None
    date: str | None = None
    url: str | None = None
    flags: list[str] = field(default_factory=list)
    summary_of_title: str | None = None
    summary_of_url: str | None = None
    language: str = "en"
    cites: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlacedBlock:
    block: Block
    start: int
    end: int
    section: str | None


def assemble(blocks: list[Block]) -> tuple[str, list[PlacedBlock]]:
    """Join blocks into the cleaned text that every offset refers to."""
    parts: list[str] = []
    placed: list[PlacedBlock] = []
    pos = 0
    section: str | None = None
    for b in blocks:
        if not b.text:
            continue
        if parts:
            parts.append(BLOCK_SEPARATOR)
            pos += len(BLOCK_SEPARATOR)
        if b.kind == "heading":
            section = b.text[:200]
        placed.append(PlacedBlock(b, pos, pos + len(b.text), section))
        parts.append(b.text)
        pos += len(b.text)
    return "".join(parts), placed
