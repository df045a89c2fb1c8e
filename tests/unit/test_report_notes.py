"""The main report says how far the offline judge's scores can be trusted, beside them."""

from __future__ import annotations

import pytest

from app.report import JudgeReliability, judge_reliability, varied_top
from cli.report import judge_note
from consilience.vocabulary import FindingKind
from queries.models import FindingRow, FindingSide


def _row(investigator: str) -> FindingRow:
    side = FindingSide(claim_id="c", quote="q")
    return FindingRow(
        id="f", kind=FindingKind.CONTRADICTS, score=0.22, status="open", rationale="r",
        investigator=investigator, version="1", a=side, b=side,
    )  # fmt: skip


def test_the_note_follows_the_calibration_auc_of_each_kind() -> None:
    judge = JudgeReliability(
        investigator="nli-judge", fitted_on="real pairs", auc_contradiction=0.495,
        auc_convergence=0.69,
    )  # fmt: skip
    mine = [_row("nli-judge")]
    contra = judge_note(judge, FindingKind.CONTRADICTS, mine)
    assert "no better than chance" in contra and "AUC 0.49" in contra and "real pairs" in contra
    assert "weakly" in judge_note(judge, FindingKind.CONVERGES_WITH, mine)
    assert judge_note(judge, FindingKind.RESTATES, mine) == ""  # no score to caution about
    assert judge_note(judge, FindingKind.CONTRADICTS, [_row("llm-adjudicator")]) == ""
    assert judge_note(None, FindingKind.CONTRADICTS, mine) == ""
    good = judge.model_copy(update={"auc_contradiction": 0.91})
    assert judge_note(good, FindingKind.CONTRADICTS, mine) == ""
    # the audited calls of an earlier main job, when the fit has them
    read = judge.model_copy(update={"audit_contradiction": (0, 20), "audit_convergence": (2, 20)})
    contra = judge_note(read, FindingKind.CONTRADICTS, mine)
    assert "Of 20 such calls" in contra and "0 were contradictions" in contra
    conv = judge_note(read, FindingKind.CONVERGES_WITH, mine)
    assert "2 were convergences or restatements" in conv
    assert "such calls" not in judge_note(judge, FindingKind.CONTRADICTS, mine)
    assert "level of their own" not in contra
    structural = [*mine, _row("nli-judge").model_copy(update={"cues": ["negation", "structural"]})]
    assert "Not so for the 1 shown" in judge_note(read, FindingKind.CONTRADICTS, structural)


def test_the_shipped_fit_is_read() -> None:
    shipped = judge_reliability()
    assert shipped.investigator == "nli-judge" and "real_pairs" in shipped.fitted_on
    assert shipped.auc_contradiction is not None and 0.0 <= shipped.auc_contradiction <= 1.0
    # the shipped maps were set to the audited calls: their counts come with them, as fitted
    import json

    from investigators.nli.model import MODEL_DIR

    fit = json.loads((MODEL_DIR / "judge.json").read_text())["audit"]
    for kind, audited in (
        ("contradiction", shipped.audit_contradiction),
        ("convergence", shipped.audit_convergence),
    ):
        assert audited is not None and audited == (fit[kind]["right"], fit[kind]["calls"])
        assert 0 <= audited[0] <= audited[1] and audited[1] >= 5


def test_the_investigation_paragraph_shows_warnings_and_claims_left_unchecked() -> None:
    """`consilience investigate` printed neither: Claude's unanswered questions were silent."""
    from io import StringIO

    from rich.console import Console

    from cli.report import render_investigation
    from investigators.runner import RunReport

    out = StringIO()
    report = RunReport(
        claims_checked=3,
        left_unchecked=2,
        candidate_pairs=4,
        findings={},
        lines=1,
        warnings=["Claude gave no usable answer to 1 of 1 question(s)"],
        findings_withdrawn=5,
        contradictions_folded=2,
        rechecked=3,
        version_changes=["nli-judge: fit-1 → fit-2"],
    )
    render_investigation(Console(file=out, width=200), report)
    text = out.getvalue()
    assert "3 claim(s) checked before by other versions of the investigators are checked " in text
    assert "(nli-judge: fit-1 → fit-2)" in text
    assert "2 claims left unchecked" in text
    assert "warning: Claude gave no usable answer to 1 of 1" in text
    assert "5 unreviewed findings made by another version" in text
    assert "2 unreviewed contradictions filed before beside a summary's distortion" in text
    quiet = StringIO()
    calm = report.model_copy(
        update={"findings_withdrawn": 0, "contradictions_folded": 0, "rechecked": 0}
    )
    render_investigation(Console(file=quiet, width=200), calm)
    assert "withdrawn" not in quiet.getvalue() and "checked before" not in quiet.getvalue()


