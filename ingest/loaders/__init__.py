"""One registry: detect the format of a file and turn it into parsed documents."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from consilience.errors import EmptyDocumentError
from ingest.chrome import drop_chrome
from ingest.clean import clean_inline, dominant_script
from ingest.dates import find_english_date
from ingest.document import Block, ParsedDocument
from ingest.loaders.decode import decode_noted
from ingest.loaders.digest import is_digest, split_digest
from ingest.loaders.gist import is_gist, split_gist
from ingest.loaders.html import html_blocks, looks_like_html
from ingest.loaders.markdown import (
    BAD_DATE_FLAG,
    markdown_blocks,
    read_front_matter,
    split_front_matter,
)
from ingest.loaders.pdf import read_pdf
from ingest.loaders.text import text_blocks

Loader = Callable[[bytes, str], list[ParsedDocument]]


def _title_from_blocks(doc_blocks: list[Block], fallback: str) -> str:
    for b in doc_blocks[:10]:
        if b.kind == "heading":
            return b.text[:300]
    return doc_blocks[0].text[:120] if doc_blocks else fallback


def load_pdf(data: bytes, name: str) -> list[ParsedDocument]:
    pdf = read_pdf(data, name)
    blocks = drop_chrome(pdf.blocks)
    doc = ParsedDocument(
        title=pdf.title or _title_from_blocks(blocks, name),
        blocks=blocks,
        authors=pdf.authors,
        author_confidence=pdf.author_confidence,
    )
    return [doc]


def load_html(data: bytes, name: str) -> list[ParsedDocument]:
    text, flags = decode_noted(data, name)
    title, blocks = html_blocks(text)
    script = dominant_script(" ".join(b.text for b in blocks[:200]))
    blocks = drop_chrome(blocks, script)
    doc = ParsedDocument(title=title or _title_from_blocks(blocks, name), blocks=blocks)
    doc.flags.extend(flags)
    return [doc]


def load_text(data: bytes, name: str) -> list[ParsedDocument]:
    text, flags = decode_noted(data, name)
    if is_digest(text) or is_gist(text):
        docs = split_digest(text) if is_digest(text) else split_gist(text)
        for d in docs:
            d.flags.extend(flags)
        return docs
    meta, body = split_front_matter(text)
    if meta:  # text with front matter is markdown whatever its name
        return _markdown_document(meta, body, name, flags)
    title = ""
    if looks_like_html(body):
        title, blocks = html_blocks(body)
        title = title or ""
    else:
        blocks = text_blocks(body)
    script = dominant_script(" ".join(b.text for b in blocks[:200]))
    blocks = drop_chrome(blocks, script)
    doc = ParsedDocument(
        title=clean_inline(title)[0] or _title_from_blocks(blocks, name),
        blocks=blocks,
        date=find_english_date(body[:2000]),
        language="en" if script == "latin" else script,
    )
    doc.flags.extend(flags)
    return [doc]


def load_markdown(data: bytes, name: str) -> list[ParsedDocument]:
    """Markdown: front matter (YAML or TOML) as metadata, footnotes as footnote blocks."""
    text, flags = decode_noted(data, name)
    meta, body = split_front_matter(text)
    return _markdown_document(meta, body, name, flags)


def _markdown_document(
    meta: dict[str, object], body: str, name: str, flags: list[str]
) -> list[ParsedDocument]:
    front = read_front_matter(meta)
    blocks = markdown_blocks(body)
    script = dominant_script(" ".join(b.text for b in blocks[:200]))
    blocks = drop_chrome(blocks, script)
    title = clean_inline(front.title or "")[0] or _title_from_blocks(blocks, name)
    doc = ParsedDocument(
        title=title,
        blocks=blocks,
        kind=front.kind,
        authors=front.authors,
        author_confidence="stated" if front.authors else "unknown",
        organisation=front.organisation,
        url=front.url,
        date=front.date or find_english_date(body[:2000]),
        language="en" if script == "latin" else script,
    )
    if meta:
        doc.flags.append("front-matter")
    if front.bad_date:
        doc.flags.append(BAD_DATE_FLAG + front.bad_date)
    doc.flags.extend(flags)
    return [doc]


def detect_format(path: Path, data: bytes) -> str:
    suffix = path.suffix.lower()
    if data[:5] == b"%PDF-" or suffix == ".pdf":
        return "pdf"
    if suffix in (".html", ".htm", ".xhtml"):
        return "html"
    if suffix in (".md", ".markdown", ".mdx"):
        return "markdown"
    head = data[:4096].lower()
    if head.lstrip().startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


LOADERS: dict[str, Loader] = {
    "pdf": load_pdf,
    "html": load_html,
    "markdown": load_markdown,
    "text": load_text,
}


def load_file(path: Path, data: bytes) -> tuple[str, list[ParsedDocument]]:
    """(format, documents) for one file's bytes; raises IngestError subclasses."""
    fmt = detect_format(path, data)
    docs = [d for d in LOADERS[fmt](data, path.name) if d.blocks]
    if not docs:
        raise EmptyDocumentError(
            f"{path.name} contains no readable text after cleaning.",
            "Check that the file holds the document itself, not only page chrome or markup.",
        )
    for d in docs:
        d.title = re.sub(r"\s+", " ", d.title).strip()[:500] or path.stem
    return fmt, docs
