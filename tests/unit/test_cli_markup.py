"""Text from documents, file names and errors is printed as written, never read as Rich markup.

Red-teamed: a quote with "[/INST]" (common in jailbreak papers) raised rich's MarkupError in
`search`, `findings list|show`, `review`, `confidence` and `case evaluate`; "[brackets]" in a
file name vanished from the ingest table as an unknown style.
"""

from __future__ import annotations

import pytest
import typer
from rich.console import Console

from cli.report import render_context, render_finding, render_hits, render_outcomes
from cli.report_calibration import render_claim_confidence, render_confidences
from cli.support import fail
from consilience.errors import ConsilienceError
from consilience.vocabulary import FindingKind
from ingest.pipeline import IngestOutcome
from queries.models import (
    ClaimConfidence,
    ClaimHit,
    ConfidenceRow,
    ConfidenceSnapshotRow,
    FindingRow,
    FindingSide,
)

QUOTE = "wrapping the request in [INST] and [/INST] tags raises success to 80%"
STYLED = "a [bold red]loud[/bold red] title"
FILE = "/data/name with spaces & [brackets].md"


def _console() -> Console:
    return Console(record=True, width=400, color_system=None)


def _side(quote: str) -> FindingSide:
    return FindingSide(
        claim_id="clm_1", quote=quote, speaker="[Ann]", source_id="src_1", source_title=STYLED,
        source_path=FILE, section="Results [2]", context=f"before. {QUOTE}. after [/x]",
        source_authors=["[Bob]"], source_date="2024",
    )  # fmt: skip


def test_a_finding_and_its_context_show_the_quotes_as_written() -> None:
    f = FindingRow(
        id="fnd_1", kind=FindingKind.CONTRADICTS, score=0.4, status="open",
        rationale="NLI contradiction [/INST] 0.9", investigator="nli-judge", version="1",
        independence_reason="no [shared] author", a=_side(QUOTE), b=_side("[b]plain[/b]"),
    )  # fmt: skip
    out = _console()
    render_finding(out, f, 1)
    render_context(out, f)
    text = out.export_text()
    shown = (QUOTE, STYLED, "name with spaces & [brackets].md", "[b]plain[/b]", "[Ann]",
             "[/INST] 0.9", "no [shared] author", "Results [2]", "after [/x]", "[Bob]")  # fmt: skip
    for expected in shown:
        assert expected in text, expected


def test_search_hits_and_no_hits_show_the_text_as_written() -> None:
    hit = ClaimHit(
        claim_id="clm_1", quote=QUOTE, score=0.8, match="both", kind="finding", hedge="none",
        start=3, end=70, source_id="src_1", source_title=STYLED, source_path=FILE,
    )  # fmt: skip
    out = _console()
    render_hits(out, "INST tags", [hit])
    render_hits(out, "[/]", [])
    text = out.export_text()
    assert QUOTE in text and STYLED in text and "[brackets].md" in text and "[3:70]" in text
    assert "No claims match '[/]'." in text


def test_the_ingest_table_keeps_brackets_in_file_names_and_notes() -> None:
    outcome = IngestOutcome(
        path=FILE, status="failed", error="cannot read [/x]", hint="see [docs]",
        warnings=["[bold]kept[/bold]"],
    )  # fmt: skip
    out = _console()
    render_outcomes(out, [outcome])
    text = out.export_text()
    # the table folds long cells: compare without the folds
    flat = "".join(text.split())
    for shown in ("namewithspaces&[brackets].md", "cannotread[/x]", "see[docs]", "[bold]kept"):
        assert shown in flat, shown


def test_confidences_show_quotes_and_history_as_written() -> None:
    row = ConfidenceRow(claim_id="clm_1", quote=QUOTE, source_id="s", source_title=STYLED, p=0.6,
                        low=0.4, high=0.8)  # fmt: skip
    detail = ClaimConfidence(
        **row.model_dump(), derivation=["prior [finding]"],
        history=[ConfidenceSnapshotRow(at="2026-12-07T00:00:00", p=0.5, low=0.3, high=0.7,
                                       reason="verdict [/x]")],
    )  # fmt: skip
    out = _console()
    render_confidences(out, [row], "t")
    render_claim_confidence(out, detail)
    text = out.export_text()
    flat = "".join(text.split())
    assert "".join(QUOTE.split()) in flat and "".join(STYLED.split()) in flat
    assert "prior [finding]" in text and "verdict [/x]" in text


def test_an_error_naming_a_bracketed_path_is_printed_whole(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(typer.Exit):
        fail(ConsilienceError("cannot read /d/[/x].md", "rename [/x].md"))
    err = capsys.readouterr().err
    assert "cannot read /d/[/x].md" in err and "rename [/x].md" in err


def test_a_finding_claude_answered_says_so_and_names_the_model() -> None:
    """The human output never said "Claude": a finding of the LLM adjudicator read
    `llm-adjudicator@…` alone."""
    f = FindingRow(
        id="fnd_2", kind=FindingKind.CONTRADICTS, score=0.95, status="open", rationale="r",
        investigator="llm-adjudicator", version="3", model="claude-[x]", a=_side(QUOTE),
        b=_side("b"),
    )  # fmt: skip
    out = _console()
    render_finding(out, f)
    assert "llm-adjudicator@3 (answered by Claude, claude-[x])" in out.export_text()
    out = _console()
    render_finding(out, f.model_copy(update={"investigator": "nli-judge", "model": "nli"}))
    assert "Claude" not in out.export_text()
