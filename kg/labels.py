"""Numbered labels in a sentence: "Study 3", "benchmark 4", "Table 2", "Experiment #1".

The number after such a word names a thing; it measures nothing. Numbers read it as an
identifier (`ingest.claims.numbers`), and two claims about differently numbered studies,
benchmarks or experiments are about different conditions (`investigators.nli.scope`): "Study 3
measured a latency of 25 ms on benchmark 4" against "Study 5 measured 38 ms on benchmark 3"
is no contradiction, and was called one with "latency: '25' vs '5'".
"""

from __future__ import annotations

import re

# labels of the settings a result was obtained under: different numbers, different conditions
CONDITION_LABELS = (
    "study|experiment|exp|benchmark|suite|task|phase|round|wave|setting|scenario|environment|"
    "condition|group|cohort|seed|run|trial|episode|fold|split"
)
# labels of places in a document: identifiers, but no condition of the result
REFERENCE_LABELS = (
    "table|tab|figure|fig|section|sec|appendix|chapter|equation|eq|lemma|theorem|hypothesis|"
    "part|item|question|problem|example|case|rq|q"
)
# A label is singular and its number whole ("Section 4.1" aside), and no count or ratio
# follows: "runs 5 times faster", "the task 3 times faster", "across all seeds 0.91", "across
# tasks 40 of 50 models" measure something.
_NOT_A_NAME = r"(?!\s*(?:times|x\b|×|%|percent|per\b))"
_BEFORE_CONDITION = re.compile(rf"\b(?:{CONDITION_LABELS})\.?\s*(?:no\.?\s*|#\s*)?$", re.I)
_BEFORE_REFERENCE = re.compile(rf"\b(?:{REFERENCE_LABELS})s?\.?\s*(?:no\.?\s*|#\s*)?$", re.I)
_CONDITION_IDS = re.compile(
    rf"\b(?P<label>{CONDITION_LABELS})\.?\s*(?:no\.?\s*|#\s*)?(?P<id>\d+)\b(?![.,]\d)"
    + _NOT_A_NAME,
    re.I,
)
_AFTER = re.compile(_NOT_A_NAME)  # matched where the number ends


def labelled(sentence: str, start: int, end: int) -> bool:
    """Whether the number at [start, end) names something: after a reference label ("Table 2",
    "Section 4.1"), or a whole number after a condition label ("Study 3", "benchmark #4"),
    with no count or ratio after it ("runs 5 times faster" measures)."""
    before = sentence[max(0, start - 24) : start]
    if not _AFTER.match(sentence, end):
        return False
    if _BEFORE_REFERENCE.search(before):
        return True
    whole = "." not in sentence[start:end] and "," not in sentence[start:end]
    return whole and bool(_BEFORE_CONDITION.search(before))


def condition_ids(sentence: str) -> dict[str, frozenset[str]]:
    """The numbered conditions a sentence names: {"study": {"3"}, "benchmark": {"4"}}."""
    out: dict[str, set[str]] = {}
    for m in _CONDITION_IDS.finditer(sentence):
        out.setdefault(m.group("label").lower(), set()).add(m.group("id"))
    return {k: frozenset(v) for k, v in out.items()}
