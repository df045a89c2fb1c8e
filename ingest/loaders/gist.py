"""Saved GitHub gist pages: the gist file plus each author comment, chrome removed."""

from __future__ import annotations

import re

from ingest.chrome import drop_chrome
from ingest.dates import find_english_date
from ingest.document import ParsedDocument
from ingest.loaders.text import text_blocks

_MARKERS = ("Instantly share code, notes, and snippets.", "Show Gist options")
# A comment header on a saved gist page: "@user" / "Copy link" / "Author" (owner badge)
_COMMENT_HEADER = re.compile(r"^@([\w-]+)\s*\n+Copy link\s*\n+(?:Author|Owner)?\s*$", re.M)
_OWNER = re.compile(r"^@([\w-]+)\s*$", re.M)


def is_gist(text: str) -> bool:
    head = text[:3000]
    return all(m in head for m in _MARKERS)


def split_gist(text: str) -> list[ParsedDocument]:
    owner_m = _OWNER.search(text[:3000])
    owner = owner_m.group(1) if owner_m else None
    created = find_english_date(text[:3000])
    cuts = list(_COMMENT_HEADER.finditer(text))
    parts: list[tuple[str | None, str]] = []
    body_end = cuts[0].start() if cuts else len(text)
    parts.append((owner, text[:body_end]))
    for i, m in enumerate(cuts):
        end = cuts[i + 1].start() if i + 1 < len(cuts) else len(text)
        parts.append((m.group(1), text[m.end() : end]))
    docs: list[ParsedDocument] = []
    for i, (author, part) in enumerate(parts):
        # who uploaded the gist did not necessarily write its file (an uploader is not an
        # author: counting one joined unrelated sources into one line of research); each
        # comment is written by its commenter
        is_file = i == 0
        blocks = text_blocks(part, wrapped=False)
        # the gist file's name line ("greenblatt.md") is chrome, not a title
        blocks = [b for b in blocks if not re.fullmatch(r"[\w.-]+\.(?:md|txt|py|rst)", b.text)]
        blocks = drop_chrome(blocks)
        if not blocks:
            continue
        docs.append(
            ParsedDocument(
                title=blocks[0].text[:300],
                blocks=blocks,
                authors=[author] if author and not is_file else [],
                author_confidence="stated" if author and not is_file else "unknown",
                date=created,
                flags=["from-gist", *([f"uploaded-by:{author}"] if is_file and author else [])],
            )
        )
    return docs
