"""What a verdict's reviewer and reason may hold: the same limits for the CLI, files of
verdicts and the API (red-teamed: the CLI stored a 120,000-character reason and failed with a
traceback on bytes that are not UTF-8; the API stored a NUL in a reviewer's name)."""

from __future__ import annotations

import pytest

from app.verdicts import REASON_MAX, check_reason, check_reviewer
from consilience.errors import InvalidInputError


@pytest.mark.parametrize(
    ("reviewer", "why"),
    [
        ("", "needs a reviewer"),
        ("   ", "needs a reviewer"),
        ("ali\udcffce", "not UTF-8"),  # what a terminal in another encoding hands over
        ("a\x00b", "control character"),
        ("two\nlines", "control character"),
        ("x" * 201, "at most 200"),
    ],
)
def test_a_reviewer_that_cannot_be_stored_is_refused_with_why(reviewer: str, why: str) -> None:
    with pytest.raises(InvalidInputError) as exc:
        check_reviewer(reviewer)
    assert why in exc.value.message and exc.value.hint


def test_a_reason_keeps_lines_and_tabs_and_refuses_the_rest() -> None:
    assert check_reason("first\n\tsecond") == "first\n\tsecond"
    assert check_reason("windows\r\nline\rends") == "windows\nline\nends"
    assert check_reviewer("  Dr. Ada Lovelace  ") == "Dr. Ada Lovelace"
    for bad in ("bad \udcff\udcfe", "bell\x07", "x" * (REASON_MAX + 1)):
        with pytest.raises(InvalidInputError):
            check_reason(bad)
