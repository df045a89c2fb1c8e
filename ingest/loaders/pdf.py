"""PDF papers: the text layer, via pypdf."""

from __future__ import annotations

import io
import logging

from consilience.errors import EmptyDocumentError, IngestError
from ingest.document import Block
from ingest.loaders.text import text_blocks


def pdf_text(data: bytes, name: str) -> tuple[str | None, str]:
    """(metadata title, text) of a PDF; raises IngestError for damaged files."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PdfStreamError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
        title = str(meta.title) if meta and meta.title else None
    except (
        PdfReadError,
        PdfStreamError,
        ValueError,
        KeyError,
        TypeError,
        OSError,
        AssertionError,
        IndexError,
        RecursionError,
    ) as exc:
        raise IngestError(
            f"{name} is not a readable PDF ({type(exc).__name__}: {exc}).",
            "The file may be truncated or corrupt: download it again.",
        ) from exc
    text = "\n".join(pages)
    if not text.strip():
        raise EmptyDocumentError(
            f"{name} has no extractable text (a scanned or empty PDF?).",
            "Run OCR on it first (e.g. `ocrmypdf`), then ingest the result.",
        )
    return title, text


def pdf_blocks(data: bytes, name: str) -> tuple[str | None, list[Block]]:
    title, text = pdf_text(data, name)
    return title, text_blocks(text, wrapped=True)
