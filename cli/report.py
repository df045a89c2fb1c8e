"""Human-readable rendering of results (the CLI's output, never its logic)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from app.ingest import IngestResult
from app.report import JudgeReliability, MainReport
from cli.markup import lit
from consilience.llm_spend import use_line
from consilience.vocabulary import FindingKind
from ingest.pipeline import IngestOutcome
from investigators.nli.judge import STRUCTURAL
from investigators.runner import ADJUDICATORS, RunReport
from investigators.versions import recheck_note
from queries.findings import FindingRow
from queries.models import ClaimHit, FindingSide, GraphStats


def render_outcomes(
    console: Console, outcomes: list[IngestOutcome], title: str = "Ingestion"
) -> None:
    table = Table(title=title)
    for col in ("file", "status", "format", "sources", "claims", "note"):
        table.add_column(col, overflow="fold")
    for o in outcomes:
        colour = {
            "ingested": "green",
            "unchanged": "dim",
            "failed": "red",
            "refused": "yellow",
            "removed": "magenta",
        }[o.status]
        note = "; ".join([o.error or "", *o.warnings]).strip("; ")
        if o.hint:
            note += f" → {o.hint}"
        if o.superseded:
            gone = "sources removed" if o.status == "removed" else "older sources replaced"
            note += f" ({o.superseded} {gone})"
        # a removed file holds nothing now: its counts would read "0 sources" (red-teamed);
        # what went is in the note
        held = o.status != "removed"
        table.add_row(
            lit(Path(o.path).name),
            f"[{colour}]{o.status}[/]",
            lit(o.format or ""),
            str(o.sources) if held else "—",
            str(o.claims) if held else "—",
            lit(note),
        )
    console.print(table)


def _page(page: int | None) -> str:
    """The provenance suffix " · p. N" for a claim on a PDF page; nothing elsewhere."""
    return f" · p. {page}" if page is not None else ""


def _side(side: FindingSide, name: str) -> str:
    if side.node == "line":
        return f"[bold]{name}[/] {lit(side.quote)}\n   [dim]line {lit(side.line_id)}[/]"
    who = f" — {lit(side.speaker)}" if side.speaker else ""
    lost = (
        "\n   [yellow]math or numbers were lost converting this source: read it there[/]"
        if side.lost_content
        else ""
    )
    if side.source_retracted:  # red-teamed: a retracted source's finding looked live
        lost += "\n   [red]its source is retracted: this claim no longer counts as evidence[/]"
    return (
        f"[bold]{name}[/] “{lit(side.quote)}”{who}{lost}\n   [dim]{lit(side.source_title)} · "
        f"{lit(Path(side.source_path or '').name)}{_page(side.page)} · "
        f"claim {lit(side.claim_id)}[/]"
    )


def render_context(console: Console, f: FindingRow) -> None:
    """Where each claim sits: section, the paragraph around it, the source's authors and date."""
    for side, name in ((f.a, "A"), (f.b, "B")):
        if side.node != "claim":
            continue
        who = ", ".join(side.source_authors) or "authors unknown"
        when = side.source_date or "undated"
        console.print(
            f"[bold]{name}[/] in [italic]{lit(side.source_title)}[/] ({lit(who)}; {lit(when)})"
            f" · section: {lit(side.section or '—')}{_page(side.page)}"
        )
        if side.context:
            console.print(f"   [dim]{lit(side.context)}[/]")


def _by_claude(f: FindingRow) -> str:
    """Who answered, where Claude did (the investigator's name alone did not say)."""
    if f.investigator not in ADJUDICATORS:
        return ""
    return f" (answered by Claude, {lit(f.model)})" if f.model else " (answered by Claude)"


def render_finding(console: Console, f: FindingRow, n: int | None = None) -> None:
    head = f"{n}. " if n is not None else ""
    ind = {True: "independent", False: "dependent", None: "independence unknown"}[f.independent]
    body = (
        f"{_side(f.a, 'A')}\n{_side(f.b, 'B')}\n"
        f"[italic]{lit(f.rationale.split('. A:')[0].split('. Summary:')[0])}[/]\n"
        f"[dim]{ind} ({lit(f.independence_reason or '—')}) · {lit(f.investigator)}@"
        f"{lit(f.version)}{_by_claude(f)} · {f.status} · id {lit(f.id)}[/]"
    )
    console.print(Panel(body, title=f"{head}{f.kind} {f.score:.2f}", title_align="left"))


