"""HTML pages (and HTML fragments) to blocks, dropping scripts, styles and page chrome."""

from __future__ import annotations

import re
from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from consilience.errors import UnsupportedInputError
from ingest.clean import clean_inline
from ingest.document import Block, BlockKind

SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "nav",
        "header",
        "footer",
        "form",
        "button",
        "iframe",
        "select",
        "head",
        "object",
        "embed",
        "canvas",
        "input",
        "textarea",
        "mjx-container",
        "mjx-assistive-mml",
    }
)
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "table",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "section",
        "article",
        "main",
        "aside",
        "figure",
        "figcaption",
        "dl",
        "dt",
        "dd",
        "hr",
        "body",
        "html",
        "details",
        "summary",
        "address",
        "center",
    }
    | HEADING_TAGS
)
_BACKREF = re.compile(r"\s*↩︎?\s*$")


def _is_footnote_ref(node: LexborNode) -> bool:
    attrs = node.attributes
    if node.tag == "span" and "data-footnote-reference" in attrs:
        return True
    if node.tag == "sup":
        a = node.css_first("a")
        href = (a.attributes.get("href") or "") if a else ""
        return href.startswith("#fn") or bool(re.fullmatch(r"\s*\[?\d{1,3}\]?\s*", node.text()))
    if node.tag == "a":
        cls = attrs.get("class") or ""
        return "footnote-backref" in cls
    return False


def _is_footnote_item(node: LexborNode) -> bool:
    attrs = node.attributes
    return node.tag == "li" and (
        "data-footnote-item" in attrs or (attrs.get("id") or "").startswith("fn")
    )


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.kind: BlockKind = "paragraph"
        self.math_lost = False

    def flush(self) -> None:
        raw = "".join(self.buf)
        self.buf.clear()
        if self.kind == "footnote":
            raw = _BACKREF.sub("", raw)
        text, lost = clean_inline(raw, unescape=False)
        if text:
            kind = self.kind
            self.blocks.append(Block(text=text, kind=kind, lost_content=lost or self.math_lost))
        self.math_lost = False

    def walk(self, root: LexborNode) -> None:
        """Depth-first, with an explicit stack: a page nested thousands of levels deep (hostile
        or machine-made) must not hit Python's recursion limit."""
        # each frame: the children left, and the kind to restore on leaving a block element
        # (None: an inline element, nothing to restore on exit)
        stack: list[tuple[Iterator[LexborNode], BlockKind | None]] = [
            (iter(root.iter(include_text=True)), None)
        ]
        while stack:
            children, restore = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if restore is not None:  # leaving a block element
                    self.flush()
                    self.kind = restore
                continue
            tag = child.tag
            if tag == "-text":
                self.buf.append(child.text_content or "")
            elif tag in ("mjx-container", "math"):
                self.buf.append(" [math lost] ")
                self.math_lost = True
            elif tag in SKIP_TAGS or tag == "-comment" or _is_footnote_ref(child):
                continue
            elif tag == "br":
                self.buf.append(" ")
            elif tag in BLOCK_TAGS:
                outer = self.kind
                self.flush()
                if tag in HEADING_TAGS:
                    self.kind = "heading"
                elif _is_footnote_item(child):
                    self.kind = "footnote"
                elif tag == "li" and outer != "footnote":
                    self.kind = "list_item"
                elif tag in ("td", "th", "tr"):
                    self.kind = "table"
                stack.append((iter(child.iter(include_text=True)), outer))
            else:
                stack.append((iter(child.iter(include_text=True)), None))


# Pages that are mostly markup (inline scripts, styles, SVG, data: images) are slimmed before
# the DOM is built: a 60 MB page otherwise took 2.25 GB to parse. What remains must fit.
SLIM_ABOVE_CHARS = 2_000_000
MAX_MARKUP_CHARS = 20_000_000
_BULK = re.compile(
    r"<(script|style|svg|noscript|template|math)\b[^>]*>.*?</\1\s*>|<!--.*?-->"
    r"|(?:src|href)\s*=\s*[\"']data:[^\"']*[\"']",
    re.IGNORECASE | re.DOTALL,
)


def slim(markup: str) -> str:
    """Drop the regions the walker skips anyway (scripts, styles, SVG, comments, data: URIs)."""
    return _BULK.sub(" ", markup) if len(markup) > SLIM_ABOVE_CHARS else markup


def html_blocks(markup: str) -> tuple[str | None, list[Block]]:
    """Parse HTML; return (the <title> if any, blocks in document order)."""
    markup = slim(markup)
    if len(markup) > MAX_MARKUP_CHARS:
        raise UnsupportedInputError(
            f"The page has {len(markup):,} characters of markup after scripts and styles are "
            f"removed (limit {MAX_MARKUP_CHARS:,}).",
            "Save the page as PDF or plain text, or split it.",
        )
    tree = LexborHTMLParser(markup)
    title_node = tree.css_first("title")
    title = clean_inline(title_node.text(), unescape=False)[0] if title_node else None
    root = tree.body or tree.root
    walker = _Walker()
    if root is not None:
        walker.walk(root)
        walker.flush()
    return title or None, walker.blocks


def looks_like_html(text: str) -> bool:
    head = text[:5000].lower()
    if "<!doctype html" in head or "<html" in head:
        return True
    return len(re.findall(r"</?(?:p|div|span|a|li|ul|h[1-6]|br)\b", text[:200_000], re.I)) >= 5
