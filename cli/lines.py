"""`consilience lines list|show`: lines of research and why their sources belong together."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from cli.markup import lit
from cli.support import command_services, console

lines_app = typer.Typer(
    help="Lines of research: sources that are not independent of each other.",
    no_args_is_help=True,
)


@lines_app.command("list")
def lines_list(
    min_sources: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="At least this many sources")
    ] = 1,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every line with its name, size and the reasons its sources are grouped."""
    from queries.graph import list_lines

    with command_services() as svc:
        rows = list_lines(svc.graph(), min_sources=min_sources, limit=limit).items
    if as_json:
        sys.stdout.write("[" + ",".join(r.model_dump_json() for r in rows) + "]\n")
        return
    t = Table(title="Lines of research (evidence within one line counts once)")
    for col in ("id", "name", "sources", "why grouped", "line findings"):
        t.add_column(col)
    for r in rows:
        t.add_row(
            lit(r.id),
            lit(r.name or "—"),
            str(r.n_sources),
            lit("; ".join(r.basis)),
            str(r.n_line_findings),
        )
    console.print(t)
    console.print("One line with each source and why it belongs: `consilience lines show ID`.")


@lines_app.command("show")
def lines_show(
    line_id: Annotated[str, typer.Argument(help="A line id from `lines list`")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One line: each source, its authors and organisation, and why it is in the line."""
    from queries.graph import get_line

    with command_services() as svc:
        d = get_line(svc.graph(), line_id)
    if as_json:
        sys.stdout.write(d.model_dump_json(indent=2) + "\n")
        return
    n = len(d.members)
    console.print(
        f"[bold]{lit(d.name or d.id)}[/]  ({lit(d.id)}, {n} source{'' if n == 1 else 's'})"
    )
    console.print(f"Grouped because: {'; '.join(d.basis) or 'single source'}", markup=False)
    for m in d.members:
        who = ", ".join(m.authors) or "authors not stated"
        org = f" · {m.organisation}" if m.organisation else ""
        date = (m.date or "")[:10] or "no date"
        console.print(
            f"\n[bold cyan]{lit(m.title)}[/]  ({lit(m.id)}, {lit(m.kind or '?')}, {lit(date)})"
        )
        console.print(f"  {who}{org} · {m.n_claims} claims", markup=False)
        console.print(f"  [dim]in this line because: {lit('; '.join(m.reasons))}[/]")
    if d.n_line_findings:
        console.print(
            f"\n{d.n_line_findings} line-level finding(s): "
            f"`consilience findings list --line {d.id}`."
        )
