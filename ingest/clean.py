"""Text cleaning shared by all loaders: entities, whitespace, math residue, markers."""

from __future__ import annotations

import html
import re
import unicodedata

MATH_PLACEHOLDER = "[math lost]"

# A run of CSS rules (MathJax CHTML output inlined as text): `selector { decls }` x N. A
# declaration may quote a brace (`content: "{";`, MathJax's glyphs for braces).
_CSS_RULE = r"[^{}\n]{0,300}?\{(?:[^{}\"]|\"[^\"\n]{0,300}\"){0,2000}\}"
_CSS_BLOB = re.compile(rf"(?:\s*(?:mjx-|@font-face|\.mjx|\.MJX){_CSS_RULE})(?:\s*{_CSS_RULE})*")
_FOOTNOTE_REF = re.compile(r"(?<=[\w.,;:)\]”\"'’])\s?\[(\d{1,3})\](?!\()")
_CARET_NOTE = re.compile(r"\^\[?\d{1,3}\]?")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000\u2028\u2029\r\f\v]+")
_LATEX_RESIDUE = re.compile(r"\\(?:frac|mathbb|mathcal|left|right|sum|int)\b")


def strip_math(text: str) -> tuple[str, bool]:
    """Replace inlined MathJax CSS with a visible marker; report whether any was found."""
    new, n = _CSS_BLOB.subn(f" {MATH_PLACEHOLDER} ", text)
    return new, n > 0 or bool(_LATEX_RESIDUE.search(text))


# Inline math dropped before the text reached us (a page saved without its MathJax, a
# transcript of one) leaves its punctuation behind: "a reward equal to , and", "for all such
# that .", "The score bands are: : benign ...", "the (-discounted) coins". One gap after a word
# that introduces a symbol, or after other punctuation, is enough; elsewhere ("right now , and")
# it takes two.
_GAP = r"\s+[,.;:](?=\s|$)"
_SYMBOL_GAP = re.compile(
    r"\b(?:of|to|if|by|is|are|be|that|for|than|and|or|as|at|on|in|with|from|under|over|equal|"
    r"such|where|when|given|all|each|every|some)" + _GAP + r"|[,;:]" + _GAP,
    re.IGNORECASE,
)
_ANY_GAP = re.compile(r"(?<=[\w)\]])" + _GAP + r"|\(-[a-z]")


_AFTER_SYMBOL_WORD = re.compile(r"\b(?:of|at|under|over|by|is)\s*[.,;]")


def dropped_math(sentence: str) -> bool:
    """Whether this sentence reads as one whose inline math was removed (see above)."""
    return bool(_SYMBOL_GAP.search(sentence)) or len(_ANY_GAP.findall(sentence)) >= 2


def lost_math(sentence: str, in_lost_block: bool) -> bool:
    """Whether a claim's sentence lost math: it holds the marker or reads as one whose symbols
    were dropped; in a block already known to have lost some, a symbol word before punctuation
    is enough ("a value of.")."""
    if in_lost_block and (MATH_PLACEHOLDER in sentence or _AFTER_SYMBOL_WORD.search(sentence)):
        return True
    return dropped_math(sentence)


def clean_inline(text: str, *, unescape: bool = True) -> tuple[str, bool]:
    """Normalise one block of text. Returns (clean text, lost_content)."""
    if unescape and "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text, lost = strip_math(text)
    text = _FOOTNOTE_REF.sub("", text)
    text = _CARET_NOTE.sub("", text)
    text = text.replace("\n", " ")
    text = _SPACES.sub(" ", text).strip()
    text = re.sub(rf"(?:{re.escape(MATH_PLACEHOLDER)}\s*)+", MATH_PLACEHOLDER + " ", text).strip()
    return text, lost


def script_counts(text: str) -> dict[str, int]:
    """Letters per script: 'latin', 'cyrillic', 'cjk', 'other'."""
    counts = {"latin": 0, "cyrillic": 0, "cjk": 0, "other": 0}
    for ch in text:
        if not ch.isalpha():
            continue
        o = ord(ch)
        if o < 0x250:
            counts["latin"] += 1
        elif 0x400 <= o < 0x530:
            counts["cyrillic"] += 1
        elif 0x3040 <= o < 0xA000 or 0xAC00 <= o < 0xD7B0:
            counts["cjk"] += 1
        else:
            counts["other"] += 1
    return counts


def dominant_script(text: str) -> str:
    """'latin', 'cyrillic', 'cjk' or 'other' by letter counts."""
    counts = script_counts(text)
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else "other"
