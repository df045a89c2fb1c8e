"""Reading a PDF's text layer with pypdf: lines with their page and font size, the
metadata and the outline. Shared by the layout modules."""

from __future__ import annotations

import io
import logging
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from consilience.errors import EmptyDocumentError, IngestError

if TYPE_CHECKING:
    from pypdf import PageObject, PdfReader


# What pypdf raises on damaged files (it has no single base class for them).
_READ_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    KeyError,
    TypeError,
    OSError,
    AssertionError,
    IndexError,
    RecursionError,
)

EDGE_LINES = 3  # lines at the top and at the bottom of a page where running heads sit
_TERMINAL = re.compile(r"[.!?:;\"”’)\]]$")
_ROMAN = r"(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_PAGE_NUMBER = re.compile(
    rf"^(?:(?:[Pp]age|PAGE|p\.)\s*)?(?:\d{{1,4}}|{_ROMAN})(?:\s*(?:/|of)\s*\d{{1,4}})?$"
    r"|^[-–—]\s*\d{1,4}\s*[-–—]$"
)
_NUMBERED_HEADING = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|[A-Z](?:\.\d{1,2}){1,3}\.?|[IVX]{1,4}\.)\s+[A-Z]"
)
_HEADING_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[a-z](?:\.\d+)+\.?|[ivx]+\.)\s+")
_BULLET = re.compile(r"^(?:[•◦▪‣·●○■□–*]|-(?=\s)|\(?[a-z]\)|\d{1,3}[.)])\s+")
_SMALL_WORDS = frozenset(
    "a an and as at by for from in into of on or over the to under via vs with without".split()
)
_NUMERIC_TOKEN = re.compile(r"^[-+±]?[\d.,%$×x]+$|^[↑↓]$")
_NAME_TOKEN = re.compile(r"^(?:[A-Z][a-z'’]+(?:-[A-Z][a-z'’]+)?|[A-Z]\.(?:-?[A-Z]\.)?)$")
_NAME_PARTICLES = frozenset("van von de der den da di del la le du dos bin al".split())
_NOT_NAME_WORDS = frozenset(
    """university institute laboratory lab labs college school department dept center centre
    research group inc ltd llc corporation corp foundation academy hospital faculty abstract
    introduction technical report version draft preprint workshop conference proceedings
    journal press society database specification paper edition volume chapter appendix
    contents table figure submitted published accepted review copyright rights reserved
    january february march april june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday""".split()
)
_MARKERS = re.compile(r"(?<=[a-z])[\d*∗†‡§¶]+(?:,[\d*∗†‡§¶]+)*|[*∗†‡§¶]")
_JUNK_TITLE = re.compile(
    r"^(?:untitled|microsoft word\b|document\d*$|title$|slide \d+$)|\.(?:docx?|tex|dvi|pdf|"
    r"ps|indd|rtf|odt|pages)$",
    re.IGNORECASE,
)


@dataclass
class _Line:
    text: str
    page: int  # 1-based
    size: float | None = None  # font size as drawn, when pypdf reports it


@dataclass
class _Raw:
    pages: list[list[_Line]]
    title: str | None
    author: str | None
    outline: list[tuple[str, int | None]]  # (title, 1-based page) in document order


# ---- reading ------------------------------------------------------------------------------
def _page_lines(page: PageObject, number: int) -> list[_Line]:
    """A page's text lines, each with the largest font size drawn on it (when known)."""
    frags: list[tuple[str, float]] = []

    def visit(text: Any, cm: Any, tm: Any, _font: Any, size: Any) -> None:
        try:  # the size as drawn: the font size scaled by the text and page matrices
            scale = math.hypot(float(tm[2]), float(tm[3])) * math.hypot(float(cm[2]), float(cm[3]))
            drawn = round(float(size) * (scale or 1.0), 1)
        except (TypeError, ValueError, IndexError):
            drawn = 0.0  # unknown
        frags.append((str(text), drawn))

    text = page.extract_text(visitor_text=visit) or ""
    if "".join(t for t, _ in frags) != text:  # sizes cannot be placed on the lines
        return [_Line(t.strip(), number) for t in text.split("\n")]
    lines: list[_Line] = []
    cur, size = "", 0.0
    for t, s in frags:
        for i, part in enumerate(t.split("\n")):
            if i:
                lines.append(_Line(cur.strip(), number, size or None))
                cur, size = "", 0.0
            cur += part
            if part.strip():
                size = max(size, s)
    lines.append(_Line(cur.strip(), number, size or None))
    return lines


def _outline(reader: PdfReader) -> list[tuple[str, int | None]]:
    """The outline (bookmarks) flattened in order; [] when absent or unreadable."""
    out: list[tuple[str, int | None]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                if depth < 8:
                    walk(item, depth + 1)
                continue
            title = str(getattr(item, "title", "") or "").strip()
            page = reader.get_destination_page_number(item)
            if title:
                out.append((title, page + 1 if isinstance(page, int) and page >= 0 else None))

    from pypdf.errors import PdfReadError, PdfStreamError

    try:
        walk(list(reader.outline), 0)
    except (PdfReadError, PdfStreamError, AttributeError, *_READ_ERRORS):
        return []  # a broken outline only costs the sections it would give
    return out


def _read(data: bytes, name: str) -> _Raw:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PdfStreamError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = [_page_lines(page, i) for i, page in enumerate(reader.pages, 1)]
        meta = reader.metadata
        title = str(meta.title) if meta and meta.title else None
        author = str(meta.author) if meta and meta.author else None
    except (PdfReadError, PdfStreamError, *_READ_ERRORS) as exc:
        raise IngestError(
            f"{name} is not a readable PDF ({type(exc).__name__}: {exc}).",
            "The file may be truncated or corrupt: download it again.",
        ) from exc
    if not any(line.text for p in pages for line in p):
        raise EmptyDocumentError(
            f"{name} has no extractable text (a scanned or empty PDF?).",
            "Run OCR on it first (e.g. `ocrmypdf`), then ingest the result.",
        )
    return _Raw(pages=pages, title=title, author=author, outline=_outline(reader))
