"""Minimal pairs: the same statement but for one negation or one opposite word.

Such a pair is a contradiction whatever the NLI model reads (bench/judgement (c)'s
recommendation misses: "should comply" / "should not comply" drew entailment 0.92 one way).
What differs decides it, not how much is shared. Every stretch where the two sides differ
(difflib opcodes over lower-cased words, contractions split into word + "not") must be only
negations, do-support and determiners ("works" / "does not work", "a difference" / "no
difference"), or a word against its opposite ("best" / "worst", "more" / "less"); the flip
must not sit in a condition or a relative clause ("when ...", "if ...", "models that are
...") nor in a clause with a quantifier or modal ("some models ...", "may", "often"); and
there must be exactly one flip: two cancel ("good" / "not bad"), and a converse swaps three
("larger models are better than smaller models" / "smaller models are worse than larger
models"). A changed model name, an added "not only ... but also", a hedge ("it is not clear
whether X" / "X"), a negated epistemic word ("not known to") or a changed condition ("trained
with / without RLHF", "before / after") is no minimal pair either. Pure functions.
"""

from __future__ import annotations

import difflib
import re

from investigators.lexicon import ANTONYMS

_TOKEN = re.compile(r"[\w'-]+|[,;:]")
_BREAK = frozenset({",", ";", ":"})  # clause boundaries, kept as tokens
# the words that negate by being added ("fails" / "works" is an opposite in ANTONYMS)
_NOT = frozenset({"not", "no", "never"})
# dropped from a differing stretch before its words are compared: do-support, determiners and
# punctuation
_FILLER = frozenset({"do", "does", "did", "a", "an", "the", "any"}) | _BREAK
# "not known to" / "not yet established" weakens the evidence; it does not deny the finding
_EPISTEMIC = frozenset(
    {"clear", "known", "certain", "sure", "established", "understood", "proven", "necessarily",
     "obvious", "surprising", "guaranteed", "claim", "claims"}
)  # fmt: skip
_DEGREE = frozenset({"yet", "well", "fully", "entirely", "completely"})  # "not (well) understood"
# a flip after one of these in its clause is in a condition or a relative clause: "deception is
# detected if the probe is (not) calibrated", "models which do (not) ..."
_SUBORDINATE = frozenset(
    {"if", "unless", "when", "whenever", "which", "who", "whose", "where", "while", "once",
     "whether"}
)  # fmt: skip
# a flip in a clause with one of these is under a quantifier, a frequency or a modal: "some of
# the larger models (do not) refuse", "the model may (not) refuse" -- both sides can be true
_SCOPE = frozenset(
    {"some", "many", "several", "sometimes", "often", "occasionally", "may", "might", "could"}
)  # fmt: skip
_COMPARED = frozenset({"more", "less", "most", "least", "as", "how"})  # "refuses more often"
_AUX = frozenset(
    {"is", "are", "was", "were", "be", "been", "has", "have", "had", "do", "does", "did", "can",
     "will", "would", "should", "not", "no", "never"}
)  # fmt: skip
# opposites that change the condition rather than the finding: "sycophancy increases after /
# before RLHF" ("with" / "without" is not in ANTONYMS at all)
_CONDITION_OPPOSITE = frozenset({"before", "after"})
_MIN_SHARED = 2  # words the two sides must share besides what differs
_MIN_STEM = 3  # "used" is not "us" + "ed"


def polar_tokens(text: str) -> list[str]:
    """Lower-cased words and clause punctuation, contractions split: "isn't" -> "is", "not";
    "cannot" -> "can", "not"; "won't" -> "will", "not"."""
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
    if x == y:
        return True
    short, long_ = sorted((x, y), key=len)
    return len(short) >= _MIN_STEM and any(long_ == short + e for e in ("s", "es", "d", "ed"))


def _epistemic_negation(toks: list[str], lo: int, hi: int) -> bool:
    """A negation in toks[lo:hi] directly before an epistemic word ("not (yet) known")."""
    for k in range(lo, hi):
        if toks[k] in _NOT:
            nxt = [t for t in toks[k + 1 : k + 4] if t not in _DEGREE]
            if nxt[:1] and nxt[0] in _EPISTEMIC:
                return True
    return False


