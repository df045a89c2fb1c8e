"""Plain text (and the text layer of PDFs) to blocks."""

from __future__ import annotations

import re
import statistics

from ingest.clean import clean_inline
from ingest.document import Block, BlockKind

_BULLET = re.compile(r"^\s*(?:[•◦▪‣·●○■□–\-*]|\d{1,3}[.)]|\(?[a-z]\)|\d{1,3}(?=\t))\s+")
_TAB_BULLET = re.compile(r"^\t+(?:[•◦▪‣·●○■□–\-*]|\d{1,3}[.)]?)\t")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_NUMERIC_TOKEN = re.compile(r"^[-+±]?[\d.,%$×x]+$|^[↑↓]$")
_TERMINAL = re.compile(r"[.!?:;\"”’)\]]$")


def _is_table_like(text: str) -> bool:
    tokens = text.split()
    if len(tokens) < 3:
        return False
    numeric = sum(1 for t in tokens if _NUMERIC_TOKEN.match(t))
    return numeric / len(tokens) >= 0.5


def _is_heading(line: str, prev_blank: bool, next_blank_or_end: bool) -> bool:
    words = line.split()
    if not words or len(words) > 14 or len(line) > 120:
        return False
    if _TERMINAL.search(line) or line.endswith(","):
        return False
    if not (line[0].isupper() or line[0].isdigit()):
        return False
    return prev_blank or next_blank_or_end or len(words) <= 6


def looks_hard_wrapped(lines: list[str]) -> bool:
    lengths = [len(x) for x in lines if x.strip()]
    if len(lengths) < 8:
        return False
    unterminated = sum(1 for x in lines if x.strip() and not _TERMINAL.search(x.rstrip()))
    return 40 <= statistics.median(lengths) <= 110 and unterminated / len(lengths) > 0.6


def text_blocks(text: str, *, wrapped: bool | None = None) -> list[Block]:
    """Split plain text into heading / paragraph / list-item / table blocks."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if wrapped is None:
        wrapped = looks_hard_wrapped(lines)
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            joined = " ".join(para)
            if wrapped:
                joined = re.sub(r"(\w)- (\w)", r"\1\2", joined)
            _emit(blocks, joined, "paragraph")
            para.clear()

    for i, raw in enumerate(lines):
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        prev_blank = i == 0 or not lines[i - 1].strip()
        next_blank = i + 1 >= len(lines) or not lines[i + 1].strip()
        m = _TAB_BULLET.match(line) or _BULLET.match(line)
        if m:
            flush()
            _emit(blocks, line[m.end() :], "list_item")
        elif _MD_HEADING.match(line):
            flush()
            _emit(blocks, _MD_HEADING.sub("", line), "heading")
        elif not para and _is_heading(line.strip(), prev_blank, next_blank):
            flush()
            _emit(blocks, line, "heading")
        elif wrapped:
            para.append(line.strip())
        else:
            flush()
            _emit(blocks, line, "paragraph")
    flush()
    return blocks


def _emit(blocks: list[Block], raw: str, kind: BlockKind) -> None:
    text, lost = clean_inline(raw, unescape=True)
    if not text:
        return
    if kind == "paragraph" and _is_table_like(text):
        kind = "table"
    blocks.append(Block(text=text, kind=kind, lost_content=lost))
