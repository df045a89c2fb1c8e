"""`consilience investigate` helpers and `consilience findings ...` (thin over queries)."""

from __future__ import annotations

import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.files import input_text, output_file, write_text
from cli.markup import lit
from cli.support import command_services, console, err, fail
from consilience.errors import ConsilienceError, NotFoundError
from consilience.vocabulary import FindingKind, FindingStatus, ReviewVerdict


class ExportFormat(StrEnum):
    jsonl = "jsonl"


findings_app = typer.Typer(help="Review what the investigators found.", no_args_is_help=True)


@findings_app.command("list")
def findings_list(
    kind: Annotated[FindingKind | None, typer.Option(help="Only this kind")] = None,
    status: Annotated[FindingStatus | None, typer.Option(help="Only this review status")] = None,
    min_score: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.0,
    claim: Annotated[str | None, typer.Option(help="Touching this claim id")] = None,
    source: Annotated[str | None, typer.Option(help="Touching this source id")] = None,
    line: Annotated[str | None, typer.Option(help="Touching this line id")] = None,
    topic: Annotated[str | None, typer.Option(help="About this topic (claim search)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List findings, highest score first (filters combine)."""
    from cli.report import render_finding
    from queries.findings import list_findings
    from queries.search import topic_claim_ids

    with command_services() as svc:
        claim_ids = [claim] if claim else None
        if topic:
            found = topic_claim_ids(svc.graph(), topic, svc.embedder.embed)
            claim_ids = found + (claim_ids or [])
        page = list_findings(
            svc.graph(),
            kind=kind,
            status=status,
            min_score=min_score,
            claim_ids=claim_ids,
            source_id=source,
            line_id=line,
            limit=limit,
        )
    if as_json:
        sys.stdout.write(page.model_dump_json(indent=2) + "\n")
        return
    if not page.items:
        ids = [f"--{k} {v}" for k, v in (("claim", claim), ("source", source), ("line", line)) if v]
        if ids:  # a mistyped id matches nothing: say what the option takes
            console.print(
                f"No findings touch {lit(', '.join(ids))} with these filters (these options take "
                "ids: `consilience search`, `sources list` and `lines list` show them)."
            )
        elif kind or status or min_score or topic:
            console.print("No findings match these filters.")
        else:
            console.print("No findings yet: run `consilience investigate` first?")
    for i, f in enumerate(page.items, 1):
        render_finding(console, f, i)


@findings_app.command("archived")
def findings_archived(
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Human verdicts kept after their finding left the graph (a document was revised or
    removed, a reopened finding was not found again): each comes back by itself when the same
    two quotes are found again (one about a line of research is listed, never given back)."""
    from queries.findings import archived_verdicts

    with command_services() as svc:
        page = archived_verdicts(svc.graph(), limit=limit)
    if as_json:
        sys.stdout.write(page.model_dump_json(indent=2) + "\n")
        return
    if not page.items:
        console.print("No archived verdicts: every verdict is on a finding in the graph.")
    for i, v in enumerate(page.items, 1):
        where = (
            f"given back to {v.carried_to}"
            if v.carried_to
            else "waiting for its quotes"
            if v.comes_back
            else "not given back (a finding about a line of research)"
        )
        console.print(
            f"[bold]{i}. {v.status}[/] {v.kind} by {lit(v.reviewer or '?')} "
            f"({lit(v.review_reason or 'no reason given')}); archived {v.archived_at[:19]}, "
            f"{lit(where)}"
        )
        console.print(f"   A: {v.quote_a or '(not a claim)'}", markup=False)
        console.print(f"   B: {v.quote_b or '(not a claim)'}", markup=False)


@findings_app.command("show")
def findings_show(
    finding_id: str,
    as_json: Annotated[bool, typer.Option("--json", help="The finding as JSON")] = False,
) -> None:
    """Show one finding with both sides (claim ids, or the lines of research) and its
    rationale."""
    from cli.report import render_context, render_finding
    from queries.findings import get_finding

    with command_services() as svc:
        f = get_finding(svc.graph(), finding_id)
    if as_json:
        sys.stdout.write(f.model_dump_json(indent=2) + "\n")
        return
    render_finding(console, f)
    render_context(console, f)
    console.print(f.rationale, markup=False)
    if f.carried_from:  # the verdicts below were given on an earlier version's finding
        console.print(
            f"[dim]verdicts given on {lit(f.carried_from)} (an earlier version of a document), "
            "carried here: the same two quotes[/]"
        )
    for h in f.history:
        console.print(f"[dim]{h.at}[/] {h.status} by {lit(h.reviewer)}: {lit(h.reason or '—')}")


def _verdict(finding_id: str, verdict: ReviewVerdict, reviewer: str, reason: str) -> None:
    from app.verdicts import record_verdict

    with command_services() as svc:
        f = record_verdict(svc, finding_id, ReviewVerdict(verdict), reviewer, reason)
    why = f": {f.review_reason}" if f.review_reason else ""  # not "(by x: )" (red-teamed)
    console.print(f"Finding {f.id} is now {f.status} (by {f.reviewer}{why}).", markup=False)


Reviewer = Annotated[str, typer.Option(help="Who gives the verdict")]
Reason = Annotated[str, typer.Option(help="Why")]


@findings_app.command("confirm")
def findings_confirm(finding_id: str, reviewer: Reviewer, reason: Reason = "") -> None:
    """Confirm a finding (a human verdict)."""
    _verdict(finding_id, ReviewVerdict.CONFIRMED, reviewer, reason)


@findings_app.command("dismiss")
def findings_dismiss(finding_id: str, reviewer: Reviewer, reason: Reason = "") -> None:
    """Dismiss a finding (a human verdict)."""
    _verdict(finding_id, ReviewVerdict.DISMISSED, reviewer, reason)


@findings_app.command("reopen")
def findings_reopen(finding_id: str, reviewer: Reviewer, reason: Reason = "") -> None:
    """Take a verdict back: the finding is open again (kept in its history)."""
    _verdict(finding_id, ReviewVerdict.REOPENED, reviewer, reason)


@findings_app.command("verdicts")
def findings_verdicts(
    path: Annotated[Path, typer.Argument(help="JSONL or CSV: id, verdict, reason[, reviewer]")],
    reviewer: Annotated[str | None, typer.Option(help="Reviewer for rows that name none")] = None,
) -> None:
    """Record many verdicts at once; bad rows are reported with their line number and the
    rest are recorded."""
    import csv

    from pydantic import ValidationError

    from app.verdicts import VerdictItem, record_verdicts

    text = input_text(path, "a JSONL or CSV file of verdicts")
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))  # quoted reasons keep lines
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if text.strip() and not {"id", "verdict"} <= set(header):  # its first verdict was
            # read as the header, and nothing recorded, silently; say which case it is
            # (red-teamed: a header lacking only "verdict" was called "not a header")
            known = {"id", "verdict", "reviewer", "reason"}
            missing = ", ".join(sorted({"id", "verdict"} - set(header)))
            if len(header) == 1 and ";" in header[0]:
                what = "its columns are separated by ';': use commas"
            elif set(header) & known:
                what = f"the header lacks the column(s) {missing}"
            else:
                what = "the first line is not a header naming the columns"
            err.print(
                f"[red]{lit(path)}: {what}[/] (it reads "
                f"{lit(repr(', '.join(header)[:120]))}). Start the file with a line such as "
                "id,verdict,reviewer,reason."
            )
            raise typer.Exit(code=2)
        rows = [  # the line each row ends on (a quoted reason may span several)
            (reader.line_num, {str(k).strip().lower(): v for k, v in r.items()}) for r in reader
        ]
    else:
        rows = []
        for i, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            rows.append((i, obj if isinstance(obj, dict) else {"_bad": line[:60]}))
    known = {"id", "verdict", "reviewer", "reason"}
    unread: dict[str, int] = {}  # a column or key not read (a misspelt "reason": lost silently)
    for n, row in rows:
        for k in row:
            if k not in known and k != "_bad" and k.strip():
                unread.setdefault(k, n)
    if unread:
        names = ", ".join(
            f"{k!r} (line {n})" for k, n in sorted(unread.items(), key=lambda x: x[1])
        )
        err.print(
            f"warning: not read: {names}; only the columns id, verdict, reviewer and reason "
            "are (check their spelling).",
            markup=False,
        )
    items: list[VerdictItem] = []
    lines: list[int] = []
    refused: list[tuple[int, str]] = []  # said in line order once the verdicts are recorded
    for n, row in rows:
        if "_bad" in row:
            refused.append((n, "not a JSON object"))
            continue
        row = {
            **row,
            "id": str(row.get("id") or "").strip(),
            "verdict": str(row.get("verdict") or "").strip().lower(),
            "reviewer": str(row.get("reviewer") or reviewer or "").strip(),
            "reason": str(row.get("reason") or ""),
        }
        try:
            items.append(VerdictItem.model_validate(row))
            lines.append(n)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"]) or "row"
            refused.append((n, f"{where}: {first['msg']}"))
    with command_services() as svc:
        outcomes = record_verdicts(svc, items)
    refused += [(n, o.error or "") for n, o in zip(lines, outcomes, strict=True) if not o.recorded]
    for n, why in sorted(refused, key=lambda r: r[0]):
        err.print(f"[red]line {n}:[/] {lit(why)}")
    bad = len(refused)
    done = sum(o.recorded for o in outcomes)
    console.print(f"Recorded {done} verdict(s); {bad} row(s) refused.")
    if bad:
        raise typer.Exit(code=1)


def review(
    reviewer: Annotated[str, typer.Option(help="Who gives the verdicts")],
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Findings to walk")] = 20,
) -> None:
    """Walk the open findings a verdict is worth most on (the judge least sure first,
    weighted up by the safety-critical claims each is about), each with its context:
    c = confirm, d = dismiss, s = skip, q = quit; after c or d an optional reason. Every
    verdict is kept in the finding's history."""
    from app.verdicts import check_reason, check_reviewer, record_verdict
    from cli.report import render_context, render_finding
    from queries.findings import get_finding, review_queue

    try:
        reviewer = check_reviewer(reviewer)  # before the first finding, not after its verdict
    except ConsilienceError as exc:
        fail(exc)
    counts: dict[str, int] = {ReviewVerdict.CONFIRMED: 0, ReviewVerdict.DISMISSED: 0, "skipped": 0}
    ended = ""
    interrupted = False
    with command_services() as svc:
        pool = review_queue(svc.graph(), limit=limit).items
        try:
            for i, row in enumerate(pool[:limit], 1):
                try:
                    f = get_finding(svc.graph(), row.id)
                except NotFoundError:  # withdrawn since the queue was read (a line-level
                    # finding whose contradictions an earlier verdict dismissed)
                    console.print(f"[dim]{i}. {lit(row.id)}: withdrawn since, skipped[/]")
                    continue
                render_finding(console, f, i)
                render_context(console, f)
                answer = _review_answer()
                if answer == "quit":
                    break
                if answer == "skip":
                    counts["skipped"] += 1
                    continue
                verdict = ReviewVerdict(answer)
                while True:
                    try:
                        reason = check_reason(_ask("reason (optional)", ""))
                        break
                    except ConsilienceError as exc:
                        err.print(f"[red]{lit(exc.message)}[/] {lit(exc.hint)}")
                record_verdict(svc, f.id, verdict, reviewer, reason)
                counts[verdict] += 1
        except (typer.Abort, KeyboardInterrupt) as exc:  # end of input, or Ctrl-C
            # a prompt turns both into Abort; Ctrl-C stays its context (review: exit 0)
            interrupted = isinstance(exc, KeyboardInterrupt) or isinstance(
                exc.__context__, KeyboardInterrupt
            )
            ended = (
                " Interrupted: the verdicts recorded before are kept."
                if interrupted
                else " Input ended: the verdicts given before are kept."
            )
        except UnicodeDecodeError:  # a strict stdin (a UTF-8 terminal gives surrogates)
            ended = " The input was not UTF-8 text: review ended; the verdicts before are kept."
    console.print(
        f"Reviewed: {counts[ReviewVerdict.CONFIRMED]} confirmed, "
        f"{counts[ReviewVerdict.DISMISSED]} dismissed, "
        f"{counts['skipped']} skipped. Confidences bearing on them are updated.{ended}"
    )
    if interrupted:
        raise typer.Exit(code=130)


_ANSWERS = {
    "c": ReviewVerdict.CONFIRMED.value,
    "confirm": ReviewVerdict.CONFIRMED.value,
    "d": ReviewVerdict.DISMISSED.value,
    "dismiss": ReviewVerdict.DISMISSED.value,
    "s": "skip",
    "skip": "skip",
    "q": "quit",
    "quit": "quit",
}


def _review_answer() -> str:
    """confirmed, dismissed, skip or quit; anything else is asked again (red-teamed: any answer
    starting with "c", "cancel" included, confirmed)."""
    while True:
        key = _ask("[c]onfirm / [d]ismiss / [s]kip / [q]uit", "s").strip().lower()
        if key in _ANSWERS:
            return _ANSWERS[key]
        err.print(f"[yellow]{lit(repr(key[:40]))} is not an answer:[/] type c, d, s or q.")


def _ask(question: str, default: str) -> str:
    return str(typer.prompt(question, default=default, show_default=bool(default)))


@findings_app.command("export")
def findings_export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="Output format")] = (
        ExportFormat.jsonl
    ),
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="File (default, or -, stdout)")
    ] = None,
) -> None:
    """Export every finding, one JSON object per line."""
    from queries.findings import export_record, iter_findings

    del fmt  # one format today; the option keeps the command stable when more come
    if output is not None and str(output) == "-":  # red-teamed: wrote a file named "-"
        output = None
    if output:
        output_file(output)
    with command_services() as svc:
        lines = [
            json.dumps(export_record(f), ensure_ascii=False) for f in iter_findings(svc.graph())
        ]
    text = "".join(line + "\n" for line in lines)
    if output:
        write_text(output, text)
    else:
        sys.stdout.write(text)
