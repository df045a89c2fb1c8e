"""Abbreviation definitions, found from each parenthesis backwards, match the pattern tried
at every position of the text (the former search, kept here as the reference; both use the
same initials check)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.aspects import abbreviations, long_form_of

_REFERENCE = re.compile(r"((?:[A-Za-z][\w-]*[ -]){1,5}[A-Za-z][\w-]*) \(([A-Z][A-Za-z]*[A-Z]s?)\)")


def reference(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _REFERENCE.finditer(text):
        abbr = m.group(2).rstrip("s")
        long_form = long_form_of(abbr, m.group(1))
        if long_form is not None:
            out[abbr.lower()] = long_form
    return out


def test_definitions_in_prose() -> None:
    text = (
        "We run a membership inference attack (MIA) against large language models (LLMs). "
        "Learning from human feedback (HF) is used; the (MIA) again, and "
        "a chain-of-thought (CoT) monitor; but not a bad guess (XYZ)."
    )
    assert abbreviations(text) == {
        "mia": "membership inference attack",
        "llm": "large language model",
        "hf": "human feedback",
        "cot": "chain of thought",
    }
    assert abbreviations(text) == reference(text)


_PIECES = st.sampled_from(
    ["membership", "inference", "attack", "Model", "a", "x1", "é", "_", "-", " ", "  ", ",",
     ".", "(", ")", " (", "MIA", "MIAs", "IA", "(MA)", " (MIA)", " (IA)", " (MAs)", "\n",
     "large-language", "Language", "models", "LM", " (LLM)", " (LM)"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40))
def test_same_as_the_pattern_tried_everywhere(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert abbreviations(text) == reference(text)
