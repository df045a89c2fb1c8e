"""PDF papers: the text layer via pypdf, with pages, running heads, sections and front matter.

Every block keeps the page it starts on (and where a paragraph runs onto the next page).
Running headers and footers, lines repeated at the top or bottom of many pages, with or
without a changing page number ("16 Shared MIME-info Database" / "Shared MIME-info Database
17"), are dropped, and so are bare page numbers. Sections come from the PDF outline when its
entries are found in the text, else from heading-like lines: a larger font, a numbered
heading ("2.1 Method"), a short title-case line. The title comes from the metadata or the
first page's largest (else first) line; authors from the metadata, else from name-like lines
under the title on the first page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ingest.document import Block
from ingest.loaders.pdf.blocks import _blocks
from ingest.loaders.pdf.front import _body_size, _front_names, _title, split_authors
from ingest.loaders.pdf.heads import _heuristic_heads, _outline_heads, running_heads
from ingest.loaders.pdf.text import _Line, _read


@dataclass
class PdfContent:
    """What a PDF yields: its located blocks and the front matter it states."""

    title: str | None
    blocks: list[Block]
    authors: list[str]
    author_confidence: Literal["stated", "inferred", "unknown"] = "unknown"
    sections_from: Literal["outline", "headings"] = "headings"


def _full_width(lines: list[_Line], body: float | None) -> int:
    """The length of a full line of body text (a shorter line may end a paragraph)."""
    lengths = sorted(
        len(x.text) for x in lines if x.text and (body is None or x.size in (None, body))
    )
    if not lengths:
        return 80
    return max(20, lengths[int(0.9 * (len(lengths) - 1))])


def read_pdf(data: bytes, name: str) -> PdfContent:
    """A PDF's blocks (with pages) and front matter; raises IngestError for damaged files."""
    raw = _read(data, name)
    drop = running_heads(raw.pages)
    body = _body_size(raw.pages)
    title, title_rows = _title(raw, drop, body)
    drop -= {(0, i) for i in title_rows}
    lines: list[_Line] = []
    title_at: list[int] = []
    for p, page in enumerate(raw.pages):
        for i, line in enumerate(page):
            if (p, i) in drop:
                continue
            if p == 0 and i in title_rows:
                title_at.append(len(lines))
            lines.append(line)
    full = _full_width(lines, body)
    heads = _outline_heads(lines, raw.outline)
    sections_from: Literal["outline", "headings"] = "outline" if heads else "headings"
    if not heads:
        heads = _heuristic_heads(lines, body, full)
    names, name_at = _front_names(lines, (max(title_at) + 1) if title_at else 0, full)
    for k in name_at:
        heads.pop(k, None)
    if title_at:  # the title opens the text as its first heading
        for k in range(title_at[0], title_at[-1] + 1):
            heads.pop(k, None)
        span = range(title_at[0], title_at[-1] + 1)
        if all(k in title_at or not lines[k].text for k in span):
            heads[title_at[0]] = len(span)
    authors = split_authors(raw.author) if raw.author else []
    confidence: Literal["stated", "inferred", "unknown"] = "stated" if authors else "unknown"
    if not authors and names:
        authors, confidence = names, "inferred"
    return PdfContent(
        title=title,
        blocks=_blocks(lines, heads, full),
        authors=authors,
        author_confidence=confidence,
        sections_from=sections_from,
    )
