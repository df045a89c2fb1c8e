"""Front matter: the title (metadata or the first page) and the authors (metadata, or
name lines under the title)."""

from __future__ import annotations

import re
from collections import Counter

from ingest.loaders.pdf.heads import _norm_heading
from ingest.loaders.pdf.text import (
    _JUNK_TITLE,
    _MARKERS,
    _NAME_PARTICLES,
    _NAME_TOKEN,
    _NOT_NAME_WORDS,
    _NUMBERED_HEADING,
    _PAGE_NUMBER,
    _Line,
    _Raw,
)


# ---- front matter -------------------------------------------------------------------------
def _body_size(pages: list[list[_Line]]) -> float | None:
    """The font size most of the text is set in."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page:
            if line.size and line.text:
                sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else None


def _usable_title(raw: str | None) -> str | None:
    title = " ".join((raw or "").split())
    return title if len(title) >= 3 and not _JUNK_TITLE.search(title) else None


def _title(
    raw: _Raw, drop: set[tuple[int, int]], body: float | None
) -> tuple[str | None, list[int]]:
    """The title, and the indices of the first page's lines that set it."""
    first = raw.pages[0] if raw.pages else []
    filled = [i for i, line in enumerate(first) if line.text and not _PAGE_NUMBER.match(line.text)]
    filled = filled[:15]
    meta = _usable_title(raw.title)
    if meta:
        key = meta.casefold()
        return meta, [i for i in filled if " ".join(first[i].text.split()).casefold() == key]
    sizes = [s for i in filled if (s := first[i].size)]
    if sizes and body and max(sizes) >= body * 1.2:
        top = max(sizes)
        start = next(k for k, i in enumerate(filled) if first[i].size == top)
        run: list[int] = []
        for i in filled[start : start + 3]:
            if first[i].size != top:
                break
            run.append(i)
        text = " ".join(first[i].text for i in run)
        if 3 <= len(text) <= 300:
            return text, run
    for i in filled:
        words = first[i].text.split()
        if (0, i) not in drop and len(words) <= 20 and sum(c.isalpha() for c in words[0]) >= 1:
            return first[i].text, [i]
    return None, []


def split_authors(raw: str) -> list[str]:
    """Names from a metadata /Author field: split on commas, semicolons, "&" and "and"."""
    names = (" ".join(p.split()) for p in re.split(r"[,;&]|\band\b", raw))
    junk = {"unknown", "administrator", "admin", "user", "author", "owner", "anonymous"}
    return [n for n in names if 1 < len(n) <= 80 and n.casefold() not in junk][:50]


def _names(text: str) -> list[str]:
    """The person names a front-matter line consists of, or [] if it is anything else."""
    parts = [p.strip(" .") for p in re.split(r"[,;&]|\band\b", _MARKERS.sub("", text))]
    out: list[str] = []
    for part in (p for p in parts if p):
        toks = part.split()
        if not 2 <= len(toks) <= 4:
            return []
        if not (_NAME_TOKEN.match(toks[0]) and _NAME_TOKEN.match(toks[-1])) or toks[-1][-1] == ".":
            return []
        if not all(_NAME_TOKEN.match(w) or w in _NAME_PARTICLES for w in toks):
            return []
        if any(w.casefold().strip(".") in _NOT_NAME_WORDS for w in toks):
            return []
        out.append(" ".join(toks))
    return out


def _front_names(lines: list[_Line], after: int, full: int) -> tuple[list[str], list[int]]:
    """Names on the first page's lines under the title, and which lines hold them."""
    names: list[str] = []
    at: list[int] = []
    for k in range(after, min(len(lines), after + 12)):
        line = lines[k]
        if line.page != 1:
            break
        if not line.text:
            continue
        if (
            _NUMBERED_HEADING.match(line.text)
            or _norm_heading(line.text) in ("abstract", "introduction", "contents", "summary")
            or len(line.text) >= 0.75 * full
        ):
            break
        if found := _names(line.text):
            names.extend(found)
            at.append(k)
    return names[:20], at
