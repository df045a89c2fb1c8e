"""Which claims are safety-critical: the ones a safety case may rest on."""

from __future__ import annotations

import re

from consilience.vocabulary import REPORTED_VIEW

SAFETY_TERMS = re.compile(
    r"\b(?:schem\w*|misalign\w*|decept\w*|deceiv\w*|monitor\w*|control|shutdown\w*|"
    r"sandbag\w*|reward hack\w*|takeover|catastroph\w*|oversight|safety case|eval\w*|"
    r"CBRN|alignment|corrigib\w*|defer\w*|jailbreak\w*|red[- ]team\w*)\b",
    re.I,
)
CRITICAL_KINDS = frozenset({"finding", "prediction", "recommendation"})


def is_safety_critical(kind: str, text: str, speaker: str | None) -> bool:
    """Findings, predictions and recommendations about safety-relevant behaviour,
    asserted by the author or a named speaker (not a view the text only reports)."""
    return kind in CRITICAL_KINDS and bool(SAFETY_TERMS.search(text)) and speaker != REPORTED_VIEW
