"""`consilience investigate` and `consilience findings ...` (thin over investigators/queries)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from consilience.errors import ConsilienceError
from consilience.services import Services
from investigators.runner import RunReport
from queries.findings import FindingRow

findings_app = typer.Typer(help="Review what the investigators found.", no_args_is_help=True)


def run_investigation(svc: Services, everything: bool, console: Console) -> RunReport:
    from investigators.registry import preset
    from investigators.runner import Runner

    svc.claim_index().sync(svc.driver())
    runner = Runner(svc.driver(), svc.claim_index(), preset("offline"))
    with Progress(
        TextColumn("Investigating"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("inv", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = runner.run(everything=everything, on_progress=on_progress)
    if not svc.settings.anthropic_api_key:
        report.skipped.append("LLM adjudicator: ANTHROPIC_API_KEY is not set (offline only)")
    return report


def render_finding(console: Console, f: FindingRow, n: int | None = None) -> None:
    head = f"{n}. " if n is not None else ""
    ind = {True: "independent", False: "dependent", None: "independence unknown"}[f.independent]
    who_a = f" — {f.a.speaker}" if f.a.speaker else ""
    who_b = f" — {f.b.speaker}" if f.b.speaker else ""
    body = (
        f"[bold]A[/] “{f.a.quote}”{who_a}\n   [dim]{f.a.source_title} · "
        f"{Path(f.a.source_path or '').name}[/]\n"
        f"[bold]B[/] “{f.b.quote}”{who_b}\n   [dim]{f.b.source_title} · "
        f"{Path(f.b.source_path or '').name}[/]\n"
        f"[italic]{f.rationale.split('. A:')[0].split('. Summary:')[0]}[/]\n"
        f"[dim]{ind} ({f.independence_reason or '—'}) · {f.investigator}@{f.version} · "
        f"{f.status} · id {f.id}[/]"
    )
    console.print(Panel(body, title=f"{head}{f.kind} {f.score:.2f}", title_align="left"))


@findings_app.command("list")
def findings_list(
    kind: Annotated[str | None, typer.Option(help="contradicts, converges_with, ...")] = None,
    status: Annotated[str | None, typer.Option(help="open, confirmed, dismissed")] = None,
    min_score: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.0,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List findings, highest score first."""
    from consilience.cli import _fail, _services, console
    from queries.findings import list_findings

    svc = _services()
    try:
        page = list_findings(
            svc.driver(), kind=kind, status=status, min_score=min_score, limit=limit
        )
    except ConsilienceError as exc:
        _fail(exc)
    finally:
        svc.close()
    if as_json:
        sys.stdout.write(page.model_dump_json(indent=2) + "\n")
        return
    if not page.items:
        console.print("No findings match. Run `consilience investigate` first?")
    for i, f in enumerate(page.items, 1):
        render_finding(console, f, i)


@findings_app.command("show")
def findings_show(finding_id: str) -> None:
    """Show one finding with both quotes and its rationale."""
    from consilience.cli import _fail, _services, console
    from queries.findings import get_finding

    svc = _services()
    try:
        f = get_finding(svc.driver(), finding_id)
    except ConsilienceError as exc:
        _fail(exc)
    finally:
        svc.close()
    render_finding(console, f)
    console.print(f.rationale)


def _verdict(finding_id: str, verdict: str, reviewer: str, reason: str) -> None:
    from consilience.cli import _fail, _services, console
    from queries.findings import record_verdict

    svc = _services()
    try:
        f = record_verdict(svc.driver(), finding_id, verdict, reviewer, reason)  # type: ignore[arg-type]
    except ConsilienceError as exc:
        _fail(exc)
    finally:
        svc.close()
    console.print(f"Finding {f.id} is now {f.status} (by {f.reviewer}: {f.review_reason}).")


@findings_app.command("confirm")
def findings_confirm(
    finding_id: str,
    reviewer: Annotated[str, typer.Option(help="Who is confirming")],
    reason: Annotated[str, typer.Option(help="Why")] = "",
) -> None:
    """Confirm a finding (a human verdict)."""
    _verdict(finding_id, "confirmed", reviewer, reason)


@findings_app.command("dismiss")
def findings_dismiss(
    finding_id: str,
    reviewer: Annotated[str, typer.Option(help="Who is dismissing")],
    reason: Annotated[str, typer.Option(help="Why")] = "",
) -> None:
    """Dismiss a finding (a human verdict)."""
    _verdict(finding_id, "dismissed", reviewer, reason)


@findings_app.command("export")
def findings_export(
    fmt: Annotated[str, typer.Option("--format", help="jsonl")] = "jsonl",
    output: Annotated[Path | None, typer.Option("-o", help="File (default stdout)")] = None,
) -> None:
    """Export every finding, one JSON object per line."""
    from consilience.cli import _fail, _services
    from queries.findings import export_record, list_findings

    if fmt != "jsonl":
        _fail(ConsilienceError(f"Unknown format {fmt!r}.", "Use --format jsonl."))
    svc = _services()
    out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        cursor = None
        while True:
            page = list_findings(svc.driver(), limit=500, cursor=cursor)
            for f in page.items:
                out.write(json.dumps(export_record(f), ensure_ascii=False) + "\n")
            if not page.next_cursor:
                break
            cursor = page.next_cursor
    except ConsilienceError as exc:
        _fail(exc)
    finally:
        svc.close()
        if output:
            out.close()
