"""Lines to blocks: paragraphs, list items, tables and headings, each with its page."""

from __future__ import annotations

import re

from ingest.clean import clean_inline
from ingest.document import Block, BlockKind
from ingest.loaders.pdf.text import _BULLET, _NUMERIC_TOKEN, _TERMINAL, _Line


# ---- blocks -------------------------------------------------------------------------------
def _hyphenated(prev: str, nxt: str) -> bool:
    return bool(re.search(r"[A-Za-z]-$", prev)) and nxt[:1].islower()


def _join(prev: str, nxt: str) -> str:
    """Two wrapped lines as one: a word broken by a hyphen is mended, a compound such as
    "state-of-the-" + "art" keeps it."""
    if not _hyphenated(prev, nxt):
        return f"{prev} {nxt}"
    last = prev.rsplit(" ", 1)[-1]
    return prev + nxt if "-" in last[:-1] else prev[:-1] + nxt


def _is_table_like(text: str) -> bool:
    tokens = text.split()
    if len(tokens) < 3:
        return False
    return sum(1 for t in tokens if _NUMERIC_TOKEN.match(t)) / len(tokens) >= 0.5


def _emit(blocks: list[Block], group: list[_Line], kind: BlockKind) -> None:
    """One block from wrapped lines, with the page it starts on and where pages change."""
    chunks: list[tuple[int, str]] = []  # (page, raw text) runs of the group's lines
    for line in group:
        if not chunks:
            chunks.append((line.page, line.text))
            continue
        page, prev = chunks[-1]
        if page == line.page:
            chunks[-1] = (page, _join(prev, line.text))
        elif _hyphenated(prev, line.text):  # the broken word stays on the earlier page
            word, _, rest = line.text.partition(" ")
            chunks[-1] = (page, _join(prev, word))
            if rest:
                chunks.append((line.page, rest))
        else:
            chunks.append((line.page, line.text))
    parts: list[str] = []
    breaks: list[tuple[int, int]] = []
    lost = False
    pos = 0
    first_page = last_page = None
    for page, raw in chunks:
        text, lost_here = clean_inline(raw, unescape=False)
        lost = lost or lost_here
        if not text:
            continue
        if parts:
            pos += 1
            if page != last_page:
                breaks.append((pos, page))
        else:
            first_page = page
        parts.append(text)
        pos += len(text)
        last_page = page
    if not parts:
        return
    text = " ".join(parts)
    if kind == "paragraph" and _is_table_like(text):
        kind = "table"
    blocks.append(
        Block(text=text, kind=kind, lost_content=lost, page=first_page, page_breaks=tuple(breaks))
    )


def _blocks(lines: list[_Line], heads: dict[int, int], full: int) -> list[Block]:
    """Headings, list items and paragraphs. A paragraph ends at a short line that ends a
    sentence; it runs on over page breaks."""
    blocks: list[Block] = []
    group: list[_Line] = []
    kind: BlockKind = "paragraph"

    def flush() -> None:
        nonlocal kind
        if group:
            _emit(blocks, group, kind)
            group.clear()
        kind = "paragraph"

    k = 0
    while k < len(lines):
        line = lines[k]
        if k in heads:
            flush()
            _emit(blocks, [x for x in lines[k : k + heads[k]] if x.text], "heading")
            k += heads[k]
            continue
        k += 1
        if not line.text:
            flush()
            continue
        if m := _BULLET.match(line.text):
            flush()
            kind = "list_item"
            group.append(_Line(line.text[m.end() :], line.page, line.size))
        else:
            group.append(line)
        if _TERMINAL.search(line.text) and (kind == "list_item" or len(line.text) < 0.85 * full):
            flush()
    flush()
    return blocks
