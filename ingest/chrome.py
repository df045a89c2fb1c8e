"""Page chrome (navigation, sharing buttons, reader-app text) in any language."""

from __future__ import annotations

import re

from ingest.clean import script_counts
from ingest.document import Block

# Exact UI strings seen on saved pages (GitHub, RSS readers, capture tools).
CHROME_LINES = frozenset(
    s.casefold()
    for s in (
        "Skip to content",
        "Instantly share code, notes, and snippets.",
        "Show Gist options",
        "Select an option",
        "Copy link",
        "Author",
        "Discuss",
        "Sign in",
        "Sign up",
        "Download ZIP",
        "Embed",
        "Share",
        "Clone via HTTPS",
        "Raw",
        "Star",
        "Fork",
        "Load earlier comments...",
        "Reply",
        "Subscribe",
        "Log in",
        "Menu",
        "Search",
        "Вы здесь",
        "Страницы",
        "Главная",
        "Поиск",
        "Войти",
        "Подписаться",
        "Full Content",
        "Analysis Checklist",
        "Related",
    )
)
CHROME_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^Sign up for free to join this conversation",
        r"^Already have an account\?",
        r"^Save \S+ to your computer and use it in GitHub Desktop\.?$",
        r"^Подписка на ",
        r"^Обновлено: ",
        r"^@[\w-]+$",
        r"^\[[ xX]\] ",
        r"^Created [A-Z][a-z]+ \d{1,2}, \d{4}",
        r"^Published on .{0,60}(GMT|UTC)",
        r"^(?:Share|Tweet|Print|Email) this",
        r"^\d+ (?:comments?|replies|likes)$",
        r"^Обновлено",
        r"^A community blog devoted to refining the art of rationality$",
    )
)


def is_chrome_text(text: str, doc_script: str = "latin") -> bool:
    t = text.strip()
    if not t:
        return True
    if t.casefold() in CHROME_LINES:
        return True
    if any(p.search(t) for p in CHROME_PATTERNS):
        return True
    # A block in a script other than the document's is reader/app chrome (e.g. Chinese
    # capture-tool notes on an English post, Russian reader UI around English posts).
    counts = script_counts(t)
    letters = sum(counts.values()) or 1
    return any(counts[sc] / letters >= 0.3 and sc != doc_script for sc in ("cjk", "cyrillic"))


def drop_chrome(blocks: list[Block], doc_script: str = "latin") -> list[Block]:
    """Remove chrome blocks, then headings left with nothing after them."""
    kept = [b for b in blocks if not is_chrome_text(b.text, doc_script)]
    while kept and kept[-1].kind == "heading":
        kept.pop()
    return kept
