"""`consilience topics list|show` and `consilience candidates export`."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.files import output_file, write_text
from cli.markup import lit
from cli.support import command_services, console, err

topics_app = typer.Typer(help="Topics: the questions claims answer.", no_args_is_help=True)
candidates_app = typer.Typer(help="Candidate pairs shown to the judge.", no_args_is_help=True)


@topics_app.command("list")
def topics_list(
    min_sources: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="At least this many sources")
    ] = 2,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 30,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Topics with claims from several sources, most sources first."""
    from queries.topics import list_topics

    with command_services() as svc:
        page = list_topics(svc.graph(), min_sources=min_sources, limit=limit)
    if as_json:
        console.print_json(page.model_dump_json())
        return
    t = Table(title=f"Topics with claims from ≥{min_sources} sources")
    for col in ("id", "topic", "sources", "claims", "contradicted claims"):
        t.add_column(col)
    for r in page.items:
        t.add_row(
            lit(r.id), lit(r.label), str(r.n_sources), str(r.n_claims), str(r.n_contradiction_sides)
        )
    console.print(t)


@topics_app.command("show")
def topics_show(
    topic_id: Annotated[str, typer.Argument(help="A topic id from `topics list`")],
    per_source: Annotated[int, typer.Option(min=1, max=50)] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Who says what on a topic: each source's claims, then findings among them."""
    from queries.topics import topic_positions

    with command_services() as svc:
        d = topic_positions(svc.graph(), topic_id, per_source=per_source)
    if as_json:
        console.print_json(d.model_dump_json())
        return
    console.print(f"[bold]{lit(d.label)}[/]  ({lit(d.id)})")
    for p in d.positions:
        console.print(f"\n[bold cyan]{lit(p.source_title)}[/]  ({lit(p.source_id)})")
        for c in p.claims:
            conf = f" [{c.confidence:.2f}]" if c.confidence is not None else ""
            console.print(f"  • {lit(c.text)}  [dim]{lit(f'{c.id}{conf}')}[/]")
    if d.findings:
        console.print("\n[bold]Findings on this topic[/]")
        for f in d.findings:
            console.print(
                f"  {f.kind} {f.score or 0:.2f}: “{f.a_text[:90]}” / “{f.b_text[:90]}”",
                markup=False,
            )


class ExportFormat(StrEnum):
    jsonl = "jsonl"


@candidates_app.command("export")
def candidates_export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="Output format")
    ] = ExportFormat.jsonl,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default stdout)")] = None,
) -> None:
    """The candidate pairs the judge saw in the last `investigate` run (one JSON object per
    line: a and b with id, quote, source title and path; channels with scores; fused rank)."""
    from app.investigate import candidates_log_path
    from investigators.runner import candidates_log_unfinished

    if out is not None:
        output_file(out)
    with command_services() as svc:
        log = candidates_log_path(svc)
    if not log.exists():
        err.print("No candidates recorded yet: run `consilience investigate` (or `run`) first.")
        raise typer.Exit(code=1)
    del fmt  # one format today; the option keeps the command stable when more come
    text = log.read_text(encoding="utf-8")
    if candidates_log_unfinished(log).exists():  # a stopped run's part was copied as a whole
        err.print(
            "[yellow]The last `investigate` run stopped before it had read every batch:[/] "
            "these are the candidate pairs of the batches it reached. `consilience "
            "investigate` judges the claims it left, and logs that run's pairs whole."
        )
    if out is None:
        sys.stdout.write(text)
    else:
        write_text(out, text)
        n = text.count("\n")
        err.print(f"Wrote {n} candidate pairs to {out}.", markup=False)
