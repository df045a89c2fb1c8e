"""The `consilience` command: a thin layer over kg, ingest, queries and investigators."""

from __future__ import annotations

import dataclasses
import json
import logging
import signal
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from app.ingest import IngestResult
from app.services import Services
from cli.calibration import calibration_app, case_app, confidence_app, superseded_note
from cli.findings import findings_app, review
from cli.judge import judge, model_app
from cli.lines import lines_app
from cli.markup import lit
from cli.progress import WorkProgress
from cli.report import render_investigation
from cli.support import command_services, console, err, fail
from cli.topics import candidates_app, topics_app
from consilience.errors import ConsilienceError, InvalidInputError, first_line
from consilience.llm_spend import not_sent_warning, use_line
from consilience.settings import load_settings
from ingest.forget import ForgetPlan

if TYPE_CHECKING:
    from kg.server import SettingDrift

app = typer.Typer(
    help="Consilience: cross-paper consistency checks on a Neo4j claim graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Run the project's own Neo4j server.", no_args_is_help=True)
index_app = typer.Typer(help="The FAISS copy of the claim embeddings.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(index_app, name="index")
app.add_typer(findings_app, name="findings")
sources_app = typer.Typer(help="Sources and how they relate.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")
app.add_typer(confidence_app, name="confidence")
app.add_typer(calibration_app, name="calibration")
app.add_typer(case_app, name="case")
app.add_typer(model_app, name="model")
app.add_typer(topics_app, name="topics")
app.add_typer(lines_app, name="lines")
app.add_typer(candidates_app, name="candidates")
app.command("judge")(judge)
app.command("review")(review)


class SearchMode(StrEnum):
    vector = "vector"
    fulltext = "fulltext"
    both = "both"


def _print_version(value: bool) -> None:
    if value:
        from consilience import __version__

        console.print(f"consilience {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit"
        ),
    ] = False,
) -> None:
    """Consilience: cross-paper consistency checks on a Neo4j claim graph."""


# ---- db ---------------------------------------------------------------------------------
@db_app.command("build")
def db_build() -> None:
    """Lay out the Neo4j home from Maven Central (idempotent)."""
    with command_services() as svc:
        svc.server().build()
    console.print("Neo4j home is built.")


@db_app.command("start")
def db_start() -> None:
    """Start the managed Neo4j server and set up the schema."""
    with command_services() as svc:
        if svc.settings.uses_external_db:  # nothing to start: check it answers, set up the schema
            with console.status(f"Connecting to {lit(svc.settings.neo4j.uri)}…"):
                svc.graph()
            console.print(
                f"NEO4J_URI is set ({lit(svc.settings.neo4j.uri)}): that server answers and is "
                "used; the project's own server is not started."
            )
            return
        server = svc.server()
        running, drift = server.running_pid(), server.settings_drift()
        with console.status("Starting Neo4j…"):
            uri = server.start()
            svc.graph()
    console.print(
        f"Neo4j is running at [bold]{lit(uri)}[/] (user neo4j, password in "
        f"{lit(svc.settings.neo4j_dir / 'password')})."
    )
    if server.moved_from is not None:
        console.print(
            f"[yellow]The port it used before, {server.moved_from}, is taken by another "
            f"program: it listens on {uri.rsplit(':', 1)[1]} now. Point Bloom or Neo4j Desktop "
            f"at {uri}, or set CONSILIENCE_NEO4J__BOLT_PORT to keep one port.[/]"
        )
    if drift and running and server.running_pid() == running:  # not one started just now
        console.print(
            f"[yellow]It was already running, started with {_drift_text(drift)}. Run "
            "`consilience db stop` then `consilience db start` to apply the settings.[/]"
        )


def _drift_text(drift: dict[str, SettingDrift]) -> str:
    names = {"heap": "heap", "gc": "collector", "jit": "JIT"}
    return ", ".join(f"{names[k]} {d.running} (settings: {d.settings})" for k, d in drift.items())


