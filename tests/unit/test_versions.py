"""What a run says when it checks claims again because the investigators changed."""

from __future__ import annotations

from investigators.versions import parse_preset, recheck_note, version_changes

JUDGE = "nli-judge@12+nli-minilm-l6@7828af1ea747+exit3@{}:1ef3c366+fit-7a80a934"
OLD = JUDGE.format("0.977") + ",summary-distortion@1"
NEW = JUDGE.format("0.987") + ",summary-distortion@1"


def test_a_preset_splits_at_the_first_at_sign_of_each_investigator() -> None:
    assert parse_preset(NEW) == {
        "nli-judge": "12+nli-minilm-l6@7828af1ea747+exit3@0.987:1ef3c366+fit-7a80a934",
        "summary-distortion": "1",
    }
    assert parse_preset("") == {}


def test_only_the_parts_of_a_version_that_differ_are_named() -> None:
    assert version_changes([OLD, OLD], NEW) == [
        "nli-judge: exit3@0.977:1ef3c366 → exit3@0.987:1ef3c366"
    ]
    assert version_changes([NEW], NEW) == []
    assert version_changes([], NEW) == []


def test_added_removed_and_wholly_different_investigators() -> None:
    changes = version_changes(["nli-judge@11,cue-contradiction@3", "nli-judge@12"], NEW)
    rest = "nli-minilm-l6@7828af1ea747+exit3@0.987:1ef3c366+fit-7a80a934"
    assert changes == [  # cue-contradiction, no longer run, is no cause: not named
        f"nli-judge: (none) → {rest}",  # from "12": only the parts it lacked are new
        f"nli-judge: 11 → 12+{rest}",  # no part in common: both versions whole
        "summary-distortion: new",
    ]


def test_the_note_counts_the_claims_and_names_the_changes() -> None:
    note = recheck_note(5217, ["nli-judge: exit3@0.977 → exit3@0.987"])
    assert note.startswith("5,217 claim(s) checked before by other versions")
    assert "(nli-judge: exit3@0.977 → exit3@0.987)" in note
    assert "later runs check only new claims" in note
    assert "(their versions differ)" in recheck_note(3, [])
