"""Rendering confidences, calibration reports and evaluated safety cases for the terminal."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from app.report import ConfidenceOverview
from calibration.case.result import CaseEvaluation, NodeResult
from calibration.report import MIN_PER_BIN, CalibrationReport
from cli.markup import lit
from consilience.vocabulary import FindingStatus
from queries.models import ClaimConfidence, ConfidenceRow


def _pct(p: float | None) -> str:
    return "  ?" if p is None else f"{p:.2f}"


def _interval(n: ConfidenceRow | NodeResult) -> str:
    return f"{_pct(n.p)} [{_pct(n.low)}–{_pct(n.high)}]"


def _swing(x: float) -> str:
    """'moves the top goal -0.012', or 'does not move the top goal' below rounding."""
    if abs(x) < 0.0005:
        return "does not move the top goal"
    return f"moves the top goal {x:+.3f}"


def render_confidences(console: Console, rows: list[ConfidenceRow], title: str) -> None:
    table = Table(title=title, show_lines=False, expand=True)
    table.add_column("p [90%]", no_wrap=True)
    table.add_column("lines", justify="right", no_wrap=True)
    table.add_column("claim (exact quote)", ratio=3)
    table.add_column("source", ratio=1)
    for r in rows:
        flag = " [red]contested[/]" if r.contested else ""
        lines = f"{r.support_lines or 0}+/{r.oppose_lines or 0}-"
        quote = r.quote if len(r.quote) <= 220 else r.quote[:217] + "…"
        table.add_row(
            _interval(r) + flag,
            lines,
            f"“{lit(quote)}”\n[dim]{lit(r.claim_id)}[/]",
            lit(r.source_title[:60]),
        )
    console.print(table)


def render_claim_confidence(console: Console, c: ClaimConfidence) -> None:
    console.print(f"[bold]{lit(c.claim_id)}[/]  {lit(c.source_title)}")
    console.print(f"“{c.quote}”", markup=False)
    console.print(
        f"confidence {_interval(c)}; {c.support_lines or 0} supporting / "
        f"{c.oppose_lines or 0} opposing independent lines; effective "
        f"{c.effective_lines or 0:.2f}{'; CONTESTED' if c.contested else ''}"
    )
    console.print("[bold]Derivation[/]")
    for step in c.derivation:
        console.print(f"  - {step}", markup=False)
    console.print(f"[bold]History[/] ({len(c.history)} change(s))")
    for h in c.history:
        console.print(
            f"  {h.at[:19]}  {h.p:.3f} [{h.low:.2f}–{h.high:.2f}]  {h.reason or ''}", markup=False
        )


def _bin_cell(count: int, rate: float | None) -> str:
    """A bin as 'n' over its observed confirm rate; sparse bins dim, empty ones a dot."""
    if not count:
        return "[dim]·[/]"
    obs = "?" if rate is None else "1.0" if rate >= 0.995 else f"{rate:.2f}".removeprefix("0")
    style = "dim" if count < MIN_PER_BIN else "bold"
    return f"[{style}]{count}[/]\n[dim]{obs}[/]"


def render_calibration(console: Console, report: CalibrationReport) -> None:
    table = Table(
        title="Calibration of investigator scores against human verdicts",
        box=box.SIMPLE_HEAD,
        padding=(0, 1, 0, 0),
    )
    table.add_column("investigator", no_wrap=True)
    for col in ("verdicts", FindingStatus.CONFIRMED.value, "Brier\nraw", "Brier\ncal.", "ECE\nraw",
                "ECE\ncal."):  # fmt: skip
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("map", min_width=8)
    for r in report.investigators:
        table.add_row(
            escape(r.investigator),
            str(r.n),
            str(r.positives),
            f"{r.raw.brier:.3f}" if r.raw else "-",
            f"{r.calibrated.brier:.3f}" if r.calibrated else "-",
            f"{r.raw.ece:.3f}" if r.raw else "-",
            f"{r.calibrated.ece:.3f}" if r.calibrated else "-",
            r.method or "none: raw used",
        )
    console.print(table)
    scored = [r for r in report.investigators if r.raw is not None]
    if scored and scored[0].raw is not None:
        bins = Table(
            title="Reliability bins: verdicts in the bin, and the fraction humans confirmed",
            caption=(
                "column .3: predicted 0.3–0.4; beside raw/cal.: where the middle 90% of the "
                f"probabilities lie; dim: fewer than {MIN_PER_BIN} verdicts in the bin"
            ),
            box=box.SIMPLE_HEAD,
            padding=(0, 1),
        )
        bins.add_column(
            "investigator, scores", min_width=min(28, max(len(r.investigator) for r in scored))
        )
        for b in scored[0].raw.bins:
            bins.add_column(f"{b.low:.1f}".removeprefix("0"), justify="right")
        for r in scored:
            bins.add_row(f"[bold]{escape(r.investigator)}[/]")
            for label, sc in (("raw", r.raw), ("cal.", r.calibrated)):
                if sc is None:
                    continue
                where = f" [dim]{sc.spread.q05:.2f}–{sc.spread.q95:.2f}[/]" if sc.spread else ""
                cells = [_bin_cell(b.count, b.fraction_confirmed) for b in sc.bins]
                bins.add_row(f"  {label}{where}", *cells)
            bins.add_section()
        console.print(bins)
    for r in report.investigators:
        if r.message:
            console.print(f"[yellow]{escape(r.message)}[/]")
        for w in r.warnings:
            console.print(
                f"[yellow]warning: {escape(r.investigator)}: {escape(w)}[/]", highlight=False
            )
    if report.unfitted_verdicts:
        n = sum(report.unfitted_verdicts.values())
        kinds = ", ".join(f"{k} {v}" for k, v in report.unfitted_verdicts.items())
        console.print(
            f"{n} verdict(s) on findings no score map is fitted for ({lit(kinds)}): "
            "restatements and line-level findings are not evidence for or against a claim, so "
            "their scores are not calibrated."
        )
    if not report.investigators:
        which = (
            "on contradictions, convergences or distortions " if report.unfitted_verdicts else ""
        )
        console.print(
            f"No verdicts {which}yet: confirm or dismiss findings with `consilience findings "
            "confirm|dismiss ID --reviewer NAME`; raw scores are used until then."
        )


def render_case(console: Console, ev: CaseEvaluation, *, details: bool = True) -> None:
    console.rule(f"[bold]Safety case: {lit(ev.title)}")
    console.print(
        f"Top goal {lit(ev.root)}: [bold]{ev.p:.2f}[/] (bounds {ev.low:.2f}–{ev.high:.2f}), "
        f"evaluated {ev.evaluated_at}"
    )
    for n in ev.nodes:
        pad = "  " * n.depth
        how = f" ({n.combine})" if n.combine else ""
        mark = " [red]contested[/]" if n.contested else ""
        text = n.text if len(n.text) <= 140 else n.text[:137] + "…"
        label = "evidence" if n.type == "evidence" else "goal"
        console.print(
            f"{pad}[bold]{lit(n.id)}[/] {label}{lit(how)} {_interval(n)}{mark}: {lit(text)}"
        )
        if n.leaf and details:
            src = n.leaf.claim.source_title[:70]
            console.print(
                f"{pad}    source: {src}; effective lines {n.leaf.effective_lines:.2f}",
                markup=False,
            )
            for line in n.leaf.supporting_lines:
                for q in line.quotes[:1]:
                    console.print(
                        f"{pad}    + {line.line} (w {line.weight:.2f}): “{q.quote[:120]}” "
                        f"— {q.source_title[:50]}",
                        markup=False,
                    )
            for c in n.leaf.open_contradictions[:3]:
                console.print(
                    f"{pad}    [red]✗ open contradiction[/] ({_swing(c.swing)}): "
                    f"“{lit(c.against.quote[:120])}” — {lit(c.against.source_title[:50])}"
                )
    leaves = [n.leaf for n in ev.nodes if n.leaf]
    backed = sum(1 for leaf in leaves if leaf.supporting_lines)
    console.print(
        f"{backed} of {len(leaves)} leaves have support from another line of research; the "
        "others stand on their priors (claim kind, hedging, source kind) until other documents "
        "bear on them."
    )
    if ev.assumptions:
        console.print("[bold]Assumptions relied on[/] (never scored as evidence)")
        for a in ev.assumptions:
            console.print(f"  {a.id} (under {a.parent}): {a.text}", markup=False)
    console.print("[bold]Most sensitive leaves[/] (top-goal swing across the leaf's interval)")
    for s in ev.sensitivity[:5]:
        console.print(f"  {s.node_id}: {s.swing:.3f}", markup=False)
    for w in ev.warnings:
        console.print(f"[yellow]warning:[/] {lit(w)}")


def render_confidence_section(console: Console, overview: ConfidenceOverview) -> None:
    """Section 3 of the main report: confidences of the safety-critical claims."""
    console.rule("[bold]3. Confidence in safety-critical claims")
    summ, updated = overview.summary, overview.updated
    now = (
        f"{updated.computed} checked now, {updated.derived} derived afresh, "
        f"{updated.changed} changed"
        if updated
        else "none now"
    )
    console.print(
        f"{summ.scored} of {summ.claims} claims have a confidence ({now}); "
        f"{summ.safety_critical} are safety-critical, "
        f"{summ.contested} contested by open contradictions. A confidence is a probability "
        "with a 90% interval: prior from hedging, claim and source kind; support and "
        "opposition counted once per independent line of research."
    )
    if overview.moved:
        render_confidences(
            console, overview.moved, "Safety-critical claims that other documents bear on"
        )
    else:
        console.print("No safety-critical claim is supported or opposed by another document yet.")
    render_confidences(console, overview.highest, "Most confident safety-critical claims")
    render_confidences(console, overview.lowest, "Least confident safety-critical claims")
    console.print(
        "All of them: `consilience confidence list`; one with its derivation and history: "
        "`consilience confidence show CLAIM_ID`."
    )
