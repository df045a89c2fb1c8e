"""Minimal pairs: the same statement but for one negation or one opposite word.

Such a pair is a contradiction whatever the NLI model reads (bench/judgement (c)'s
recommendation misses: "should comply" / "should not comply" drew entailment 0.92 one way).
What differs decides it, not how much is shared: every stretch where the two sides differ
(difflib opcodes over lower-cased words, contractions split into word + "not") must be only
negations, do-support and determiners ("works" / "does not work", "a difference" / "no
difference"), or a word against its opposite ("best" / "worst", "more" / "less"), and there
must be exactly one such flip: two cancel ("good" / "not bad"), and a converse swaps three
("larger models are better than smaller models" / "smaller models are worse than larger
models"). A changed model name, an added "not only ... but also", a hedge ("it is not clear
whether X" / "X") or a negated epistemic word ("not known to") is not a minimal pair either.
Pure functions.
"""

from __future__ import annotations

import difflib
import re

from investigators.lexicon import ANTONYMS

_TOKEN = re.compile(r"[\w'-]+")
# the words that negate by being added ("fails", "lacks", "without" are words with opposites)
_NOT = frozenset({"not", "no", "never"})
# dropped from a differing stretch before its words are compared: do-support and determiners
_FILLER = frozenset({"do", "does", "did", "a", "an", "the", "any", "some"})
# "not known to" / "not yet established" weakens the evidence; it does not deny the finding
_EPISTEMIC = frozenset({"clear", "known", "certain", "sure", "established", "understood", "proven"})
_MIN_SHARED = 2  # words the two sides must share besides what differs


def polar_tokens(text: str) -> list[str]:
    """Lower-cased words with contractions split: "isn't" -> "is", "not"; "cannot" -> "can",
    "not"; "won't" -> "will", "not"."""
    out: list[str] = []
    for t in _TOKEN.findall(text.lower().replace("’", "'")):
        if t in ("cannot", "can't"):
            out += ["can", "not"]
        elif t == "won't":
            out += ["will", "not"]
        elif t.endswith("n't") and len(t) > 3:
            out += [t[:-3], "not"]
        else:
            out.append(t)
    return out


def _stem(w: str) -> str:
    for suffix in ("es", "ed", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 2:
            return w[: -len(suffix)]
    return w


def _epistemic_negation(toks: list[str], lo: int, hi: int) -> bool:
    """A negation in toks[lo:hi] directly before an epistemic word ("not (yet) known")."""
    for k in range(lo, hi):
        if toks[k] in _NOT:
            nxt = toks[k + 1 : k + 3]
            if nxt[:1] == ["yet"]:
                nxt = nxt[1:]
            if nxt[:1] and nxt[0] in _EPISTEMIC:
                return True
    return False


def _stretch_flips(xa: list[str], xb: list[str]) -> tuple[int, int] | None:
    """(polarity flips, words matched) in one differing stretch, or None when it differs in
    something other than negation or one opposite word."""
    negations = sum(t in _NOT for t in xa) + sum(t in _NOT for t in xb)
    wa = [t for t in xa if t not in _NOT and t not in _FILLER]
    wb = [t for t in xb if t not in _NOT and t not in _FILLER]
    if len(wa) != len(wb):
        return None
    flips, matched = negations, 0
    for x, y in zip(wa, wb, strict=True):
        if _stem(x) == _stem(y):
            matched += 1
        elif y in ANTONYMS.get(x, frozenset()):
            flips += 1
        else:
            return None
    return flips, matched


def minimal_pair(a: str, b: str) -> float:
    """1.0 when a and b are the same statement but for exactly one polarity flip (a negation
    or an opposite word), else 0.0."""
    ta, tb = polar_tokens(a), polar_tokens(b)
    flips, shared = 0, 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        if tag == "equal":
            shared += i2 - i1
            continue
        if _epistemic_negation(ta, i1, i2) or _epistemic_negation(tb, j1, j2):
            return 0.0
        stretch = _stretch_flips(ta[i1:i2], tb[j1:j2])
        if stretch is None:
            return 0.0
        flips += stretch[0]
        shared += stretch[1]
    return 1.0 if flips == 1 and shared >= _MIN_SHARED else 0.0
