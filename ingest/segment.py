"""Sentence segmentation that survives "et al.", "Fig. 3", "e.g." and "(>90%?)"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from spacy.language import Language

ABBREVIATIONS = (
    "al.",
    "Fig.",
    "Figs.",
    "fig.",
    "figs.",
    "Eq.",
    "Eqs.",
    "eq.",
    "Sec.",
    "Secs.",
    "Tab.",
    "Table.",
    "vs.",
    "Vs.",
    "cf.",
    "Cf.",
    "approx.",
    "No.",
    "Nos.",
    "Dr.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Prof.",
    "St.",
    "Jr.",
    "Sr.",
    "Inc.",
    "Ltd.",
    "Co.",
    "Corp.",
    "Vol.",
    "pp.",
    "p.",
    "ca.",
    "resp.",
    "Ch.",
    "Ref.",
    "Refs.",
    "e.g.",
    "i.e.",
    "E.g.",
    "I.e.",
    "U.S.",
    "U.K.",
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "Jun.",
    "Jul.",
    "Aug.",
    "Sep.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
    "est.",
    "min.",
    "max.",
    "avg.",
    "Appx.",
    "App.",
    "Thm.",
    "Lem.",
    "Def.",
)
_ENDS_WITH_ABBREV = re.compile(
    r"(?:\b(?:" + "|".join(re.escape(a) for a in ABBREVIATIONS) + r")|\b[A-Z]\.)$"
)
_STARTS_LOWER = re.compile(r"^[\(\[\"“‘']?[a-z0-9%]")


class Segmenter:
    """spaCy's rule-based sentencizer (no weights) plus abbreviation-aware merging."""

    def __init__(self) -> None:
        self._nlp: Language | None = None

    def _load(self) -> Language:
        if self._nlp is None:
            import spacy
            from spacy.tokenizer import Tokenizer

            nlp = spacy.blank("en")
            tokenizer = cast(Tokenizer, nlp.tokenizer)  # spaCy types it as any callable
            for abbr in ABBREVIATIONS:
                tokenizer.add_special_case(abbr, [{"ORTH": abbr}])
            nlp.add_pipe("sentencizer")
            nlp.max_length = 20_000_000
            self._nlp = nlp
        return self._nlp

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the sentences of `text` (whitespace trimmed)."""
        if not text.strip():
            return []
        raw = [(s.start_char, s.end_char) for s in self._load()(text).sents]
        merged: list[list[int]] = []
        for start, end in raw:
            piece = text[start:end]
            if merged:
                prev = text[merged[-1][0] : merged[-1][1]].rstrip()
                if (
                    _ENDS_WITH_ABBREV.search(prev)
                    or _STARTS_LOWER.match(piece.lstrip())
                    or not re.search(r"[A-Za-z]{2}", piece)
                ):
                    merged[-1][1] = end
                    continue
            merged.append([start, end])
        out: list[tuple[int, int]] = []
        for start, end in merged:
            seg = text[start:end]
            lead = len(seg) - len(seg.lstrip())
            trail = len(seg) - len(seg.rstrip())
            if end - trail > start + lead:
                out.append((start + lead, end - trail))
        return out
