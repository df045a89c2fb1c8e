"""Markdown (and text with YAML or TOML front matter, whose body may be HTML): front matter
read into metadata, footnotes kept as footnote blocks, inline markup removed."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from ingest.document import Block
from ingest.loaders.html import html_blocks, looks_like_html
from ingest.loaders.text import text_blocks
from kg.models import SourceKind

# YAML between --- and --- (or ...), TOML between +++ and +++; a BOM may precede it.
_FRONT = re.compile(
    r"\A\ufeff?(?P<fence>---|\+\+\+)[ \t]*\r?\n"
    r"(?P<body>.*?)\r?\n(?:---|\.\.\.|\+\+\+)[ \t]*(?:\r?\n|\Z)",
    re.S,
)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_ITEM = re.compile(r"^\s*[-*]\s+")
_EMPH = re.compile(r"(\*\*|__|`)(.+?)\1")
_FOOTNOTE_DEF = re.compile(r"^\[\^(?P<label>[^\]\s]+)\]:[ \t]?(?P<text>.*)$")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]+\]")
_INLINE_TAG = re.compile(
    r"</?(?:p|span|div|br|em|strong|b|i|u|sup|sub|small|mark|abbr|cite)\b[^>]*>", re.I
)
_URL = re.compile(r"^https?://\S+$")
FOOTNOTES_HEADING = "Footnotes"

_AUTHOR_KEYS = ("authors", "author", "creators", "creator", "by")
_URL_KEYS = ("url", "canonical_url", "canonical", "permalink", "link", "source", "origin")
_ORG_KEYS = ("organisation", "organization", "publisher", "site", "origin", "source")
_KIND_KEYS = ("kind", "type", "category")


@dataclass(frozen=True)
class FrontMatter:
    """What a document's front matter says about it (all optional)."""

    title: str | None = None
    authors: list[str] = field(default_factory=list[str])
    date: str | None = None
    url: str | None = None
    organisation: str | None = None
    kind: SourceKind | None = None
    bad_date: str | None = None  # a date as written that is not one (left out)


BAD_DATE_FLAG = "front-matter-date-not-a-date:"


class _TextDatesLoader(yaml.SafeLoader):
    """PyYAML's safe loader with dates left as text (`_iso` reads them): its own date
    constructor raised ValueError on `date: 2024-13-45`, which failed the whole file."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_DATE_LIKE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?P<rest>(?![0-9]).*)?$")


def front_matter_end(text: str) -> int:
    """Where a document's front matter (fences included) ends; 0 when it has none."""
    m = _FRONT.match(text)
    return m.end() if m else 0


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    """(metadata, body): YAML (`---`) or TOML (`+++`) front matter; {} when there is none or
    it does not parse, nested too deeply included (the body then starts after the fence all
    the same)."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    raw = m.group("body")
    meta: object
    try:
        meta = (
            _toml(raw)
            if m.group("fence") == "+++"
            else yaml.load(raw, Loader=_TextDatesLoader)  # a SafeLoader: no objects
        )
    except (yaml.YAMLError, tomllib.TOMLDecodeError, RecursionError):
        meta = None  # RecursionError: "x: [[[[…]]]]" 3,000 deep failed the whole file
    return (_str_keys(meta) if isinstance(meta, dict) else {}), text[m.end() :]


# A bare TOML value that starts like a date (`date = 2024-13-45`): quoted, it reads as text that
# `_iso` judges, instead of failing the whole front matter.
_TOML_BARE_DATE = re.compile(
    r"^(?P<key>[ \t]*[\w.\"'-]+[ \t]*=[ \t]*)"
    r"(?P<value>\d{4}-\d{1,2}-\d{1,2}(?![0-9])[^\r\n#\"']*?)"
    r"(?P<tail>[ \t]*(?:#[^\r\n]*)?)\r?$",
    re.M,
)


def _quote_bare_dates(raw: str) -> tuple[str, int]:
    """`_TOML_BARE_DATE` applied to the lines outside multi-line strings (review: a line of an
    abstract that read `x = 2024-13-45` was quoted too)."""
    out: list[str] = []
    n = 0
    inside: str | None = None  # the delimiter of the multi-line string a line is in
    for line in raw.splitlines(keepends=True):
        if inside is None:
            quoted, k = _TOML_BARE_DATE.subn(r'\g<key>"\g<value>"\g<tail>', line)
            out.append(quoted)
            n += k
        else:
            out.append(line)
        rest = line
        while True:  # where this line opens or closes a multi-line string
            if inside is None:
                at = [(rest.find(d), d) for d in ('"""', "'''") if d in rest]
                if not at:
                    break
                i, inside = min(at)
                rest = rest[i + 3 :]
            else:
                i = rest.find(inside)
                if i < 0:
                    break
                rest, inside = rest[i + 3 :], None
    return "".join(out), n


def _toml(raw: str) -> dict[str, Any]:
    """TOML front matter; where it does not parse, read again with bare dates quoted (TOML
    has no invalid-date value: one impossible date failed the title and authors with it)."""
    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError:
        quoted, n = _quote_bare_dates(raw)
        if not n:
            raise
        return tomllib.loads(quoted)


