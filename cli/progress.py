"""One progress display for the long commands: files ingested, then claims investigated."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from cli.markup import lit


class WorkProgress:
    """A transient progress display on stderr; its callbacks go to the workflows."""

    def __init__(self, console: Console, *, files: int = 0, show: bool = True) -> None:
        self._console = console
        self._progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not show,
            transient=True,
        )
        self._files = self._progress.add_task("Ingesting", total=files) if files else None
        self._claims: TaskID | None = None
        self._stage: TaskID | None = None

    def __enter__(self) -> WorkProgress:
        self._progress.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.__exit__(exc_type, exc, tb)

    def on_file(self, path: Path) -> None:
        """A file is done (the bar counts finished files)."""
        if self._files is not None:
            self._progress.update(self._files, description=f"Ingested {lit(path.name[:40])}")
            self._progress.advance(self._files)

    def on_step(self, path: Path, step: str) -> None:
        """What the current file is doing (reading, embedding N claims, writing)."""
        if self._files is not None:
            self._progress.update(self._files, description=f"{lit(path.name[:40])}: {lit(step)}")

    def on_progress(self, done: int, total: int) -> None:
        """Claims investigated so far, of how many."""
        if self._claims is None:
            for task in (self._files, self._stage):
                if task is not None:
                    self._progress.remove_task(task)
            self._files = self._stage = None
            self._claims = self._progress.add_task("Investigating", total=total)
        self._progress.update(self._claims, completed=done, total=total)

    def on_stage(self, name: str) -> None:
        """A step without a count (index sync, confidence update): a spinner with its name."""
        for task in (self._files, self._claims, self._stage):
            if task is not None:
                self._progress.remove_task(task)
        self._files = self._claims = None
        self._stage = self._progress.add_task(name, total=None)

    def note(self, message: str) -> None:
        """Something the user should know before a long step starts (printed above the bar)."""
        self._console.print(f"[yellow]note:[/] {lit(message)}")

    def announce(self, message: str) -> None:
        """Something the LLM path wants the user to know before it spends money."""
        self._console.print(f"[cyan]LLM:[/] {lit(message)}")