@db_app.command("stop")
def db_stop() -> None:
    """Stop the managed Neo4j server."""
    with command_services() as svc:
        stopped = svc.server().stop()
    console.print("Neo4j stopped." if stopped else "Neo4j was not running.")


@db_app.command("status")
def db_status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Say whether the managed server is running, and where."""
    with command_services() as svc:
        server = svc.server()  # a new handle on each call: one for both questions
        st, drift = server.status(), server.settings_drift()
    external = svc.settings.neo4j.uri
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "running": st.running,
                    "pid": st.pid,
                    "uri": st.uri,
                    "version": st.version,
                    "home": str(st.home),
                    "built": st.built,
                    "external_uri": external,
                    "settings_drift": {k: dataclasses.asdict(d) for k, d in drift.items()},
                }
            )
        )
        return
    if external:
        console.print(f"Using external Neo4j at {lit(external)}")
    state = f"running (pid {st.pid}) at {st.uri}" if st.running else "stopped"
    console.print(
        f"Managed Neo4j {st.version}: {state}; built={st.built}; home={st.home}", markup=False
    )
    if drift:
        console.print(
            f"[yellow]Started with {_drift_text(drift)}: `consilience db stop` then "
            "`consilience db start` applies the settings.[/]"
        )
    if not st.running:
        raise typer.Exit(code=1)


# ---- ingest / stats / search ------------------------------------------------------------
def _ingest(
    svc: Services,
    paths: list[str],
    *,
    force: bool,
    follow_symlinks: bool,
    investigate_after: bool,
    show: bool = True,
) -> IngestResult:
    """The ingest workflow with one progress display (files, then claims investigated)."""
    from app.ingest import ingest as ingest_workflow
    from ingest.pipeline import expand_paths

    files = expand_paths(paths, follow_symlinks=follow_symlinks).files
    with WorkProgress(err, files=len(files), show=show) as progress:
        result = ingest_workflow(
            svc,
            paths,
            force=force,
            follow_symlinks=follow_symlinks,
            investigate_after=investigate_after,
            on_file=progress.on_file,
            on_step=progress.on_step,
            on_progress=progress.on_progress,
            announce=progress.announce,
            on_stage=progress.on_stage,
            on_note=progress.note,
        )
    if result.index_warning:
        err.print(f"[yellow]warning:[/] {lit(result.index_warning)}")
    return result


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs")],
    force: Annotated[bool, typer.Option(help="Re-parse files already ingested")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file")] = False,
    follow_symlinks: Annotated[
        bool, typer.Option(help="Read symbolic links (refused by default)")
    ] = False,
    investigate_after: Annotated[
        bool,
        typer.Option(
            "--investigate/--no-investigate",
            help="Check the new claims against the graph and update confidences afterwards",
        ),
    ] = True,
    llm_extractor: Annotated[
        bool, typer.Option(help="Extract claims with Claude (needs ANTHROPIC_API_KEY)")
    ] = False,
) -> None:
    """Ingest documents into the claim graph (idempotent), then investigate the new claims
    and update confidences (unless --no-investigate)."""
    settings = load_settings()
    if llm_extractor and settings.anthropic_api_key is None:
        fail(
            ConsilienceError(
                "--llm-extractor needs ANTHROPIC_API_KEY.",
                "Set the key, or drop the flag to use the offline extractor.",
            )
        )
    with command_services(settings, use_llm_extractor=llm_extractor) as svc:
        result = _ingest(
            svc,
            paths,
            force=force,
            follow_symlinks=follow_symlinks,
            investigate_after=investigate_after,
            show=not as_json,
        )
    _show_result(result, as_json, "Ingestion")


def _show_result(result: IngestResult, as_json: bool, title: str) -> None:
    """Per-file rows (JSON lines, or a table and the investigation); exit 1 if any failed."""
    if as_json:
        for o in result.outcomes:
            sys.stdout.write(o.model_dump_json() + "\n")
    else:
        from cli.report import render_outcomes

        render_outcomes(console, result.outcomes, title=title)
        extracted = result.extraction
        if extracted is not None:
            console.print(lit(use_line(extracted, "extracting claims")))
            if extracted.not_sent and result.investigation is None:  # else the run says it
                console.print(f"[yellow]warning:[/] {lit(not_sent_warning(extracted))}")
        if result.investigation is not None:
            # one account for the command: the run's line covers the extraction too
            what = "this command (the extraction above included)" if extracted else "this run"
            render_investigation(console, result.investigation, what)
    if result.failed:
        raise typer.Exit(code=1)


def _show_plan(plan: ForgetPlan, as_json: bool) -> None:
    """`forget --dry-run`: each file that would go (exit 1 where an input names none)."""
    for f in plan.files:
        if as_json:
            sys.stdout.write(f.model_dump_json() + "\n")
        else:
            console.print(f"{lit(f.path)}  [dim](named by {lit(f.named_by)})[/]")
    for raw in plan.unmatched:
        if as_json:
            row = {"path": None, "named_by": raw, "via_folder": False}
            sys.stdout.write(json.dumps(row) + "\n")
        else:
            console.print(f"[red]{lit(raw)}: the graph holds no file at this path or under it[/]")
    if plan.unmatched:
        raise typer.Exit(code=1)


@app.command()
def forget(
    paths: Annotated[
        list[str], typer.Argument(help="Files as they were ingested, or folders holding them")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list the files that would be forgotten")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Forget every file recorded under the folders given")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file")] = False,
    investigate_after: Annotated[
        bool,
        typer.Option(
            "--investigate/--no-investigate",
            help="Bring line-level findings and confidences up to date afterwards",
        ),
    ] = True,
) -> None:
    """Remove documents from the graph: each file's sources (unless another file has the same
    content), their claims and the findings on them; human verdicts are archived. The files on
    disk are untouched, and the file need not exist any more. A folder names every file
    recorded under it (with --yes; --dry-run lists them)."""
    from app.ingest import forget as forget_workflow
    from app.ingest import forget_plan

    with command_services() as svc:
        plan = forget_plan(svc, paths)
        if dry_run:
            _show_plan(plan, as_json)
            return
        if plan.folders and not yes:
            fail(
                InvalidInputError(
                    f"{len(plan.files)} file(s) would be forgotten, "
                    f"{sum(f.via_folder for f in plan.files)} of them as files under "
                    + ", ".join(plan.folders)
                    + ".",
                    "Check them with --dry-run, then add --yes to forget every file under those "
                    "folders. Nothing was removed.",
                )
            )
        with WorkProgress(err, files=0, show=not as_json) as progress:
            result = forget_workflow(
                svc,
                plan,
                investigate_after=investigate_after,
                on_progress=progress.on_progress,
                announce=progress.announce,
                on_stage=progress.on_stage,
                on_note=progress.note,
            )
    if result.index_warning:
        err.print(f"[yellow]warning:[/] {lit(result.index_warning)}")
    _show_result(result, as_json, "Forgotten")


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Counts of sources, claims, findings and more."""
    from queries.stats import graph_stats

    with command_services() as svc:
        st = graph_stats(svc.graph())
    if as_json:
        sys.stdout.write(st.model_dump_json(indent=2) + "\n")
        return
    from cli.report import render_stats

    render_stats(console, st)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="What to look for")],
    limit: Annotated[int, typer.Option(min=1, max=200)] = 10,
    mode: Annotated[SearchMode, typer.Option(help="How to match")] = SearchMode.both,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Find claims by meaning (vector index) and by words (full-text index)."""
    from queries.search import search_claims

    with command_services() as svc, err.status("Searching (loading the embedding model)…"):
        hits = search_claims(svc.graph(), text, svc.embedder.embed, limit=limit, mode=mode.value)
    if as_json:
        sys.stdout.write(json.dumps([h.model_dump() for h in hits], indent=2) + "\n")
        return
    from cli.report import render_hits

    render_hits(console, text, hits)


@sources_app.command("list")
def sources_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every source with its id, kind, date and claim count."""
    from queries.stats import graph_stats

    with command_services() as svc:
        st = graph_stats(svc.graph())
    if as_json:
        sys.stdout.write(json.dumps([s.model_dump() for s in st.sources], indent=2) + "\n")
        return
    for s in st.sources:
        mark = "  [red](retracted)[/]" if s.retracted else ""
        line = f"{s.id}  {s.kind:<12} {(s.date or '')[:10]:<10} {s.n_claims:>5}  {s.title}"
        console.print(escape(line) + mark, highlight=False)


