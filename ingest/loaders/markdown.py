"""Markdown (and text with YAML front matter, whose body may be HTML)."""

from __future__ import annotations

import re

import yaml

from ingest.document import Block
from ingest.loaders.html import html_blocks, looks_like_html
from ingest.loaders.text import text_blocks

_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_ITEM = re.compile(r"^\s*[-*]\s+")
_EMPH = re.compile(r"(\*\*|__|`)(.+?)\1")


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    m = _FRONT.match(text)
    if not m:
        return {}, text
    try:
        meta = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        meta = None
    return (meta if isinstance(meta, dict) else {}), text[m.end() :]


def _md_to_html(body: str) -> str:
    """Markdown scaffolding around an HTML body: headings and quote markers to HTML."""
    out = []
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
    if looks_like_html(body):
        return html_blocks(_md_to_html(body))[1]
    body = _IMAGE.sub("", body)
    body = _LINK.sub(r"\1", body)
    body = _EMPH.sub(r"\2", body)
    body = re.sub(r"^>\s?", "", body, flags=re.M)
    return text_blocks(body, wrapped=False)
