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
_LABEL = rf"(?:{CONDITION_LABELS}|{REFERENCE_LABELS})"
# the label right before a number: "Study 3", "benchmark #4", "Fig. 2", "Table No. 5"
_BEFORE = re.compile(rf"\b{_LABEL}s?\.?\s*(?:no\.?\s*|#\s*)?$", re.I)
_CONDITION_IDS = re.compile(
    rf"\b(?P<label>{CONDITION_LABELS})s?\.?\s*(?:no\.?\s*|#\s*)?(?P<id>\d+)\b(?![.,]\d)", re.I
)


def labelled(sentence: str, start: int) -> bool:
    """Whether the number starting at `start` follows a label ("Study 3", "Table 2")."""
    return bool(_BEFORE.search(sentence[max(0, start - 24) : start]))


def condition_ids(sentence: str) -> dict[str, frozenset[str]]:
    """The numbered conditions a sentence names: {"study": {"3"}, "benchmark": {"4"}}."""
    out: dict[str, set[str]] = {}
    for m in _CONDITION_IDS.finditer(sentence):
        out.setdefault(m.group("label").lower(), set()).add(m.group("id"))
    return {k: frozenset(v) for k, v in out.items()}