@sources_app.command("declare-summary")
def sources_declare_summary(
    summary_id: Annotated[str, typer.Argument(help="Id of the summary source")],
    source_id: Annotated[str, typer.Argument(help="Id of the source it summarises")],
    undo: Annotated[
        bool,
        typer.Option(
            "--undo",
            help="It is no summary of it: remove the link (declared or detected) and keep "
            "detection from making it again",
        ),
    ] = False,
) -> None:
    """Declare that one source summarises another (they are then never independent)."""
    from app.sources import declare_summary

    with command_services() as svc:
        r = declare_summary(svc, summary_id, source_id, undo=undo)
    redone = f"{r.recomputed.computed} confidences recomputed ({r.recomputed.changed} changed)"
    if not undo:
        console.print(
            f"{summary_id} now SUMMARISES {source_id}; {redone}. Run `consilience investigate "
            "--all` to re-judge independence.",
            markup=False,
        )
        return
    was = (
        f"the link ({r.removed}) is removed"
        if r.removed
        else "there was no link; it will not be detected"
    )
    console.print(
        f"{summary_id} is no summary of {source_id}: {was}; {redone}. Run `consilience "
        "investigate --all` to re-judge independence.",
        markup=False,
    )


@sources_app.command("retract")
def sources_retract(
    source_id: Annotated[str, typer.Argument(help="Id of the source")],
    reason: Annotated[str, typer.Option(help="Why it is retracted")] = "",
    undo: Annotated[bool, typer.Option("--undo", help="Restore a retracted source")] = False,
) -> None:
    """Retract a source: its evidence stops counting; the confidences it touched are redone."""
    from app.sources import retract_source

    with command_services() as svc:
        r = retract_source(svc, source_id, reason, undo=undo)
    state = "restored" if undo else "retracted"
    console.print(
        f"Source {source_id} {state}; {r.computed} confidences recomputed ({r.changed} changed)."
        + superseded_note(r),
        markup=False,
    )


