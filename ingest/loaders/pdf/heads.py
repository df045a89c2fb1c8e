"""Running heads (lines repeated at the top or bottom of pages) and section headings
(from the outline, else from heading-like lines)."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import Literal

from ingest.loaders.pdf.text import (
    _BULLET,
    _HEADING_NUMBER,
    _NUMBERED_HEADING,
    _PAGE_NUMBER,
    _SMALL_WORDS,
    _TERMINAL,
    EDGE_LINES,
    _Line,
)


# ---- running heads ------------------------------------------------------------------------
def _signature(text: str) -> str:
    """A line with its numbers removed: what a running head keeps from page to page."""
    s = re.sub(r"\s+", " ", re.sub(r"\d+", " ", text.casefold())).strip(" .,:;-–—|·•")
    return s if sum(c.isalpha() for c in s) >= 2 else ""


def _last_number(text: str) -> int | None:
    nums = re.findall(r"\d+", text)
    return int(nums[-1]) if nums else None


def _end_numbers(text: str) -> set[int]:
    """The numbers a line starts or ends with (where a running head prints the page); not
    the number of a numbered heading ("2 Method" atop page 2 stays)."""
    found = [re.search(r"\b(\d{1,4})$", text)]
    if not _NUMBERED_HEADING.match(text):
        found.append(re.match(r"(\d{1,4})\b", text))
    return {int(m.group(1)) for m in found if m}


def running_heads(pages: list[list[_Line]]) -> set[tuple[int, int]]:
    """(page index, line index) of running headers and footers and of bare page numbers.

    A running head is a line near the top or bottom of a page whose text, numbers aside,
    recurs at the edge of enough pages, either identical or with a number that moves with
    the page (a page number), so "Table 1" atop page 3 and "Table 2" atop page 7 stay. A
    page's first or last line that starts or ends with the page number as the document
    prints it ("Chapter 2: Methods 14", a head that changes with each chapter) is one too.
    """
    drop: set[tuple[int, int]] = set()
    seen: defaultdict[str, list[tuple[int, int, str, int | None]]] = defaultdict(list)
    numbered: list[tuple[int, int, set[int]]] = []  # first/last lines with an end number
    printed: defaultdict[int, set[int]] = defaultdict(set)  # number - page: pages showing it
    for p, lines in enumerate(pages):
        filled = [i for i, line in enumerate(lines) if line.text]
        edges = sorted(set(filled[:EDGE_LINES] + filled[-EDGE_LINES:]))
        numbers = set(filled[:2] + filled[-2:])
        ends = set(filled[:1] + filled[-1:])
        for i in edges:
            text = lines[i].text
            if i in numbers and _PAGE_NUMBER.match(text):
                drop.add((p, i))
                if text.isdigit():
                    printed[int(text) - p].add(p)
                continue
            if i in ends and len(text.split()) <= 15 and (nums := _end_numbers(text)):
                numbered.append((p, i, nums))
                for n in nums:
                    printed[n - p].add(p)
            if sig := _signature(text):
                seen[sig].append((p, i, " ".join(text.casefold().split()), _last_number(text)))
    if len(pages) < 2:
        return drop
    need = max(2, min(math.ceil(len(pages) * 0.3), 6))
    for hits in seen.values():
        by_text: defaultdict[str, set[int]] = defaultdict(set)
        by_offset: defaultdict[int, set[int]] = defaultdict(set)
        for p, _, text, n in hits:
            by_text[text].add(p)
            if n is not None:
                by_offset[n - p].add(p)
        texts = {t for t, ps in by_text.items() if len(ps) >= need}
        offsets = {o for o, ps in by_offset.items() if len(ps) >= need}
        for p, i, text, n in hits:
            if text in texts or (n is not None and n - p in offsets):
                drop.add((p, i))
    offset, shown = max(printed.items(), key=lambda kv: len(kv[1]), default=(0, set[int]()))
    if len(shown) >= need:
        drop.update((p, i) for p, i, nums in numbered if p + offset in nums)
    return drop


# ---- sections -----------------------------------------------------------------------------
def _norm_heading(text: str) -> str:
    """A heading compared without its number, case, spaces or punctuation."""
    return re.sub(r"[\W_]+", "", _HEADING_NUMBER.sub("", text.casefold()))


def _outline_heads(lines: list[_Line], outline: list[tuple[str, int | None]]) -> dict[int, int]:
    """{line index: lines in the heading} for outline entries found in the text, in order
    and on (or just after) their page; {} unless at least half of the entries are found."""
    norms = [_norm_heading(line.text) for line in lines]
    heads: dict[int, int] = {}
    pos = 0
    for title, page in outline:
        key = _norm_heading(title)
        if not key:
            continue
        for k in range(pos, len(lines)):
            if page is not None and lines[k].page > page + 1:
                break
            if (page is not None and lines[k].page < page) or not norms[k]:
                continue
            if norms[k] == key:
                heads[k], pos = 1, k + 1
                break
            if k + 1 < len(lines) and norms[k + 1] and norms[k] + norms[k + 1] == key:
                heads[k], pos = 2, k + 2
                break
    return heads if outline and len(heads) >= math.ceil(len(outline) / 2) else {}


def _title_case(words: list[str]) -> bool:
    lettered = [
        w
        for n, w in enumerate(words)
        if any(c.isalpha() for c in w) and (n == 0 or w.casefold() not in _SMALL_WORDS)
    ]
    return bool(lettered) and all(w.lstrip("([\"'“‘")[:1].isupper() for w in lettered)


_CAPTION = re.compile(r"^(?:Figure|Fig\.|Table|Tab\.|Algorithm|Listing|Equation|Eq\.)\s*\d")


def _section_number(text: str) -> tuple[int, ...] | None:
    m = re.match(r"\d{1,2}(?:\.\d{1,2}){0,3}", text)
    return tuple(int(x) for x in m.group().split(".")) if m else None


def _follows(last: tuple[int, ...] | None, new: tuple[int, ...], prev_ended: bool) -> bool:
    """Whether section `new` can come after section `last`: the next at any level ("2.3"
    or "3" after "2.2"; one missed heading is forgiven below the top level), or the first
    child ("2.2.1"). The first numbered heading is 1 (or anything after a sentence's end)."""
    if last is None:
        return prev_ended or new[0] in (0, 1)
    if new == (*last, 1):
        return True
    for level in range(len(last)):
        steps = (1,) if level == 0 else (1, 2)
        if any(new == (*last[:level], last[level] + d) for d in steps):
            return True
    return False


def _heading_kind(
    line: _Line, prev_ended: bool, body: float | None, full: int, last: tuple[int, ...] | None
) -> Literal["larger", "numbered", "titled"] | None:
    """Why a line reads as a heading, or None."""
    text = line.text
    words = text.split()
    if len(words) > 14 or len(text) > 120 or not (text[0].isupper() or text[0].isdigit()):
        return None
    if re.search(r"[.,;:]$", text) or _CAPTION.match(text) or sum(c.isalpha() for c in text) < 2:
        return None
    short = len(text) < 0.75 * full
    if body and line.size:
        if line.size >= body * 1.1:
            return "larger" if prev_ended or short else None
        if line.size < body * 0.95:  # smaller print: captions, code, footnotes
            return None
    if not short or not _NUMBERED_HEADING.match(text):
        titled = prev_ended and short and len(words) <= 8 and _title_case(words)
        return "titled" if titled and not _BULLET.match(text) else None
    number = _section_number(text)
    if number is None:  # "A.1", "IV."
        return "numbered" if prev_ended else None
    return "numbered" if _follows(last, number, prev_ended) else None


def _heuristic_heads(lines: list[_Line], body: float | None, full: int) -> dict[int, int]:
    heads: dict[int, int] = {}
    prev_ended = True
    last: tuple[int, ...] | None = None  # the last section number taken
    for k, line in enumerate(lines):
        if not line.text:
            prev_ended = True
        elif _heading_kind(line, prev_ended, body, full, last):
            heads[k] = 1
            prev_ended = True
            last = _section_number(line.text) or last
        else:
            prev_ended = bool(_TERMINAL.search(line.text))
    return heads
