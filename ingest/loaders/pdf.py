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

import io
import logging
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from consilience.errors import EmptyDocumentError, IngestError
from ingest.clean import clean_inline
from ingest.document import Block, BlockKind

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
class PdfContent:
    """What a PDF yields: its located blocks and the front matter it states."""

    title: str | None
    blocks: list[Block]
    authors: list[str]
    author_confidence: Literal["stated", "inferred", "unknown"] = "unknown"
    sections_from: Literal["outline", "headings"] = "headings"


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
