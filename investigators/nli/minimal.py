"""Minimal pairs: the same statement but for one negation or one opposite word.

Such a pair is a contradiction whatever the NLI model reads (bench/judgement (c)'s
recommendation misses: "should comply" / "should not comply" drew entailment 0.92 one way).
What differs decides it, not how much is shared: every stretch where the two sides differ
(difflib opcodes over lower-cased words, contractions split into word + "not") must be only
negations, do-support and determiners ("works" / "does not work", "a difference" / "no
difference"), or a word against its opposite ("best" / "worst", "more" / "less"), outside a
condition, a relative clause, a quantifier or a modal ("when ...", "models that are ...",
"some models ...", "may"), and there must be exactly one such flip: two cancel ("good" /
"not bad"), and a converse swaps three ("larger models are better than smaller models" /
"smaller models are worse than larger models"). A changed model name, an added "not only ...
but also", a hedge ("it is not clear whether X" / "X"), a negated epistemic word ("not known
to") or a changed condition ("trained with / without RLHF", "before / after") is not a minimal
pair either.
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
_FILLER = frozenset({"do", "does", "did", "a", "an", "the", "any"})
# "not known to" / "not yet established" weakens the evidence; it does not deny the finding
_EPISTEMIC = frozenset(
    {"clear", "known", "certain", "sure", "established", "understood", "proven", "necessarily",
     "obvious", "surprising", "guaranteed", "claim", "claims"}
)  # fmt: skip
_DEGREE = frozenset({"yet", "well", "fully", "entirely", "completely"})  # "not (well) understood"
# a flip within a few words after one of these is in a condition, a relative clause or under a
# quantifier or modal: "when the probe is (not) ...", "models which do (not) ...", "some models
# (do not) refuse", "the model may (not) refuse" -- both sides can be true
_CONTEXT = frozenset(
    {"if", "unless", "when", "whenever", "which", "who", "whose", "where", "while", "once",
     "whether", "some", "many", "several", "sometimes", "often", "occasionally", "may",
     "might", "could"}
)  # fmt: skip
_AUX = frozenset(
    {"is", "are", "was", "were", "be", "been", "has", "have", "had", "do", "does", "did", "can",
     "will", "would", "should", "not", "no", "never"}
)  # fmt: skip
# opposites that change the condition rather than the finding: "trained with / without RLHF",
# "sycophancy increases after / before RLHF"
_CONDITION_OPPOSITES = (frozenset({"with", "without"}), frozenset({"before", "after"}))
_WINDOW = 3
# a sentence opening with one of these has its condition up to the first comma
_SUBORDINATORS = frozenset(
    {"if", "when", "whenever", "unless", "while", "once", "although", "though", "because",
     "since", "after", "before", "whereas"}
)  # fmt: skip
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


def _same_word(x: str, y: str) -> bool:
    """The same word, or one inflected from the other ("improves" / "improve", "removed" /
    "remove"): do-support moves the inflection ("works" / "does not work")."""
    return x == y or any(x == y + e or y == x + e for e in ("s", "es", "d", "ed"))


def _epistemic_negation(toks: list[str], lo: int, hi: int) -> bool:
    """A negation in toks[lo:hi] directly before an epistemic word ("not (yet) known")."""
    for k in range(lo, hi):
        if toks[k] in _NOT:
            nxt = [t for t in toks[k + 1 : k + 4] if t not in _DEGREE]
            if nxt[:1] and nxt[0] in _EPISTEMIC:
                return True
    return False


def _opening_clause(text: str, toks: list[str]) -> int:
    """How many words an opening subordinate clause ("When the probe is calibrated, ...")
    spans, else 0."""
    if "," in text and toks and toks[0] in _SUBORDINATORS:
        return len(polar_tokens(text.split(",", 1)[0]))
    return 0


def _in_context(toks: list[str], lo: int, hi: int) -> bool:
    """Whether the stretch toks[lo:hi], or the few words before it, is under a condition, a
    relative clause, a quantifier or a modal (`_CONTEXT`; "that" followed by a verb, as in
    "models that are (not) fine-tuned", is relative; "we find that models ..." is not)."""
    start = max(0, lo - _WINDOW)
    for k in range(start, hi):
        if toks[k] in _CONTEXT:
            return True
        if toks[k] == "that" and k + 1 < len(toks) and toks[k + 1] in _AUX:
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
        if _same_word(x, y):
            matched += 1
        elif y in ANTONYMS.get(x, frozenset()) and {x, y} not in _CONDITION_OPPOSITES:
            flips += 1
        else:
            return None
    return flips, matched


def minimal_pair(a: str, b: str) -> float:
    """1.0 when a and b are the same statement but for exactly one polarity flip (a negation
    or an opposite word), else 0.0."""
    ta, tb = polar_tokens(a), polar_tokens(b)
    opening_a, opening_b = _opening_clause(a, ta), _opening_clause(b, tb)
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
        if stretch[0] and (
            _in_context(ta, i1, i2) or _in_context(tb, j1, j2) or i1 < opening_a or j1 < opening_b
        ):
            return 0.0
        flips += stretch[0]
        shared += stretch[1]
    return 1.0 if flips == 1 and shared >= _MIN_SHARED else 0.0