def _in_context(toks: list[str], lo: int, hi: int) -> bool:
    """Whether the stretch toks[lo:hi] sits after a subordinating word in its clause, or in a
    clause with a quantifier or modal ("that" followed by a verb, as in "models that are (not)
    fine-tuned", is relative; "we find that models ..." is not)."""
    start = lo
    while start > 0 and toks[start - 1] not in _BREAK:
        start -= 1
    end = hi
    while end < len(toks) and toks[end] not in _BREAK:
        end += 1
    for k in range(start, end):
        if toks[k] in _SCOPE and not (k > 0 and toks[k - 1] in _COMPARED):
            return True
        if k < hi and toks[k] in _SUBORDINATE:
            return True
        if k < hi and toks[k] == "that" and k + 1 < len(toks) and toks[k + 1] in _AUX:
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
        elif _opposite(x, y):
            flips += 1
        else:
            return None
    return flips, matched


def _opposite(x: str, y: str) -> bool:
    """x and y are opposites, inflections of either aside ("degrade" / "improves",
    "improved" / "degraded"), and not ones that change the condition ("before" / "after")."""
    if {x, y} == _CONDITION_OPPOSITE:
        return False
    return any(_same_word(y, o) for o in _opposites_of(x)) or any(
        _same_word(x, o) for o in _opposites_of(y)
    )


def _opposites_of(word: str) -> frozenset[str]:
    """The lexicon's opposites of a word or of the base form it is inflected from."""
    found = ANTONYMS.get(word)
    if found is not None:
        return found
    for e in ("es", "s", "ed", "d"):
        base = word.removesuffix(e)
        if base != word and len(base) >= _MIN_STEM and base in ANTONYMS:
            return ANTONYMS[base]
    return frozenset()


# Opposite changes: "does not improve" / "does not degrade" both hold when nothing changes.
# Evaluative opposites are left out: "would not be a good failsafe" / "would not be a bad
# failsafe" take opposite stances ("not bad" is praise), and so do contradictories ("not
# consistent" / "not inconsistent").
# (only words the lexicon has opposites for)
_CHANGES = frozenset(
    {"improve", "degrade", "worsen", "increase", "decrease", "reduce", "raise", "lower", "rise",
     "fall", "help", "hurt"}
)  # fmt: skip
# "did not increase", "is not a generic increase", "did not lead to a significant increase";
# not across a clause break or a conjunction ("does not help and increases latency")
_NEGATION_REACH = 5
_CONJUNCTIONS = frozenset({"and", "but", "or", "while", "whereas", "yet", "so", "because"})


def _change(word: str) -> bool:
    """An inflection of a verb or noun of change ("improves", "increased")."""
    return any(_same_word(word, c) for c in _CHANGES)


def _negated_change(xa: list[str], xb: list[str], toks: list[str], lo: int) -> bool:
    """One opposite change ("improve" / "degrade") and no negation in the differing stretch,
    with a negation both sides share just before it ("does not improve" / "does not
    degrade")."""
    if any(t in _NOT for t in xa) or any(t in _NOT for t in xb):
        return False
    wa = [t for t in xa if t not in _FILLER]
    wb = [t for t in xb if t not in _FILLER]
    if len(wa) != 1 or len(wb) != 1 or not (_change(wa[0]) and _change(wb[0])):
        return False
    for k in range(lo - 1, max(-1, lo - 1 - _NEGATION_REACH), -1):
        if toks[k] in _NOT:
            return True
        if toks[k] in _BREAK or toks[k] in _CONJUNCTIONS or toks[k] in _SUBORDINATE:
            return False
    return False


def _flips(a: str, b: str) -> tuple[list[tuple[int, bool]], int] | None:
    """([(polarity flips, an opposite change under a negation both sides share) per differing
    stretch that flips anything], words shared), or None when a and b differ in something
    other than negations and opposite words, or one side negates an epistemic word ("not
    known to")."""
    ta, tb = polar_tokens(a), polar_tokens(b)
    stretches: list[tuple[int, bool]] = []
    shared = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        if tag == "equal":
            shared += sum(t not in _BREAK for t in ta[i1:i2])
            continue
        if _epistemic_negation(ta, i1, i2) or _epistemic_negation(tb, j1, j2):
            return None
        stretch = _stretch_flips(ta[i1:i2], tb[j1:j2])
        if stretch is None:
            return None
        if stretch[0]:
            if _in_context(ta, i1, i2) or _in_context(tb, j1, j2):
                return None
            stretches.append((stretch[0], _negated_change(ta[i1:i2], tb[j1:j2], ta, i1)))
        shared += stretch[1]
    return stretches, shared