# ---- index -------------------------------------------------------------------------------
@index_app.command("check")
def index_check() -> None:
    """Compare the FAISS index with the graph."""
    with command_services() as svc:
        index = svc.claim_index()
        missing, extra = index.check(svc.graph())
        wrong = index.misplaced(svc.graph())
    if index.unreadable:
        console.print(
            f"[yellow]The FAISS files on disk could not be read ({lit(index.unreadable)}).[/]"
        )
    console.print(
        f"FAISS index: {len(index.ids)} vectors; {len(missing)} claims missing, {len(extra)} stale."
    )
    if wrong:
        console.print(
            f"[yellow]{wrong} of the rows sampled hold a vector other than the graph's embedding "
            "of the claim their id names (ids out of step with the vectors).[/]"
        )
    if missing or extra or wrong or index.unreadable:
        console.print("Run `consilience index rebuild` to rebuild it from the graph.")
        raise typer.Exit(code=1)


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Rebuild the FAISS index from the embeddings stored in the graph."""
    with command_services() as svc:
        try:
            n = svc.claim_index().rebuild(svc.graph())
        except (OSError, RuntimeError) as exc:  # faiss raises RuntimeError when it cannot write
            # red-teamed: a folder where claims.ids.json belongs ended in a traceback
            raise ConsilienceError(
                f"The FAISS index was rebuilt in memory but could not be saved in "
                f"{svc.settings.faiss_dir} ({first_line(exc, keep_end=True)}).",
                f"Make {svc.settings.faiss_dir} a writable folder holding only files (move "
                "aside anything else in it), then run `consilience index rebuild` again; the "
                "graph holds every embedding, so nothing is lost.",
            ) from exc
    console.print(f"Rebuilt the FAISS index with {n} claims.")


@app.command()
def investigate(
    all_claims: Annotated[bool, typer.Option("--all", help="Re-check every claim")] = False,
) -> None:
    """Check new claims (or --all) against the whole graph, record findings, and update the
    confidences they bear on."""
    from app.investigate import investigate as investigate_workflow

    with command_services() as svc, WorkProgress(err) as progress:
        report, _ = investigate_workflow(
            svc,
            everything=all_claims,
            on_progress=progress.on_progress,
            announce=progress.announce,
            on_stage=progress.on_stage,
            on_note=progress.note,
        )
    render_investigation(console, report)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default from settings)")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port (default 8765)")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Server processes (default 1, or CONSILIENCE_API__WORKERS): one per core "
            "lets reads use every core",
        ),
    ] = None,
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs). Writes need CONSILIENCE_API__KEYS."""
    import uvicorn

    from api.app import create_app

    settings = load_settings()
    if not settings.api.keys:
        err.print(
            "[yellow]No API keys configured: the API serves reads only.[/] Set "
            "CONSILIENCE_API__KEYS='[\"a-long-random-key\"]' to allow writes."
        )
    h, p = host or settings.api.host, port or settings.api.port
    n = workers or settings.api.workers
    console.print(
        f"Consilience API on http://{h}:{p} (docs: http://{h}:{p}/docs)"
        + (f", {n} processes" if n > 1 else "")
    )
    if n == 1:
        uvicorn.run(create_app(settings), host=h, port=p, log_level="info")
    else:  # each process builds the app from the same environment (api.asgi)
        uvicorn.run(
            "api.asgi:app_from_environment",
            factory=True,
            workers=n,
            host=h,
            port=p,
            log_level="info",
        )


