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
    for col in ("title", "kind", "date", "file", "claims"):
        t.add_column(col, overflow="fold")
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


def render_run_report(console: Console, outcomes: list, st: GraphStats) -> None:  # type: ignore[type-arg]
    from consilience.cli import print_outcomes

    console.rule("[bold]Consilience report")
    print_outcomes(outcomes)
    render_sources(console, st)
    render_stats(console, st)
