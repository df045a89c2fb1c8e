"""The `consilience` command: a thin layer over kg, ingest, queries and investigators."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from consilience.cli_findings import findings_app, run_investigation
from consilience.errors import ConsilienceError
from consilience.services import Services, build_services
from consilience.settings import load_settings

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
console = Console()
err = Console(stderr=True)


def _services() -> Services:
    return build_services(load_settings())


def _fail(exc: ConsilienceError) -> None:
    err.print(f"[bold red]error:[/] {exc.message}")
    if exc.hint:
        err.print(f"[yellow]hint:[/] {exc.hint}")
    raise typer.Exit(code=2)


# ---- db ---------------------------------------------------------------------------------
@db_app.command("build")
def db_build() -> None:
    """Lay out the Neo4j home from Maven Central (idempotent)."""
    try:
        _services().server().build()
    except ConsilienceError as exc:
        _fail(exc)
    console.print("Neo4j home is built.")


@db_app.command("start")
def db_start() -> None:
    """Start the managed Neo4j server and set up the schema."""
    svc = _services()
    if svc.settings.uses_external_db:
        console.print(f"NEO4J_URI is set ({svc.settings.neo4j.uri}): using that server.")
        return
    try:
        with console.status("Starting Neo4j…"):
            uri = svc.server().start()
            svc.driver()
    except ConsilienceError as exc:
        _fail(exc)
    finally:
        svc.close()
    console.print(
        f"Neo4j is running at [bold]{uri}[/] (user neo4j, password in "
        f"{svc.settings.neo4j_dir / 'password'})."
    )


@db_app.command("stop")
def db_stop() -> None:
    """Stop the managed Neo4j server."""
    stopped = _services().server().stop()
    console.print("Neo4j stopped." if stopped else "Neo4j was not running.")


@db_app.command("status")
def db_status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Say whether the managed server is running, and where."""
    svc = _services()
    st = svc.server().status()
    data = {
        "running": st.running,
        "pid": st.pid,
        "uri": st.uri,
        "version": st.version,
        "home": str(st.home),
        "built": st.built,
        "external_uri": svc.settings.neo4j.uri,
    }
    if as_json:
        console.print_json(json.dumps(data))
        return
    if svc.settings.uses_external_db:
        console.print(f"Using external Neo4j at {svc.settings.neo4j.uri}")
    state = f"running (pid {st.pid}) at {st.uri}" if st.running else "stopped"
    console.print(f"Managed Neo4j {st.version}: {state}; built={st.built}; home={st.home}")
    if not st.running:
        raise typer.Exit(code=1)


# ---- ingest / stats / search ------------------------------------------------------------
def run_ingest(svc: Services, paths: list[str], force: bool, show: bool = True) -> list:  # type: ignore[type-arg]
    from ingest.pipeline import expand_paths

    files, _ = expand_paths(paths)
    ingestor = svc.ingestor()
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not show or not files,
        transient=True,
    ) as progress:
        task = progress.add_task("Ingesting", total=len(files))

        def on_file(f: Path) -> None:
            progress.update(task, description=f"Ingesting {f.name[:40]}")

        outcomes = []
        for o in ingestor.ingest_paths(paths, force=force, on_file=on_file):
            outcomes.append(o)
            progress.advance(task)
    report = svc.claim_index().sync(svc.driver())
    del report
    return outcomes