def minimal_pair(a: str, b: str) -> float:
    """1.0 when a and b are the same statement but for exactly one polarity flip (a negation
    or an opposite word), else 0.0. Opposite changes under a negation both sides share are
    none ("does not improve" / "does not degrade" both hold when nothing changes; red-teamed)."""
    found = _flips(a, b)
    if found is None:
        return 0.0
    stretches, shared = found
    if len(stretches) != 1 or stretches[0][0] != 1 or shared < _MIN_SHARED:
        return 0.0
    return 0.0 if stretches[0][1] else 1.0


def same_polarity(a: str, b: str) -> bool:
    """a and b are the same statement but for flips that cancel within each differing stretch:
    a negated opposite ("does not degrade" / "improves", "is not bad" / "is good") or two
    negations ("never fails" / "does not fail"). The one implies the other, or both can hold:
    never a contradiction (red-teamed: "Fine-tuning does not degrade accuracy." / "Fine-tuning
    improves accuracy." was one at 0.9). Opposite changes under a negation both sides share
    count too ("does not improve" / "does not degrade")."""
    found = _flips(a, b)
    if found is None:
        return False
    stretches, shared = found
    return (
        bool(stretches)
        and shared >= _MIN_SHARED
        and all(n % 2 == 0 or under_not for n, under_not in stretches)
    )


# Relations that do not hold both ways: a strict comparison ("safer than", "more robust than")
# or a verb of ranking. "as ... as" is symmetric, and so are "differs from", "correlates with".
_ASYMMETRIC = frozenset(
    {"than", "outperform", "outperforms", "outperformed", "beat", "beats", "exceed", "exceeds",
     "exceeded", "surpass", "surpasses", "surpassed", "dominate", "dominates", "dominated",
     "precede", "precedes", "preceded"}
)  # fmt: skip


# Frequency, hedge, partial-quantity and reporting words: with one of these both orders can
# hold ("probes rarely outperform SAEs" / "SAEs rarely outperform probes", "on a few
# benchmarks", "prior work claimed"); so can a number ("in 40% of the tasks"). Review.
_HEDGED = frozenset(
    {"rarely", "seldom", "few", "certain", "likely", "unlikely", "probably", "possibly",
     "usually", "generally", "typically", "sometimes", "occasionally", "partly", "partially",
     "claimed", "claim", "claims", "reported", "reports", "suggest", "suggests", "suggested",
     "argue", "argues", "argued", "believe", "believes", "believed", "think", "thinks",
     "thought", "found", "find", "finds", "appear", "appears", "seem", "seems"}
)  # fmt: skip


def swapped_pair(a: str, b: str) -> float:
    """1.0 when b is a with the two things an asymmetric relation compares exchanged and
    nothing else changed ("Probes outperform SAEs on deception detection." / "SAEs outperform
    probes on deception detection."), else 0.0. Red-teamed: the model reads such a pair as
    entailment both ways (the same words), and the judge called it a strong convergence. Not
    when either side negates, hedges or quantifies anything ("X does not beat Y" and "Y does
    not beat X" can both hold), nor when the relation sits in a condition or a relative clause,
    nor with "as" in the relation ("as good as" holds both ways). A converse ("larger models
    are better than smaller ones" / "smaller models are worse than larger ones") changes a
    word too: no swapped pair."""
    ta, tb = polar_tokens(a), polar_tokens(b)
    if ta == tb or sorted(ta) != sorted(tb):
        return 0.0
    if any(t in _NOT or t in _SCOPE or t in _HEDGED or t.isdigit() for t in ta):
        return 0.0
    if " at least " in f" {' '.join(ta)} ":
        return 0.0
    n = len(ta)
    i = 0
    while ta[i] == tb[i]:
        i += 1
    j = 0
    while ta[n - 1 - j] == tb[n - 1 - j]:
        j += 1
    ma, mb = ta[i : n - j], tb[i : n - j]
    m = len(ma)
    for x in range(1, m - 1):
        for y in range(1, m - x):
            left, mid, right = ma[:x], ma[x : m - y], ma[m - y :]
            if mb != right + mid + left or left == right:
                continue
            if not any(t in _ASYMMETRIC for t in mid) or "as" in mid:
                continue
            if any(t in _BREAK for t in mid) or _in_context(ta, i, n - j):
                continue
            return 1.0
    return 0.0
