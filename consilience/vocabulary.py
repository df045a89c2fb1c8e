"""The shared vocabulary of findings: one definition, imported by every layer (kg is the
bottom layer, so investigators, calibration, queries, the CLI and the API can all use it)."""

from __future__ import annotations

from enum import StrEnum


class FindingKind(StrEnum):
    """What a finding says about its two sides."""

    CONTRADICTS = "contradicts"
    CONVERGES_WITH = "converges_with"
    RESTATES = "restates"
    DISTORTS = "distorts"
    LINE_DISAGREES = "line_disagrees"  # line against line
    CONCENTRATED = "evidence_concentrated"  # a claim against the one line its support comes from


class FindingStatus(StrEnum):
    """Where a finding is in review."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class ReviewVerdict(StrEnum):
    """What a reviewer may decide."""

    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    REOPENED = "reopened"  # the finding is open again: the earlier verdict no longer counts


class JudgementKind(StrEnum):
    """What the NLI judge concludes about a pair of statements (`consilience judge`)."""

    CONTRADICTS = "contradicts"
    CONVERGES_WITH = "converges_with"
    UNRELATED = "unrelated"


REPORTED_VIEW = "(reported view)"
"""The speaker recorded for a view the text only reports ("some argue that ..."): such a
claim is not asserted by the author, so it is never safety-critical or a contradiction."""
