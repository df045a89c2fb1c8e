"""Forgetting documents (`consilience forget`, the API's `DELETE /uploads/{name}`): a file the
graph holds, named by the path it was ingested from whether or not it is still on disk, loses
its record and the sources no other file yields, with their claims and the findings on them;
human verdicts on those findings are archived. A folder names every file recorded under it
(by the path each was read from: a file read through a symbolic link is recorded under the
link's target). Files on disk are not touched here. The confidences this bears on are marked
stale by the graph and redone by the next confidence update (`app.ingest.forget` runs it)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from consilience.errors import DatabaseUnavailableError
from ingest.pipeline import IngestOutcome, recorded_files
from kg.graph import Graph
from kg.writers import store

NOT_HELD_HINT = (
    "Give the path a file was ingested from, or a folder holding such files "
    "(`consilience sources list --json` gives each source's file as `path`). Nothing was removed."
)


class PlannedFile(BaseModel):
    """One recorded file a forget will remove."""

    path: str = Field(description="The file's path as the graph records it")
    named_by: str = Field(description="The input that named it (the first, if several did)")
    via_folder: bool = Field(description="Named as a file under a folder given")


class ForgetPlan(BaseModel):
    """What a forget will remove: each recorded file once, in the order the inputs name them;
    and the inputs that name none."""

    files: list[PlannedFile] = Field(default_factory=list[PlannedFile])
    unmatched: list[str] = Field(default_factory=list[str])

    @property
    def folders(self) -> list[str]:
        """The inputs that named files as a folder, each once."""
        return list(dict.fromkeys(f.named_by for f in self.files if f.via_folder))


def plan_forget(driver: Graph, inputs: list[str], *, folders: bool = True) -> ForgetPlan:
    """The recorded files the inputs name: the file at that path, else (with `folders`) every
    file recorded under it as a folder."""
    plan = ForgetPlan()
    seen: set[str] = set()
    for raw in inputs:
        found, via_folder = recorded_files(driver, raw, folders=folders)
        if not found:
            plan.unmatched.append(raw)
        for path in found:
            if path not in seen:
                seen.add(path)
                plan.files.append(PlannedFile(path=path, named_by=raw, via_folder=via_folder))
    return plan


def forget_files(driver: Graph, plan: ForgetPlan) -> list[IngestOutcome]:
    """Remove the planned files, one transaction each: an outcome per file ("removed"), and
    one per unmatched input ("failed", with what to do). Where the database goes away, the
    files not yet removed are "failed" with what to do, and the rest stays as it was done."""
    out = [
        IngestOutcome(
            path=raw,
            status="failed",
            error=f"{raw}: the graph holds no file at this path or under it",
            hint=NOT_HELD_HINT,
        )
        for raw in plan.unmatched
    ]
    for i, planned in enumerate(plan.files):
        try:
            removal = store.remove_file(driver, planned.path)
        except DatabaseUnavailableError as exc:
            out += [
                IngestOutcome(
                    path=left.path,
                    status="failed",
                    error=f"not removed: the database went away ({exc.message})",
                    hint="Start it (`consilience db start`) and run the same command again: "
                    "what was removed stays removed.",
                )
                for left in plan.files[i:]
            ]
            break
        warnings = [
            "removed from the graph"
            if removal.sources
            else "its record removed; its sources stay: another file has the same content"
        ]
        if removal.verdicts:
            warnings.append(
                f"{len(removal.verdicts)} human verdict(s) were on findings about its text: they "
                "are archived, and come back if the same two quotes are found again"
            )
        out.append(
            IngestOutcome(
                path=planned.path,
                status="removed",
                superseded=len(removal.sources),
                warnings=warnings,
            )
        )
    return out
