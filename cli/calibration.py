"""`consilience confidence|calibration|case ...` (thin over queries and calibration)."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from cli.files import output_file, output_folder, write_text
from cli.support import command_services, console, err, fail
from consilience.errors import ConsilienceError, InvalidInputError

if TYPE_CHECKING:
    from calibration.updater import UpdateReport


class Order(StrEnum):
    highest = "highest"
    lowest = "lowest"


confidence_app = typer.Typer(help="Claim confidences.", no_args_is_help=True)
calibration_app = typer.Typer(help="Learn from human verdicts.", no_args_is_help=True)
case_app = typer.Typer(help="Safety cases.", no_args_is_help=True)


@confidence_app.command("update")
def confidence_update(
    everything: Annotated[bool, typer.Option("--all", help="Recompute every claim")] = False,
) -> None:
    """Recompute the confidences that changed since the last update (or --all)."""
    from app.confidences import update_confidences

    with command_services() as svc, err.status("Updating confidences…"):
        r = update_confidences(svc, everything=everything)
    console.print(
        f"{r.mode} update: {r.computed} confidences checked, {r.derived} derived afresh "
        f"(the others' inputs were unchanged), {r.changed} changed." + superseded_note(r)
    )


def superseded_note(r: UpdateReport) -> str:
    """What an update derived but did not write (empty when it wrote everything)."""
    if not r.superseded:
        return ""
    return (
        f" {r.superseded} not written: a concurrent update that read them later had stored "
        "them, or they were removed meanwhile."
    )


@confidence_app.command("list")
def confidence_list(
    safety_critical: Annotated[
        bool, typer.Option("--safety-critical/--all-claims", help="Only safety-critical claims")
    ] = True,
    order: Annotated[Order, typer.Option(help="Highest or lowest first")] = Order.highest,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List stored confidences."""
    from cli.report_calibration import render_confidences
    from queries.confidence import list_confidences

    with command_services() as svc:
        page = list_confidences(
            svc.graph(),
            safety_critical=True if safety_critical else None,
            order="lowest" if order == Order.lowest else "highest",
            limit=limit,
        )
    if as_json:
        sys.stdout.write(page.model_dump_json(indent=2) + "\n")
        return
    render_confidences(console, page.items, "Claim confidences")


@confidence_app.command("show")
def confidence_show(
    claim_id: str, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """One claim's confidence, derivation and history."""
    from cli.report_calibration import render_claim_confidence
    from queries.confidence import claim_confidence

    with command_services() as svc:
        c = claim_confidence(svc.graph(), claim_id)
    if as_json:
        sys.stdout.write(c.model_dump_json(indent=2) + "\n")
        return
    render_claim_confidence(console, c)


def _calibrate(method: str, out: Path, store: bool) -> None:
    from app.calibrate import calibrate
    from calibration.report import write_png
    from cli.report_calibration import render_calibration

    m: Literal["isotonic", "platt"] = "platt" if method == FitMethod.platt else "isotonic"
    output_folder(out)  # before anything is fitted or stored
    with command_services() as svc:
        result = calibrate(svc, m, store=store)
    report = result.report
    write_text(out / "calibration.json", report.model_dump_json(indent=2))
    write_png(report, out / "reliability.png")
    render_calibration(console, report)
    console.print(
        f"Reliability diagram: {out / 'reliability.png'}; data: {out / 'calibration.json'}",
        markup=False,
    )
    if result.confidences is not None:
        r = result.confidences
        console.print(
            f"Stored {len(result.maps)} map(s); recomputed {r.computed} confidences "
            f"({r.changed} changed)." + superseded_note(r)
        )


class FitMethod(StrEnum):
    isotonic = "isotonic"
    platt = "platt"


Method = Annotated[FitMethod, typer.Option(help="How scores are mapped to probabilities")]
Out = Annotated[Path, typer.Option("--out", "-o", help="Folder for reliability.png and JSON")]


@calibration_app.command("report")
def calibration_report(
    method: Method = FitMethod.isotonic, out: Out = Path("calibration-report")
) -> None:
    """Brier score, calibration error and reliability diagram of each investigator's scores
    against human verdicts (out-of-fold). Changes nothing in the graph."""
    _calibrate(method, out, store=False)


@calibration_app.command("fit")
def calibration_fit(
    method: Method = FitMethod.isotonic, out: Out = Path("calibration-report")
) -> None:
    """Fit the score maps from verdicts, store them, recompute every confidence, and report."""
    _calibrate(method, out, store=True)


@case_app.command("evaluate")
def case_evaluate(
    case_file: Annotated[Path, typer.Argument(help="Safety case (YAML or JSON)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print one CSV row per node")] = False,
    gsn: Annotated[Path | None, typer.Option("--gsn", help="Write gsn2x YAML here")] = None,
) -> None:
    """Evaluate a safety case against the graph now."""
    from app.cases import evaluate_case_file
    from calibration.case.export import to_csv, to_gsn
    from cli.report_calibration import render_case

    if as_json and as_csv:
        fail(ConsilienceError("--json and --csv both ask for stdout.", "Choose one."))

    if gsn:
        output_file(gsn, "case.gsn.yaml")
        if gsn.exists() and case_file.exists() and os.path.samefile(gsn, case_file):
            # red-teamed: the diagram replaced the hand-written case it was made from
            fail(
                InvalidInputError(
                    f"--gsn {gsn} is the case file itself: the diagram would replace the case.",
                    "Give the diagram a file of its own, e.g. --gsn case.gsn.yaml.",
                )
            )
    with command_services() as svc:
        case, ev = evaluate_case_file(svc, case_file)
    if gsn:
        write_text(gsn, to_gsn(case, ev))
    if as_json:
        sys.stdout.write(ev.model_dump_json(indent=2) + "\n")
    elif as_csv:
        sys.stdout.write(to_csv(ev))
        for w in ev.warnings:  # the CSV has no place for them (red-teamed: they were lost)
            err.print(f"warning: {w}", markup=False)
    else:
        render_case(console, ev)
        if gsn:
            console.print(
                f"GSN (gsn2x YAML) written to {gsn}; render with `gsn2x {gsn}`.", markup=False
            )