def _str_keys(meta: Mapping[Any, object]) -> dict[str, object]:
    return {str(k).strip().lower(): v for k, v in meta.items()}


def _iso(value: object) -> str | None:
    """A front-matter date (TOML may give a date or a datetime; YAML gives text) as ISO text;
    None where it starts with a year, month and day that cannot be (`2024-13-45`,
    `2024-02-30`). Other text is kept as written ("May 2024", "2024-05-01 to 2024-06-01")."""
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return str(isoformat())
    text = str(value).strip()
    m = _DATE_LIKE.match(text)
    if not m:
        return text
    try:
        day = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    if not m["rest"]:
        return day.isoformat()
    try:
        return dt.datetime.fromisoformat(text).isoformat()
    except ValueError:
        return text  # a real day with more after it: as written


def _names(value: object) -> list[str]:
    """Authors as a list of names, from a string ("A, B and C"; "A; B"), a list of strings,
    or a list of {name: ...} mappings."""
    items: list[object]
    if isinstance(value, str):
        sep = ";" if ";" in value else ","
        items = [p for part in value.split(sep) for p in re.split(r"\s+(?:and|&)\s+", part)]
    elif isinstance(value, list):
        items = list(value)
    else:
        return []
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name")
        if isinstance(item, str) and item.strip() and len(item) <= 120:
            names.append(" ".join(item.split()))
    return list(dict.fromkeys(names))


def _first(meta: dict[str, object], keys: tuple[str, ...]) -> object:
    for k in keys:
        v = meta.get(k)
        if v not in (None, "", []):
            return v
    return None


def read_front_matter(meta: dict[str, object]) -> FrontMatter:
    """Title, authors, date, origin (a URL, or the site it came from) and kind."""
    title = meta.get("title")
    date = meta.get("date") or meta.get("published")
    urls = [str(meta[k]).strip() for k in _URL_KEYS if isinstance(meta.get(k), str)]
    url = next((u for u in urls if _URL.match(u)), None)
    org = next(
        (
            str(meta[k]).strip()
            for k in _ORG_KEYS
            if isinstance(meta.get(k), str) and not _URL.match(str(meta[k]).strip())
        ),
        None,
    )
    kind_value = _first(meta, _KIND_KEYS)
    kinds = {k.value: k for k in SourceKind}
    kind = kinds.get(str(kind_value).strip().lower().replace(" ", "_")) if kind_value else None
    when = _iso(date) if date else None
    return FrontMatter(
        title=str(title).strip() if title else None,
        authors=_names(_first(meta, _AUTHOR_KEYS)),
        date=when,
        bad_date=str(date)[:40] if date and when is None else None,
        url=url,
        organisation=org,
        kind=kind,
    )


def split_footnotes(body: str) -> tuple[str, list[str]]:
    """(body without footnote definitions or references, the footnotes' texts in order).
    A definition is `[^label]: text`, continued by indented lines."""
    kept: list[str] = []
    notes: list[list[str]] = []
    inside = False
    for line in body.splitlines():
        m = _FOOTNOTE_DEF.match(line)
        if m:
            notes.append([m.group("text").strip()])
            inside = True
        elif inside and line.strip() and line[:1] in (" ", "\t"):
            notes[-1].append(line.strip())
        elif inside and not line.strip():
            continue  # a blank line inside or after a definition
        else:
            inside = False
            kept.append(line)
    text = _FOOTNOTE_REF.sub("", "\n".join(kept))
    return text, [j for j in (" ".join(p for p in n if p) for n in notes) if j]


def _md_to_html(body: str) -> str:
    """Markdown scaffolding around an HTML body: headings and quote markers to HTML."""
    out: list[str] = []
    for line in body.split("\n"):
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        if m:
            n = len(m.group(1))
            out.append(f"<h{n}>{m.group(2)}</h{n}>")
        elif line.startswith(">"):
            out.append(line.lstrip("> "))
        elif _MD_ITEM.match(line):
            out.append("<li>" + _MD_ITEM.sub("", line) + "</li>")
        elif not line.strip():
            out.append("<br/>")
        else:
            out.append(f"<p>{line}</p>" if "<" not in line else line)
    return "\n".join(out)


def markdown_blocks(body: str) -> list[Block]:
    """Blocks of a markdown body; footnotes come last, as footnote blocks under a
    "Footnotes" heading (claims from them are marked as footnote claims)."""
    body, notes = split_footnotes(body)
    if looks_like_html(body):
        blocks = html_blocks(_md_to_html(body))[1]
    else:
        body = _IMAGE.sub("", body)
        body = _LINK.sub(r"\1", body)
        body = _EMPH.sub(r"\2", body)
        body = _INLINE_TAG.sub("", body)
        body = re.sub(r"^>\s?", "", body, flags=re.M)
        blocks = text_blocks(body, wrapped=False)
    if notes:
        blocks.append(Block(FOOTNOTES_HEADING, "heading"))
        for note in notes:
            text = _EMPH.sub(r"\2", _LINK.sub(r"\1", note))
            blocks.append(Block(" ".join(text.split()), "footnote"))
    return blocks