def _between(fid: str, a: str, b: str) -> FindingRow:
    return FindingRow(
        id=fid, kind=FindingKind.CONTRADICTS, score=0.04, status="open", rationale="r",
        investigator="nli-judge", version="1",
        a=FindingSide(claim_id=a, quote=a), b=FindingSide(claim_id=b, quote=b),
    )  # fmt: skip


def test_the_report_shows_each_claim_once_among_the_top_findings() -> None:
    """One misread claim was on 7 of a run's 22 contradictions, three of them in the top five:
    the top shows five different claims' findings, in score order, and falls back to repeats
    only when there are not enough others."""
    ranked = [
        _between("f1", "hub", "x1"),
        _between("f2", "hub", "x2"),
        _between("f3", "y1", "y2"),
        _between("f4", "x3", "hub"),
        _between("f5", "z1", "z2"),
        _between("f6", "y2", "w1"),
        _between("f7", "w2", "w3"),
        _between("f8", "v1", "v2"),
    ]
    assert [f.id for f in varied_top(ranked)] == ["f1", "f3", "f5", "f7", "f8"]
    # not enough findings on new claims: the best repeats fill the list, still in score order
    assert [f.id for f in varied_top(ranked[:4])] == ["f1", "f2", "f3", "f4"]
    assert [f.id for f in varied_top(ranked[:4], n=3)] == ["f1", "f2", "f3"]
    assert varied_top([]) == []
    dismissed = _between("f0", "d1", "d2").model_copy(update={"status": "dismissed"})
    confirmed = _between("f9", "c1", "c2").model_copy(update={"status": "confirmed"})
    assert [f.id for f in varied_top([dismissed, confirmed, *ranked[:2]])] == ["f9", "f1", "f2"]


def test_the_main_report_says_new_claims_only_when_none_was_checked_again() -> None:
    """After an upgrade the main report counted every re-checked claim as a "new claim"."""
    from io import StringIO

    from rich.console import Console

    from app.ingest import IngestResult
    from cli.report import _render_investigation_section
    from investigators.runner import RunReport

    def section(rechecked: int) -> str:
        out = StringIO()
        run = RunReport(
            claims_checked=9, candidate_pairs=30, findings={}, lines=2, rechecked=rechecked,
            version_changes=["nli-judge: fit-1 → fit-2"] if rechecked else [],
        )  # fmt: skip
        _render_investigation_section(
            Console(file=out, width=200), IngestResult(outcomes=[], investigation=run)
        )
        return out.getvalue()

    fresh, upgraded = section(0), section(7)
    assert "Checked 9 new claims against the graph" in fresh and "checked before" not in fresh
    assert "Checked 9 claims against the graph" in upgraded
    assert "7 claim(s) checked before by other versions" in upgraded and "fit-1 → fit-2" in upgraded


def test_line_level_findings_are_current_counts_not_new_ones() -> None:
    """Red-teamed: every `investigate` printed "Checked 0 claims ... New findings: 839
    line_disagrees", though the count stayed 839: line-level findings are recomputed."""
    from io import StringIO

    from rich.console import Console

    from cli.report import render_investigation
    from investigators.runner import RunReport

    out = StringIO()
    report = RunReport(
        claims_checked=0, candidate_pairs=0, findings={}, lines=3,
        line_findings={"line_disagrees": 839, "evidence_concentrated": 7},
    )  # fmt: skip
    render_investigation(Console(file=out, width=300), report)
    text = out.getvalue()
    assert "New findings: none. Line-level findings now (recomputed each run): 7 " in text
    assert "evidence_concentrated, 839 line_disagrees." in text


def test_ctrl_c_ends_a_command_with_what_to_do_not_silently(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Red-teamed: SIGINT mid-ingest exited 130 and printed nothing."""
    import typer

    from cli.support import INTERRUPTED, command_services

    with pytest.raises(typer.Exit) as ended, command_services():
        raise KeyboardInterrupt
    assert ended.value.exit_code == 130
    said = " ".join(capsys.readouterr().err.split())
    assert said.startswith("interrupted: what finished before Ctrl-C is kept")
    assert "run the command again to finish." in said and said.endswith(INTERRUPTED.split()[-1])


def test_a_removed_file_shows_no_counts_only_what_went() -> None:
    """Red-teamed: `forget` listed each removed file with "0" sources and "0" claims."""
    from rich.console import Console

    from cli.report import render_outcomes
    from ingest.pipeline import IngestOutcome

    console = Console(record=True, width=200)
    render_outcomes(
        console,
        [
            IngestOutcome(path="/d/a.md", status="removed", superseded=2, warnings=["gone"]),
            IngestOutcome(path="/d/b.md", status="ingested", sources=1, claims=7),
        ],
    )
    lines = console.export_text().splitlines()
    removed = next(line for line in lines if "a.md" in line)
    assert " 0 " not in removed and "—" in removed and "2 sources removed" in removed
    assert " 7 " in next(line for line in lines if "b.md" in line)
