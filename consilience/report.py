"""Human-readable rendering of results (the CLI's output, never its logic)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from queries.models import ClaimHit, GraphStats


def render_stats(console: Console, st: GraphStats) -> None:
    t = Table(title="Graph")
    t.add_column("what")
    t.add_column("count", justify="right")
    for row in st.nodes:
        t.add_row(row.label, f"{row.count:,}")
    for row in st.relationships:
        if row.count:
            t.add_row(f"-[{row.label}]->", f"{row.count:,}")
    console.print(t)
    k = Table(title="Claims")
    k.add_column("kind")
    k.add_column("count", justify="right")
    for row in st.claims_by_kind:
        k.add_row(row.label, str(row.count))
    for row in st.claims_by_hedge:
        k.add_row(f"hedge: {row.label}", str(row.count))
    k.add_row("lost math/numbers", str(st.lost_content_claims))
    console.print(k)


def render_sources(console: Console, st: GraphStats) -> None:
    t = Table(title=f"Sources ({len(st.sources)})")
    t.add_column("title", no_wrap=True, overflow="ellipsis", max_width=60)
    for col in ("kind", "date", "file"):
        t.add_column(col, no_wrap=True)
    t.add_column("claims", justify="right")
    for s in st.sources:
        t.add_row(
            s.title[:70], s.kind, (s.date or "")[:10], Path(s.path or "").name, str(s.n_claims)
        )
    console.print(t)


def render_hits(console: Console, query: str, hits: list[ClaimHit]) -> None:
    if not hits:
        console.print(f"No claims match {query!r}.")
        return
    for i, h in enumerate(hits, 1):
        who = f" — {h.speaker}" if h.speaker else ""
        where = f"{Path(h.source_path or '').name} [{h.start}:{h.end}]"
        body = (
            f"“{h.quote}”{who}\n[dim]{h.source_title} · {h.section or '—'} · {where} · "
            f"{h.kind}, hedge {h.hedge}[/]"
        )
        console.print(Panel(body, title=f"{i}. {h.match} {h.score:.2f}", title_align="left"))


def render_run_report(
    console: Console,
    outcomes: list,
    st: GraphStats,  # type: ignore[type-arg]
    report: object,
    db: object,
) -> None:
    from consilience.cli import print_outcomes
    from consilience.cli_findings import render_finding
    from queries.findings import list_findings

    console.rule("[bold]Consilience report")
    console.print("[bold]1. What was ingested[/]")
    print_outcomes(outcomes)
    render_sources(console, st)
    render_stats(console, st)
    console.rule("[bold]2. What the investigators found")
    console.print(
        f"Checked {report.claims_checked} new claims against the graph "  # type: ignore[attr-defined]
        f"({report.candidate_pairs} candidate pairs across sources, "  # type: ignore[attr-defined]
        f"{report.lines} lines of research). New findings: {report.findings or 'none'}"
    )  # type: ignore[attr-defined]
    for s in report.skipped:  # type: ignore[attr-defined]
        console.print(f"[yellow]skipped:[/] {s}")
    for kind, title in (
        ("contradicts", "Contradictions"),
        ("distorts", "Summary distortions"),
        ("converges_with", "Independent convergences"),
        ("restates", "Restatements (dependent sources: not corroboration)"),
    ):
        page = list_findings(db, kind=kind, limit=5)  # type: ignore[arg-type]
        console.print(f"\n[bold]{title}[/] (top {len(page.items)})")
        if not page.items:
            console.print("  none found")
        for i, f in enumerate(page.items, 1):
            render_finding(console, f, i)
    console.print(
        "\nReview with `consilience findings list|show|confirm|dismiss`; export with "
        "`consilience findings export --format jsonl`."
    )