def render_stats(console: Console, st: GraphStats) -> None:
    t = Table(title="Graph")
    t.add_column("what")
    t.add_column("count", justify="right")
    for row in st.nodes:
        t.add_row(lit(row.label), f"{row.count:,}")
    for row in st.relationships:
        if row.count:
            t.add_row(lit(f"-[{row.label}]->"), f"{row.count:,}")
    console.print(t)
    k = Table(title="Claims")
    k.add_column("kind")
    k.add_column("count", justify="right")
    for row in st.claims_by_kind:
        k.add_row(lit(row.label), str(row.count))
    for row in st.claims_by_hedge:
        k.add_row(lit(f"hedge: {row.label}"), str(row.count))
    k.add_row("lost math/numbers", str(st.lost_content_claims))
    console.print(k)


def render_sources(console: Console, st: GraphStats) -> None:
    t = Table(title=f"Sources ({len(st.sources)})")
    t.add_column("title", no_wrap=True, overflow="ellipsis", max_width=48)
    t.add_column("kind", no_wrap=True, overflow="ellipsis", max_width=12)
    t.add_column("date", no_wrap=True, min_width=10)
    t.add_column("file", no_wrap=True, overflow="ellipsis", max_width=26)
    t.add_column("claims", justify="right", no_wrap=True, min_width=6)
    for s in st.sources:
        t.add_row(
            lit(s.title[:70]),
            lit(s.kind),
            lit((s.date or "")[:10]),
            lit(Path(s.path or "").name),
            str(s.n_claims),
        )
    console.print(t)


def render_hits(console: Console, query: str, hits: list[ClaimHit]) -> None:
    if not hits:
        shown = query if len(query) <= 200 else f"{query[:200]}…"  # not 100k characters back
        console.print(f"No claims match {lit(repr(shown))}.")
        return
    for i, h in enumerate(hits, 1):
        who = f" — {lit(h.speaker)}" if h.speaker else ""
        where = (
            f"{lit(Path(h.source_path or '').name)}{_page(h.page)} {lit(f'[{h.start}:{h.end}]')}"
        )
        body = (
            f"“{lit(h.quote)}”{who}\n[dim]{lit(h.source_title)} · {lit(h.section or '—')} · "
            f"{where} · {lit(h.kind)}, hedge {lit(h.hedge)} · claim {lit(h.claim_id)}[/]"
        )
        console.print(Panel(body, title=f"{i}. {h.match} {h.score:.2f}", title_align="left"))


def _line_level(report: RunReport) -> str:
    """The line-level findings' sentence: current counts, recomputed every run (once shown
    as new findings on every `investigate`, 839 line_disagrees each time)."""
    if not report.line_findings:
        return ""
    now = ", ".join(f"{n} {k}" for k, n in sorted(report.line_findings.items()))
    return f" Line-level findings now (recomputed each run): {now}."


def _run_notes(console: Console, report: RunReport, claude_what: str = "this run") -> None:
    if report.claude is not None:
        console.print(lit(use_line(report.claude, claude_what)))
    if report.rechecked:
        console.print(lit(recheck_note(report.rechecked, report.version_changes)))
    if report.findings_withdrawn:
        console.print(
            f"{report.findings_withdrawn} unreviewed findings made by another version of the "
            "investigators were withdrawn: the current version, shown the same two claims, "
            "did not find them again (reviewed findings are kept)."
        )
    if report.contradictions_folded:
        console.print(
            f"{report.contradictions_folded} unreviewed contradictions filed before beside a "
            "summary's distortion of the same two claims were withdrawn: the distortion now "
            "names the judge's reading (reviewed ones are kept)."
        )
    if report.left_unchecked:
        console.print(
            f"[yellow]{report.left_unchecked} claims left unchecked[/] (see the warnings): "
            "the next `consilience investigate` takes them up again."
        )


def render_investigation(
    console: Console, report: RunReport, claude_what: str = "this run"
) -> None:
    """One paragraph after `ingest` or `investigate` (`claude_what`: what the spend line
    covers: after an extraction, the whole command)."""
    found = ", ".join(f"{n} {k}" for k, n in sorted(report.findings.items())) or "none"
    console.print(
        f"Checked {report.claims_checked} claims ({report.candidate_pairs} candidate "
        f"pairs, {report.lines} lines of research). New findings: {found}."
        f"{_line_level(report)} Confidences updated: {report.confidences_updated}."
    )
    _run_notes(console, report, claude_what)
    for s in report.skipped:
        console.print(f"[yellow]skipped[/] {lit(s)}")
    for w in report.warnings:  # e.g. Claude's unanswered questions, a failed end-of-run request
        console.print(f"[yellow]warning:[/] {lit(w)}")


_TITLES = {
    FindingKind.CONTRADICTS: "Contradictions",
    FindingKind.DISTORTS: "Summary distortions",
    FindingKind.CONVERGES_WITH: "Independent convergences",
    FindingKind.RESTATES: (
        "Restatements (dependent sources, quotations, shared definitions: not corroboration)"
    ),
}


