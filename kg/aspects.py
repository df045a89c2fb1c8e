"""Aspects: the key phrases a claim is about, normalised (pure; used at ingest and search).

A phrase is a run of up to four content words between function words or punctuation,
lower-cased, with simple plural folding and abbreviations expanded where the document
defines them ("membership inference attack (MIA)"). Single words count only when long
enough to be specific. Rarity is weighed where they are looked up (graph degree).
"""

from __future__ import annotations

import re

# A character of a language written without spaces between words (kana, CJK ideographs,
# hangul): Lucene makes a term of each, and the judge counts each as a word.
CJK = "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002ebef]"
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’-]*|[.,;:!?()\[\]\"“”]")
STOP = frozenset(
    """a an the and or but nor if then else so of in on at to for from by with without within
    into onto over under about above below between among through during before after than as
    is are was were be been being am do does did done doing have has had having can could may
    might must shall should will would not no never very more most less least much many few
    some any all each every both either neither other another such same own only just also
    even still yet again too quite rather really this that these those there here where when
    what which who whom whose why how it its it's they them their theirs we us our ours i me
    my mine you your yours he him his she her hers one ones new use used using make made makes
    get gets got show shows shown showed find found finds think thinks thought say says said
    like way ways thing things lot lots kind sort well good bad better worse best worst high
    low higher lower large small big often sometimes always usually perhaps probably maybe
    likely unlikely seem seems seemed e.g i.e etc vs via per up out off down just let lets
    want wants need needs go goes going went come comes take takes give gives see seen look
    work works worked first second third two three four five ten however therefore thus
    because since while although though whether already ever enough rather simply actually
    basically generally particularly especially important different similar specific able
    based due result results approach approaches method methods paper papers study studies
    work research propose proposed present presents introduce introduces demonstrate
    demonstrates evaluate evaluated provide provides against alongside back near keep keeping
    bring brings across toward towards despite okay ok yes exactly nothing something anything
    everything everyone someone anyone saying telling tell told ask asked mean means meant
    thanks thank sure literally""".split()
)


def _fold(w: str) -> str:
    w = w.lower().replace("’", "'").strip("'-")
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "'s")):
        return w[:-1]
    return w


# A definition is up to six words (letters, digits, "_" and "-", joined by one space or hyphen)
# right before " (ABBR)". Found from each parenthesis backwards: a regex tried at every word
# of the text (the same pattern with the parenthesis at its end) took 0.3 s on the corpus'
# 0.5 MB research log, a sixth of its parse; these are found in 1.4 ms, with the same result.
_PAREN = re.compile(r" \(([A-Z][A-Za-z]*[A-Z]s?)\)")
_WORDS_BEFORE = re.compile(r"(?:[A-Za-z][\w-]*[ -]){1,5}[A-Za-z][\w-]*\Z")


def abbreviations(text: str) -> dict[str, str]:
    """ABBR -> long form, where the text defines it and the initials match."""
    out: dict[str, str] = {}
    for m in _PAREN.finditer(text):
        end = start = m.start()
        # the words can hold only word characters, spaces and hyphens: the leftmost place
        # they can start is after the last other character
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in " -_"):
            start -= 1
        found = _WORDS_BEFORE.search(text, start, end)  # leftmost start, ending at the "("
        if found is None:
            continue
        abbr = m.group(1).rstrip("s")
        long_form = long_form_of(abbr, found.group(0))
        if long_form is not None:
            out[abbr.lower()] = long_form
    return out


def long_form_of(abbr: str, words_before: str) -> str | None:
    """The long form an abbreviation stands for: the last words before it, one per letter,
    each starting with its letter (folded); None when the initials do not match."""
    words = re.split(r"[ -]", words_before)
    letters = [c.lower() for c in abbr]
    long_ = words[-len(letters) :]
    if len(long_) == len(letters) and all(
        w[:1].lower() == c for w, c in zip(long_, letters, strict=True)
    ):
        return " ".join(_fold(w) for w in long_)
    return None


def aspects(text: str, abbr: dict[str, str] | None = None, limit: int = 12) -> list[str]:
    """Key phrases of one claim, most specific first (longer phrases, then longer words)."""
    abbr = abbr or {}
    runs: list[list[str]] = [[]]
    for tok in _WORD.findall(text):
        w = _fold(tok)
        raw = tok.lower()
        # contractions ("we're", "didn't") and function words are never aspects
        if not w[:1].isalpha() or raw in STOP or w in STOP or len(w) < 2 or "'" in w:
            runs.append([])
            continue
        for part in abbr.get(w, w).split():
            if not runs[-1] or runs[-1][-1] != part:  # "collapse collapse" is one word
                runs[-1].append(part)
    found: set[str] = set()
    for run in runs:
        if not run:
            continue
        if 2 <= len(run) <= 4:
            found.add(" ".join(run))
        for i in range(len(run) - 1):
            found.add(" ".join(run[i : i + 2]))
        found.update(w for w in run if len(w) >= 6)
    return sorted(found, key=lambda p: (-p.count(" "), -len(p), p))[:limit]
