"""Structured numbers in a sentence; model names and identifiers are not measurements."""

from __future__ import annotations

import re
from typing import TypeGuard, get_args

from kg.labels import labelled
from kg.models import Comparator, Quantity

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_NUMBER = re.compile(
    r"(?P<cmp>>>|<<|>=|<=|≥|≤|>|<|~|≈|\b(?i:about|around|approximately|roughly|over|under|"
    r"at least|at most|up to|no more than|not more than|no less than|not less than|"
    r"no fewer than|more than|less than|fewer than|greater than|higher than|larger than|"
    r"lower than|smaller than|above|below|exceeding|exceeds|exceeded|exceed|in excess of|"
    r"upwards of|nearly|almost)\s+)?\s*"
    r"(?P<cur>[$£€])?(?P<num>" + _NUM + r")"
    r"(?:\s*(?:-|–|—|to)\s*[$£€]?(?P<num2>" + _NUM + r"))?"
    r"(?P<unit>\s*(?:%|×|x\b|X\b|percentage points|percent|pp\b|k\b|K\b|M\b|B\b|bn\b|"
    r"billion|million|thousand|trillion|Wh\b|W\b|Ah\b|Pa\b|lb\b|ms\b|milliseconds?|GB\b|MB\b|TB\b|"
    r"hours?|days?|weeks?|months?|years?|minutes?|seconds?|steps|tokens|prompts|samples|"
    r"trajectories|rollouts|accounts|countries|layers?|seeds|orders of magnitude|"
    r"standard deviations?|FLOP|flop|/5))?"
    r"(?P<hedge>\s*\?)?"
)
_MEASURES = (
    "AUROC",
    "pAUROC",
    "AUC",
    "ROC AUC",
    "accuracy",
    "precision",
    "recall",
    "F1",
    "cost",
    "faster",
    "slower",
    "speed",
    "probability",
    "chance",
    "rate",
    "success",
    "lead time",
    "sandbag",
    "refus",
    "sycophan",
    "misalignment",
    "variance",
    "correlation",
    "USEFULNESS",
    "NEUTRALITY",
    "shutdown",
    "GDP",
    "growth",
    "training",
    "compute",
    "parameters",
    "layer",
    "performance",
    "score",
    "error",
    "latency",
    "throughput",
    "tax",
    "price",
    "runtime",
)
_ILLUSTRATIVE = re.compile(
    r"\b(?:e\.g\.|for example|for instance|say,|suppose|imagine|hypothetical(?:ly)?|"
    r"would prefer|if we|such as)(?!\w)",
    re.I,
)
_MEASURE_RE = re.compile("|".join(re.escape(m) for m in _MEASURES), re.I)
_CMP_MAP = {
    "≥": ">=",
    "≤": "<=",
    "≈": "~",
    "about": "~",
    "around": "~",
    "approximately": "~",
    "roughly": "~",
    "nearly": "~",
    "almost": "~",
    "over": ">",
    "more than": ">",
    "greater than": ">",
    "higher than": ">",
    "larger than": ">",
    "above": ">",
    "exceeding": ">",
    "exceeds": ">",
    "exceeded": ">",
    "exceed": ">",
    "in excess of": ">",
    "upwards of": ">",
    "under": "<",
    "less than": "<",
    "fewer than": "<",
    "lower than": "<",
    "smaller than": "<",
    "below": "<",
    "at least": ">=",
    "no less than": ">=",
    "not less than": ">=",
    "no fewer than": ">=",
    "at most": "<=",
    "up to": "<=",
    "no more than": "<=",
    "not more than": "<=",
}


# a negation just before a bound in words ("did not exceed", "never above", "isn't over")
_NEGATED = re.compile(r"(?i)\b(?:not|never|n't|no longer)\s+$|n't\s+$")
_FLIPPED: dict[str, Comparator] = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}


def _is_identifier(sentence: str, start: int, end: int) -> bool:
    before = sentence[max(0, start - 1) : start]
    after = sentence[end : end + 1]
    if before and (before.isalpha() or before in "_/#@"):
        return True  # Qwen3, GPT-5 handled below, v2, #171
    if before == "-" and start >= 2 and sentence[start - 2].isalnum():
        return True  # Qwen3-32B, GPT-5.4, N-1
    if before == "." and start >= 2 and sentence[start - 2].isdigit():
        return True
    # 8B-Instruct, 2.5-Pro style names
    return bool(
        (after and (after.isalpha() and after not in "xXkKMB%"))
        or (
            after in ("-",)
            and sentence[end + 1 : end + 2].isalpha()
            and sentence[end + 1 : end + 2].isupper()
        )
    )


def _is_comparator(s: str) -> TypeGuard[Comparator]:
    return s in get_args(Comparator)


def _to_float(s: str) -> float:
    return float(s.replace(",", ""))


def extract_numbers(sentence: str) -> list[Quantity]:
    out: list[Quantity] = []
    illustrative_from = None
    im = _ILLUSTRATIVE.search(sentence)
    if im:
        illustrative_from = im.start()
    for m in _NUMBER.finditer(sentence):
        num_start, num_end = m.span("num")
        if _is_identifier(sentence, num_start, num_end):
            continue
        if m.group("num2") is None and _is_identifier(sentence, num_start, m.end("num")):
            continue
        if (
            m.group("num2") is None
            and not m.group("unit")
            and labelled(sentence, num_start, num_end)
        ):
            continue  # "Study 3", "benchmark 4", "Table 2": a name, not a measurement
        value = _to_float(m.group("num"))
        unit = (m.group("unit") or "").strip() or None
        if m.group("cur"):
            unit = m.group("cur") + (unit or "")
        if (
            unit is None
            and m.group("num2") is None
            and 1900 <= value <= 2100
            and "." not in m.group("num")
        ):
            measured = "year"
        else:
            measured = None
        raw_cmp = (m.group("cmp") or "").strip().lower()
        mapped = _CMP_MAP.get(raw_cmp, raw_cmp or "=")
        cmp: Comparator = mapped if _is_comparator(mapped) else "="
        if raw_cmp and _NEGATED.search(sentence, 0, m.start("cmp")):
            # "never exceeded 5%", "was not above 80%": the bound is the other way (review)
            cmp = _FLIPPED.get(cmp, cmp)
        if measured is None:
            window = sentence[max(0, m.start() - 60) : m.end() + 40]
            mm = _MEASURE_RE.search(window)
            measured = mm.group(0).lower() if mm else None
        start = (
            m.start("cmp") if m.group("cmp") else (m.start("cur") if m.group("cur") else num_start)
        )
        out.append(
            Quantity(
                text=sentence[start : m.end()].strip(),
                value=value,
                value_max=_to_float(m.group("num2")) if m.group("num2") else None,
                unit=unit,
                comparator=cmp,
                measured=measured,
                illustrative=illustrative_from is not None and m.start() > illustrative_from,
                hedged=bool(m.group("hedge")),
                start=start,
            )
        )
    return out