def print_outcomes(outcomes: list) -> None:  # type: ignore[type-arg]
    table = Table(title="Ingestion", show_lines=False)
    for col in ("file", "status", "format", "sources", "claims", "note"):
        table.add_column(col, overflow="fold")
    for o in outcomes:
        colour = {"ingested": "green", "unchanged": "dim", "failed": "red"}[o.status]
        note = o.error or ""
        if o.hint:
            note += f" → {o.hint}"
        if o.superseded:
            note += f" ({o.superseded} older sources replaced)"
        table.add_row(
            Path(o.path).name,
            f"[{colour}]{o.status}[/]",
            o.format or "",
            str(o.sources),
            str(o.claims),
            note,
        )
    console.print(table)


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs")],
    force: Annotated[bool, typer.Option(help="Re-parse files already ingested")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file")] = False,
    llm_extractor: Annotated[
        bool, typer.Option(help="Extract claims with Claude (needs ANTHROPIC_API_KEY)")
    ] = False,
) -> None:
    """Ingest documents into the claim graph (idempotent)."""
    settings = load_settings()
    if llm_extractor and settings.anthropic_api_key is None:
        _fail(
            ConsilienceError(
                "--llm-extractor needs ANTHROPIC_API_KEY.",
                "Set the key, or drop the flag to use the offline extractor.",
            )
        )
    svc = build_services(settings, use_llm_extractor=llm_extractor)
    try:
        outcomes = run_ingest(svc, paths, force, show=not as_json)
    except ConsilienceError as exc:
        _fail(exc)
    finally:
        svc.close()
    if as_json:
        for o in outcomes:
            sys.stdout.write(o.model_dump_json() + "\n")
    else:
        print_outcomes(outcomes)
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(code=1)


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Counts of sources, claims, findings and more."""
    from queries.stats import graph_stats

    svc = _services()
    try:
        st = graph_stats(svc.driver())
    except ConsilienceError as exc:
        _fail(exc)
    finally:
        svc.close()
    if as_json:
        sys.stdout.write(st.model_dump_json(indent=2) + "\n")
        return
    from consilience.report import render_stats

    render_stats(console, st)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="What to look for")],
    limit: Annotated[int, typer.Option(min=1, max=200)] = 10,
    mode: Annotated[str, typer.Option(help="vector, fulltext or both")] = "both",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Find claims by meaning (vector index) and by words (full-text index)."""
    from queries.search import search_claims

    if mode not in ("vector", "fulltext", "both"):
        _fail(ConsilienceError(f"Unknown mode {mode!r}.", "Use vector, fulltext or both."))
    svc = _services()
    try:
        hits = search_claims(svc.driver(), text, svc.embedder.embed, limit=limit, mode=mode)  # type: ignore[arg-type]
    except ConsilienceError as exc:
        _fail(exc)
    finally:
        svc.close()
    if as_json:
        sys.stdout.write(json.dumps([h.model_dump() for h in hits], indent=2) + "\n")
        return
    from consilience.report import render_hits

    render_hits(console, text, hits)


# ---- index -------------------------------------------------------------------------------
@index_app.command("check")
def index_check() -> None:
    """Compare the FAISS index with the graph."""
    svc = _services()
    try:
        missing, extra = svc.claim_index().check(svc.driver())
    except ConsilienceError as exc:
        _fail(exc)
    finally:
        svc.close()
    console.print(
        f"FAISS index: {len(svc.claim_index().ids)} vectors; "
        f"{len(missing)} claims missing, {len(extra)} stale."
    )
    if missing or extra:
        console.print("Run `consilience index rebuild` to rebuild it from the graph.")
        raise typer.Exit(code=1)


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Rebuild the FAISS index from the embeddings stored in the graph."""
    svc = _services()
    try:
        n = svc.claim_index().rebuild(svc.driver())
    except ConsilienceError as exc:
        _fail(exc)
    finally:
        svc.close()
    console.print(f"Rebuilt the FAISS index with {n} claims.")


@app.command()
def investigate(
    all_claims: Annotated[bool, typer.Option("--all", help="Re-check every claim")] = False,
) -> None:
    """Check new claims (or --all) against the whole graph; record findings."""
    svc = _services()
    try:
        report = run_investigation(svc, all_claims, err)
    except ConsilienceError as exc:
        _fail(exc)
    finally:
        svc.close()
    console.print(
        f"Checked {report.claims_checked} claims ({report.candidate_pairs} candidate "
        f"pairs, {report.lines} lines of research). Findings: {report.findings}"
    )
    for s in report.skipped:
        console.print(f"[yellow]skipped[/] {s}")


# ---- main job -----------------------------------------------------------------------------
@app.command()
def run(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or globs to ingest")],
    force: Annotated[bool, typer.Option(help="Re-parse files already ingested")] = False,
) -> None:
    """The main job: start the database, ingest, and print a report."""
    from consilience.report import render_run_report
    from queries.stats import graph_stats

    svc = _services()
    try:
        if not svc.settings.uses_external_db:
            with console.status("Starting Neo4j…"):
                svc.server().start()
        outcomes = run_ingest(svc, paths, force)
        report = run_investigation(svc, False, err)
        render_run_report(console, outcomes, graph_stats(svc.driver()), report, svc.driver())
    except ConsilienceError as exc:
        _fail(exc)
    finally:
        svc.close()
    if any(o.status == "failed" for o in outcomes):
        raise typer.Exit(code=1)


def main() -> None:
    try:
        app()
    except ConsilienceError as exc:  # anything not caught by a command
        err.print(f"[bold red]error:[/] {exc.message}")
        if exc.hint:
            err.print(f"[yellow]hint:[/] {exc.hint}")
        sys.exit(2)