def _render_investigation_section(console: Console, ingest: IngestResult) -> None:
    report = ingest.investigation
    if report is None:
        console.print(
            "Not investigated: the database went away before the search index was updated."
            if ingest.database_gone
            else "Nothing new to investigate: every claim had already been checked. The "
            "findings below come from earlier runs."
        )
        return
    found = ", ".join(f"{n} {k}" for k, n in sorted(report.findings.items())) or "none"
    console.print(
        f"Checked {report.claims_checked} {'' if report.rechecked else 'new '}claims against "
        f"the graph ({report.candidate_pairs} candidate pairs across sources, "
        f"{report.lines} lines of research). New findings: {found}.{_line_level(report)}"
    )
    if report.pairs_by_channel:
        chans = ", ".join(f"{k} {v}" for k, v in sorted(report.pairs_by_channel.items()))
        console.print(
            f"Candidates by retrieval channel (a pair may come from several): {chans}; "
            f"{report.topics_touched} topics gained claims (`consilience topics list`)."
        )
    if report.seconds:
        total = sum(report.seconds.values())
        parts = ", ".join(f"{k} {v:.0f} s" for k, v in report.seconds.items() if v >= 0.5)
        console.print(f"Investigation took {total:.0f} s ({parts}).")
    _run_notes(console, report)
    for s in report.skipped:
        console.print(f"[yellow]skipped:[/] {lit(s)}")
    for w in report.warnings:
        console.print(f"[yellow]warning:[/] {lit(w)}")


def judge_note(judge: JudgeReliability | None, kind: FindingKind, items: list[FindingRow]) -> str:
    """A caution beside findings the offline judge decided, when its scores ranked the
    labelled real pairs it was calibrated on poorly (AUC under 0.8; 0.5 is chance)."""
    auc = {
        FindingKind.CONTRADICTS: judge.auc_contradiction if judge else None,
        FindingKind.CONVERGES_WITH: judge.auc_convergence if judge else None,
    }.get(kind)
    if judge is None or auc is None or auc >= 0.8:
        return ""
    if not any(f.investigator == judge.investigator for f in items):
        return ""
    how = "no better than chance" if auc < 0.6 else "weakly"
    audit = {
        FindingKind.CONTRADICTS: (judge.audit_contradiction, "contradictions"),
        FindingKind.CONVERGES_WITH: (judge.audit_convergence, "convergences or restatements"),
    }.get(kind)
    read = ""
    counts, what = audit if audit else (None, "")
    if counts:
        right, calls = counts
        read = (
            f" Of {calls} such calls of an earlier run on the corpus and demo abstracts that "
            f"people read side by side, {right} were {what}; the probabilities are set to that "
            "rate."
        )
        structural = sum(
            1 for f in items if f.investigator == judge.investigator and STRUCTURAL in f.cues
        )
        if kind == FindingKind.CONTRADICTS and structural:
            read += (
                f" Not so for the {structural} shown that rest on a minimal pair or incompatible "
                "values (cue 'structural'): such calls have a level of their own, given in "
                "their rationale."
            )
    return (
        f"Scores are the {judge.investigator}'s calibrated probabilities. On the labelled real "
        f"cross-paper pairs they were fitted on ({judge.fitted_on}), this score ranks pairs "
        f"{how} (ROC AUC {auc:.2f}; 0.5 is chance).{read} Treat these as leads to review "
        "(`consilience review --reviewer NAME`), not as established findings."
    )


def render_run_report(console: Console, report: MainReport) -> None:
    """Sections 1 and 2 of the main job's report (section 3 is the confidences')."""
    console.rule("[bold]Consilience report")
    console.print("[bold]1. What was ingested[/]")
    render_outcomes(console, report.ingest.outcomes)
    render_sources(console, report.stats)
    render_stats(console, report.stats)
    console.rule("[bold]2. What the investigators found")
    _render_investigation_section(console, report.ingest)
    for kind, items in report.top_findings.items():
        console.print(
            f"\n[bold]{_TITLES.get(kind, kind.value)}[/] (top {len(items)}, no claim shown twice"
            f" where the findings allow; all: `consilience findings list --kind {kind.value}`)"
        )
        if not items:
            console.print("  none found")
        note = judge_note(report.judge, kind, items)
        if note:
            console.print(f"[yellow]{lit(note)}[/]")
        for i, f in enumerate(items, 1):
            render_finding(console, f, i)
    console.print(
        "\nReview with `consilience findings list|show|confirm|dismiss`; export with "
        "`consilience findings export --format jsonl`."
    )