# ---- main job -----------------------------------------------------------------------------
@app.command()
def run(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs to ingest")],
    force: Annotated[bool, typer.Option(help="Re-parse files already ingested")] = False,
    case: Annotated[
        list[Path] | None, typer.Option("--case", help="Safety case(s) to evaluate at the end")
    ] = None,
    follow_symlinks: Annotated[
        bool, typer.Option(help="Read symbolic links (refused by default)")
    ] = False,
) -> None:
    """The main job: start the database, ingest, investigate, compute confidences, evaluate
    safety cases, and print a report."""
    from app.cases import evaluate_case_file
    from app.report import main_report
    from cli.report import render_run_report
    from cli.report_calibration import render_case, render_confidence_section

    with command_services() as svc:
        if not svc.settings.uses_external_db:
            with console.status("Starting Neo4j…"):
                svc.server().start()
        result = _ingest(
            svc, paths, force=force, follow_symlinks=follow_symlinks, investigate_after=True
        )
        report = main_report(svc, result)
        cases = [evaluate_case_file(svc, path)[1] for path in case or []]
    render_run_report(console, report)
    render_confidence_section(console, report.confidences)
    for ev in cases:
        render_case(console, ev)
    if result.failed:
        raise typer.Exit(code=1)


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (`timeout`, `kill`, a service manager, a cancelled CI job) unwinds like Ctrl-C:
    a Message Batch being awaited is cancelled, so it is not billed (red-teamed: the process
    died at once and the batch ran on), and open transactions roll back."""
    del frame
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)  # `serve` hands it to uvicorn, which sets its own
    # the driver's own warnings ("Unable to retrieve routing information") came before the
    # error that says the same with what to do (red-teamed)
    if sys.argv[1:2] != ["serve"]:  # the API server keeps the driver's pool warnings (review)
        logging.getLogger("neo4j").setLevel(logging.CRITICAL)  # its errors reach us as exceptions
    try:
        app()
    except ConsilienceError as exc:  # anything not caught by a command
        err.print(f"[bold red]error:[/] {lit(exc.message)}")
        if exc.hint:
            err.print(f"[yellow]hint:[/] {lit(exc.hint)}")
        sys.exit(2)
