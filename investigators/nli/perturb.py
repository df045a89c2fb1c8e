"""Injected flaws and controls: a real claim rewritten into a labelled NLI pair.

Each family is a pure function ``claim -> rewritten claim | None`` (None when it does not
apply). Contradiction families: negation, antonym, comparative swap, signed change,
changed number, existence negation, quantifier flip, reversed recommendation. Controls
(never a contradiction): faithful paraphrase, hedge added, scope change (the same finding
on another model, dataset or year: neutral). Used to make domain training pairs and, on
claims of other documents, the injected-flaw benchmark.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

ENTAILMENT, NEUTRAL, CONTRADICTION = "entailment", "neutral", "contradiction"

_AUX = re.compile(
    r"\b(is|are|was|were|can|will|does|do|did|should|would|could|has|have|had|must)\b(?! not)"
)
_NOT = re.compile(r"\b(is|are|was|were|can|will|does|do|did|should|would|could|has|have)\s+not\b")
_NT = {
    "isn't": "is",
    "aren't": "are",
    "doesn't": "does",
    "don't": "do",
    "didn't": "did",
    "won't": "will",
    "can't": "can",
    "cannot": "can",
    "wasn't": "was",
    "weren't": "were",
    "shouldn't": "should",
}
ANTONYMS = {
    "increases": "decreases",
    "increase": "decrease",
    "improves": "worsens",
    "improve": "worsen",
    "likely": "unlikely",
    "strong": "weak",
    "helps": "hurts",
    "safe": "unsafe",
    "possible": "impossible",
    "useful": "useless",
    "important": "unimportant",
    "good": "bad",
    "high": "low",
    "success": "failure",
    "succeed": "fail",
    "succeeds": "fails",
    "works": "fails",
    "work": "fail",
    "easy": "hard",
    "true": "false",
    "robust": "fragile",
    "reliable": "unreliable",
    "effective": "ineffective",
    "feasible": "infeasible",
    "necessary": "unnecessary",
    "sufficient": "insufficient",
    "accurate": "inaccurate",
    "consistent": "inconsistent",
    "prevents": "causes",
    "removes": "preserves",
    "mitigate": "worsen",
    "mitigates": "worsens",
}
COMPARATIVES = {
    "more": "less",
    "less": "more",
    "higher": "lower",
    "lower": "higher",
    "better": "worse",
    "worse": "better",
    "larger": "smaller",
    "smaller": "larger",
    "faster": "slower",
    "slower": "faster",
    "greater": "smaller",
    "fewer": "more",
    "outperforms": "underperforms",
    "underperforms": "outperforms",
    "above": "below",
    "below": "above",
    "stronger": "weaker",
    "weaker": "stronger",
    "easier": "harder",
    "harder": "easier",
    "best": "worst",
    "most": "least",
}
QUANTIFIERS = {
    "all": "no",
    "every": "no",
    "most": "few",
    "always": "never",
    "never": "always",
    "many": "few",
    "none": "all",
    "some": "no",
    "often": "rarely",
    "rarely": "often",
}
PARAPHRASE = {
    "shows": "demonstrates",
    "show": "demonstrate",
    "large": "big",
    "use": "employ",
    "uses": "employs",
    "important": "significant",
    "because": "since",
    "method": "approach",
    "results": "findings",
    "help": "assist",
    "get": "obtain",
    "big": "large",
    "think": "believe",
    "find": "observe",
    "found": "observed",
    "very": "highly",
    "about": "roughly",
    "often": "frequently",
    "can": "is able to",
    "quickly": "rapidly",
    "main": "primary",
    "hard": "difficult",
    "need": "require",
    "needs": "requires",
}
_HEDGES = (
    "It is possible that ",
    "It may be that ",
    "Some evidence suggests that ",
    "Perhaps ",
    "We tentatively think that ",
)
_MODELS = (
    "GPT-4o",
    "Llama-3-70B",
    "Claude 3 Opus",
    "Qwen2.5-7B",
    "Gemini 1.5 Pro",
    "Mistral-7B",
    "OLMo-2-13B",
    "Pythia-1.4B",
)
_SETTINGS = (
    ("On the WMDP benchmark", "On the MMLU benchmark"),
    ("For models below 1B parameters", "For models above 100B parameters"),
    ("In 2023", "In 2026"),
    ("In the English subset", "In the multilingual subset"),
    ("In the with-goal setting", "In the no-goal setting"),
    ("For image classifiers", "For language models"),
    ("On in-distribution prompts", "On out-of-distribution prompts"),
)
_MODEL_NAME = re.compile(
    r"\b(?:GPT-?\d[\w.-]*|Claude[\w .-]*?\d(?:\.\d)?|Llama[\w.-]*|Qwen[\w.-]*|"
    r"Gemini[\w .]*?\d(?:\.\d)?|"
    r"Opus \d(?:\.\d)?|Sonnet \d(?:\.\d)?|Haiku \d(?:\.\d)?|Kimi[\w .-]*|Mistral[\w.-]*)"
)
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w.]*\d)")
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_SIGNED = re.compile(
    r"(\d+(?:\.\d+)?\s*(?:%|percent|percentage points|x|×|times))\s+(more|less|higher|lower|"
    r"fewer|better|worse|faster|slower)\b",
    re.I,
)
_CHANGE = re.compile(r"\b(increased|decreased|rose|fell|grew|dropped)\b", re.I)
_CHANGE_FLIP = {
    "increased": "decreased",
    "decreased": "increased",
    "rose": "fell",
    "fell": "rose",
    "grew": "shrank",
    "dropped": "rose",
}


def _sub_word(s: str, table: dict[str, str], rng: random.Random) -> str | None:
    hits = [m for m in re.finditer(r"\b[\w'-]+\b", s) if m.group(0).lower() in table]
    if not hits:
        return None
    m = rng.choice(hits)
    w = m.group(0)
    new = table[w.lower()]
    if w[0].isupper():
        new = new[0].upper() + new[1:]
    return s[: m.start()] + new + s[m.end() :]


def negate(s: str, rng: random.Random) -> str | None:
    """Insert or remove a sentential negation."""
    m = _NOT.search(s)
    if m:
        return s[: m.start()] + m.group(1) + s[m.end() :]
    for nt, pos in _NT.items():
        hit = re.search(rf"\b{re.escape(nt)}\b", s, re.I)
        if hit:
            return s[: hit.start()] + pos + s[hit.end() :]
    m = _AUX.search(s)
    return s[: m.end()] + " not" + s[m.end() :] if m else None


def antonym(s: str, rng: random.Random) -> str | None:
    return _sub_word(s, ANTONYMS, rng)


def comparative(s: str, rng: random.Random) -> str | None:
    return _sub_word(s, COMPARATIVES, rng)


def signed_change(s: str, rng: random.Random) -> str | None:
    """'15% more useful' -> '11% less useful'; 'increased' -> 'decreased'."""
    m = _SIGNED.search(s)
    if m:
        flipped = COMPARATIVES.get(m.group(2).lower(), m.group(2))
        return s[: m.start(2)] + flipped + s[m.end(2) :]
    m = _CHANGE.search(s)
    if m:
        new = _CHANGE_FLIP[m.group(1).lower()]
        return s[: m.start()] + new + s[m.end() :]
    return None


def changed_number(s: str, rng: random.Random) -> str | None:
    nums = [m for m in _NUMBER.finditer(s) if not _YEAR.fullmatch(m.group(1))]
    if not nums:
        return None
    m = rng.choice(nums)
    v = float(m.group(1))
    new = v * rng.choice((0.2, 0.4, 2.5, 4.0)) if v else 7.0
    txt = f"{new:.1f}".rstrip("0").rstrip(".") if "." in m.group(1) or new % 1 else str(int(new))
    if txt == m.group(1):
        return None
    return s[: m.start()] + txt + s[m.end() :]


def existence(s: str, rng: random.Random) -> str | None:
    """'X exhibits Y' -> 'We found no evidence that x exhibits Y'."""
    if s.rstrip().endswith("?") or len(s) < 20:
        return None
    body = s.rstrip(" .")
    body = body[0].lower() + body[1:] if body[:2].istitle() and not body[:2].isupper() else body
    return rng.choice(("We found no evidence that ", "There is no evidence that ")) + body + "."


def quantifier(s: str, rng: random.Random) -> str | None:
    return _sub_word(s, QUANTIFIERS, rng)


def recommendation(s: str, rng: random.Random) -> str | None:
    """Reverse advice: 'should' -> 'should not', 'use X, not Y' -> 'use Y, not X'."""
    m = re.search(r"\b([\w-]+), not ([\w-]+)\b", s)
    if m:
        return s[: m.start()] + f"{m.group(2)}, not {m.group(1)}" + s[m.end() :]
    m = re.search(r"\b(should|must|recommend|safest|best)\b", s, re.I)
    if not m:
        return None
    w = m.group(1).lower()
    swap = {
        "should": "should not",
        "must": "must not",
        "recommend": "advise against",
        "safest": "most dangerous",
        "best": "worst",
    }[w]
    return s[: m.start()] + swap + s[m.end() :]


def paraphrase(s: str, rng: random.Random) -> str | None:
    out, n = s, 0
    for w, o in PARAPHRASE.items():
        if re.search(rf"\b{w}\b", out) and rng.random() < 0.7:
            out = re.sub(rf"\b{w}\b", o, out, count=1)
            n += 1
    if not n:
        return None
    return out


def hedge_added(s: str, rng: random.Random) -> str | None:
    if len(s) < 20:
        return None
    body = s[0].lower() + s[1:] if s[:2].istitle() and not s[:2].isupper() else s
    return rng.choice(_HEDGES) + body


def scope_change(s: str, rng: random.Random) -> tuple[str, str] | None:
    """Both sides rewritten: the same finding under different conditions (neutral)."""
    m = _MODEL_NAME.search(s)
    if m:
        other = rng.choice([x for x in _MODELS if x not in m.group(0)])
        return s, s[: m.start()] + other + s[m.end() :]
    y = _YEAR.search(s)
    if y:
        return s, s[: y.start()] + str(int(y.group(0)) + rng.choice((-3, -2, 2, 3))) + s[y.end() :]
    a, b = rng.choice(_SETTINGS)
    body = s[0].lower() + s[1:] if s[:2].istitle() and not s[:2].isupper() else s
    return f"{a}, {body}", f"{b}, {body}"


Family = Callable[[str, random.Random], str | None]
CONTRADICTION_FAMILIES: dict[str, Family] = {
    "negation": negate,
    "antonym": antonym,
    "comparative": comparative,
    "signed change": signed_change,
    "changed number": changed_number,
    "existence": existence,
    "quantifier": quantifier,
    "recommendation": recommendation,
}
CONTROL_FAMILIES: dict[str, Family] = {"paraphrase": paraphrase, "hedge added": hedge_added}


@dataclass(frozen=True)
class Perturbed:
    premise: str
    hypothesis: str
    label: str
    family: str


def perturb(claim: str, rng: random.Random) -> list[Perturbed]:
    """Every family that applies to this claim, as labelled pairs (premise = original)."""
    out: list[Perturbed] = []
    for name, fn in CONTRADICTION_FAMILIES.items():
        new = fn(claim, rng)
        if new and new != claim:
            out.append(Perturbed(claim, new, CONTRADICTION, name))
    para = paraphrase(claim, rng)
    if para and para != claim:
        out.append(Perturbed(claim, para, ENTAILMENT, "paraphrase"))
    hedged = hedge_added(claim, rng)
    if hedged:
        out.append(Perturbed(claim, hedged, ENTAILMENT, "hedge added"))
    scoped = scope_change(claim, rng)
    if scoped:
        out.append(Perturbed(scoped[0], scoped[1], NEUTRAL, "scope change"))
    return out
