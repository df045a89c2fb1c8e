"""A number after a label names a thing; differently numbered conditions are no contradiction.

Red-teamed: "Study 3 measured a latency of 25 ms on benchmark 4 of suite 3." against "Study 5
measured a latency of 38 ms on benchmark 3 of suite 5." was called a contradiction on
"latency: '25' vs '5'" (suite 5 read as a latency), and 22,269 of 22,272 candidate pairs of 20
such files were called contradictions.
"""

from __future__ import annotations

from ingest.claims.numbers import extract_numbers
from investigators.nli.judge import Side, evidence_of
from investigators.nli.scope import scope_difference
from kg.labels import condition_ids, labelled

A = "Study 3 measured a latency of 25 ms on benchmark 4 of suite 3."
B = "Study 5 measured a latency of 38 ms on benchmark 3 of suite 5."


def test_numbers_after_a_label_are_identifiers() -> None:
    assert [(q.text, q.unit) for q in extract_numbers(A)] == [("25 ms", "ms")]
    text = "Table 2 and Fig. 3 (Section 4.1, Experiment #2) report 85% accuracy."
    assert [q.text for q in extract_numbers(text)] == ["85%"]
    # a unit after the number, or no label before it, keeps it a measurement
    assert [q.text for q in extract_numbers("We ran 3 seeds on 12 layers in 4 GB.")] == [
        "3 seeds", "12 layers", "4 GB",
    ]  # fmt: skip
    text = "results on benchmark 4 and a latency of 25"
    assert labelled(text, 21, 22) and not labelled(text, 40, 42)
    # a count or ratio after it, a plural, or a decimal after a condition label: a measurement
    for text, kept in (
        ("The new kernel runs 5 times faster than the baseline.", ["5"]),
        ("Agents finish the task 3 times faster.", ["3"]),
        ("Accuracy across all seeds 0.91 vs 0.85.", ["0.91", "0.85"]),
        ("Across tasks 40 of 50 models failed.", ["40", "50"]),
        ("Seed 3 reached 70% accuracy.", ["70%"]),
    ):
        assert [q.text for q in extract_numbers(text)] == kept, text


def test_condition_ids_are_read_by_label() -> None:
    assert condition_ids(A) == {
        "study": frozenset({"3"}), "benchmark": frozenset({"4"}), "suite": frozenset({"3"}),
    }  # fmt: skip
    assert condition_ids("Table 2 shows it.") == {}  # a place in the paper, not a condition
    assert condition_ids("In Experiments 1 and Experiment 2.5 we ...") == {}  # plural; decimal
    assert condition_ids("Experiment #2 and Exp. 3, then run 4") == {
        "experiment": frozenset({"2"}), "exp": frozenset({"3"}), "run": frozenset({"4"}),
    }  # fmt: skip
    # "runs 5 times faster" vs "runs 2 times faster" is a contradiction, not two runs
    assert (
        scope_difference(
            "The new kernel runs 5 times faster than the baseline.",
            "The new kernel runs 2 times faster than the baseline.",
        )
        is None
    )


def test_differently_numbered_conditions_are_a_scope_difference() -> None:
    assert scope_difference(A, B) == "different benchmarks: benchmark 4 vs benchmark 3"
    # the same study: no scope difference from the labels
    same = "Study 3 measured a latency of 40 ms on benchmark 4 of suite 3."
    assert scope_difference(A, same) is None
    # and the values then compare as one quantity, unit and all
    ev = evidence_of(Side(A, extract_numbers(A)), Side(same, extract_numbers(same)))
    assert any(n == "number: latency: '25 ms' vs '40 ms'" for n in ev.notes)


def test_the_red_team_pair_is_no_contradiction() -> None:
    from investigators.nli.judge import JudgeParams, decide
    from investigators.nli.model import NLIScores

    read = NLIScores(entailment=0.0, neutral=0.0, contradiction=1.0)  # as the model read it
    j = decide(Side(A, extract_numbers(A)), Side(B, extract_numbers(B)), read, read,
               JudgeParams.load())  # fmt: skip
    assert j.kind != "contradicts"
    assert "different conditions (different benchmarks: benchmark 4 vs benchmark 3)" in j.evidence
