"""Forgetting documents (`consilience forget`, the API's `DELETE /uploads/{name}`): a file the
graph holds, named by the path it was ingested from whether or not it is still on disk, loses
its record and the sources no other file yields, with their claims and the findings on them;
human verdicts on those findings are archived. A folder forgets every file recorded under it.
Files on disk are never touched. The confidences this bears on are marked stale by the graph
and redone by the next confidence update (`app.ingest.forget` runs it)."""

from __future__ import annotations

import os
from pathlib import Path

from ingest.pipeline import IngestOutcome, file_key
from kg.graph import Graph
from kg.writers import store

NOT_HELD_HINT = (
    "Give the path a file was ingested from, or a folder holding such files (`consilience "
    "sources list` shows each source's file). Nothing was removed."
)


def recorded_files(driver: Graph, raw: str) -> list[str]:
    """The recorded file paths `raw` names: that file, or every file under that folder."""
    key = file_key(Path(raw).expanduser())
    if store.file_state(driver, key) is not None:
        return [key]
    return sorted(store.files_under(driver, key.rstrip(os.sep) + os.sep))


def forget_paths(driver: Graph, inputs: list[str]) -> list[IngestOutcome]:
    """One outcome per file removed ("removed"), and one per input that names none ("failed",
    with what to do); an input that names a file already forgotten is such an input."""
    out: list[IngestOutcome] = []
    for raw in inputs:
        targets = recorded_files(driver, raw)
        if not targets:
            out.append(
                IngestOutcome(
                    path=raw,
                    status="failed",
                    error=f"{raw}: the graph holds no file at this path or under it",
                    hint=NOT_HELD_HINT,
                )
            )
        for path in targets:
            removal = store.remove_file(driver, path)
            warnings = [
                "removed from the graph (the file on disk is untouched)"
                if removal.sources
                else "its record removed; its sources stay: another file has the same content"
            ]
            if removal.verdicts:
                warnings.append(
                    f"{len(removal.verdicts)} human verdict(s) were on findings about its text: "
                    "they are archived, and come back if the same two quotes are found again "
                    "(`consilience findings archived` lists them)"
                )
            out.append(
                IngestOutcome(
                    path=path, status="removed", superseded=len(removal.sources), warnings=warnings
                )
            )
    return out
