"""The CLI says when an update derived confidences it did not write (confidence update,
source retraction)."""

from __future__ import annotations

from calibration.updater import UpdateReport
from cli.calibration import superseded_note


def test_nothing_said_when_everything_was_written() -> None:
    r = UpdateReport(computed=4, changed=2, mode="retraction", derived=4, superseded=0)
    assert superseded_note(r) == ""


def test_superseded_writes_are_counted_and_explained() -> None:
    r = UpdateReport(computed=4, changed=2, mode="retraction", derived=4, superseded=3)
    note = superseded_note(r)
    assert note.startswith(" 3 not written")
    assert "concurrent update" in note and "removed meanwhile" in note
