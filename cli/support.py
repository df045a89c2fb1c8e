"""What every CLI command shares: consoles, services for one command, error display."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console

from app.services import Services, build_services
from cli.markup import lit
from consilience.errors import ConsilienceError
from consilience.settings import Settings, load_settings

# Piped output (logs, CI) gets 120 columns instead of rich's 80, so tables keep their titles.
console = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True)


INTERRUPTED = (
    "what finished before Ctrl-C is kept (an ingest writes each document whole, and claims not "
    "yet checked stay unchecked); run the command again to finish."
)


def fail(exc: ConsilienceError) -> NoReturn:
    """Print the error and its hint, exit 2 (no traceback)."""
    err.print(f"[bold red]error:[/] {lit(exc.message)}")
    if exc.hint:
        err.print(f"[yellow]hint:[/] {lit(exc.hint)}")
    raise typer.Exit(code=2)


@contextmanager
def command_services(
    settings: Settings | None = None, use_llm_extractor: bool = False
) -> Iterator[Services]:
    """Services for one command: errors become a message and exit 2; Ctrl-C a message and exit
    130 (it ended the command silently); always closed."""
    svc = build_services(settings or load_settings(), use_llm_extractor=use_llm_extractor)
    try:
        yield svc
    except ConsilienceError as exc:
        fail(exc)
    except KeyboardInterrupt:
        err.print(f"[yellow]interrupted:[/] {INTERRUPTED}")
        raise typer.Exit(code=130) from None
    finally:
        svc.close()
