"""The ingest workflow (CLI `ingest`, `run`, and the API's ingest jobs): ingest the files,
bring the FAISS copy in line, then investigate the new claims and update the confidences
they bear on, unless told not to."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from app.investigate import build_runner, investigate, sync_claim_index
from app.services import Services
from calibration.updater import UpdateReport
from consilience.errors import DatabaseUnavailableError
from consilience.llm_spend import ClaudeUse, Spend
from ingest.claims.llm import LLMExtractor
from ingest.forget import ForgetPlan, forget_files, plan_forget
from ingest.pipeline import IngestOutcome
from investigators.runner import RunReport
from investigators.topic_runner import refresh_topics

log = logging.getLogger("consilience.ingest")


class IngestResult(BaseModel):
    """What one ingest did, for the renderers and the API's job."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    outcomes: list[IngestOutcome] = Field(description="One row per file, in order")
    index_warning: str | None = Field(
        default=None,
        description="Set when the FAISS copy could not be brought up to date or saved, or was "
        "rebuilt from the graph (its files could not be read)",
    )
    investigation: RunReport | None = Field(
        default=None,
        description="The investigation of the new claims (None: nothing new, or skipped)",
    )
    confidences: UpdateReport | None = Field(
        default=None, description="The confidence update after it (None when none ran)"
    )
    extraction: ClaudeUse | None = Field(
        default=None,
        description="What Claude's claim extraction asked and spent (`--llm-extractor` only)",
    )
    # the command's account with Claude: the investigation after it spends from the same cap
    spend: Spend | None = Field(default=None, exclude=True)
    # the database went away before the index was in line: nothing more is tried
    database_gone: bool = Field(default=False, exclude=True)
    index_saved: bool = Field(default=True, exclude=True)  # False: `index_warning` says why

    @property
    def changed(self) -> bool:
        return any(o.status in ("ingested", "removed") for o in self.outcomes)

    @property
    def failed(self) -> bool:
        return any(o.status in ("failed", "refused") for o in self.outcomes)


def ingest(
    svc: Services,
    paths: Sequence[str],
    *,
    force: bool = False,
    follow_symlinks: bool = False,
    investigate_after: bool = True,
    on_file: Callable[[Path], None] | None = None,
    on_step: Callable[[Path, str], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    announce: Callable[[str], None] | None = None,
    on_stage: Callable[[str], None] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> IngestResult:
    """Ingest files, folders or globs (idempotent). With `investigate_after`, when files
    changed or claims are still unchecked (an earlier run was interrupted), the claims not
    yet investigated are investigated and the confidences they bear on updated; a re-ingest
    of unchanged files with nothing pending investigates nothing. `on_note` hears why claims
    checked before are checked again (the investigators changed since)."""
    spend = svc.new_spend()
    ingestor = svc.ingestor(spend)
    outcomes = ingestor.ingest_paths(
        list(paths), force=force, follow_symlinks=follow_symlinks, on_file=on_file, on_step=on_step
    )
    extracting = isinstance(ingestor.extractor, LLMExtractor)
    return _after(
        svc,
        IngestResult(
            outcomes=outcomes, extraction=spend.use() if extracting else None, spend=spend
        ),
        "rerun the same command: finished files are skipped",
        investigate_after=investigate_after,
        on_progress=on_progress,
        announce=announce,
        on_stage=on_stage,
        on_note=on_note,
    )


def forget_plan(svc: Services, paths: Sequence[str], *, folders: bool = True) -> ForgetPlan:
    """What `forget` would remove (`ingest.forget.plan_forget`); nothing is changed."""
    return plan_forget(svc.graph(), list(paths), folders=folders)


def forget(
    svc: Services,
    plan: ForgetPlan,
    *,
    investigate_after: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
    announce: Callable[[str], None] | None = None,
    on_stage: Callable[[str], None] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> IngestResult:
    """Forget the planned files (`ingest.forget`), then as after an ingest: the FAISS copy
    brought in line and, with `investigate_after`, the line-level findings and the confidences
    the removed findings bore on brought up to date."""
    outcomes = forget_files(svc.graph(), plan)
    spend = svc.new_spend()
    ingestor = svc.ingestor(spend)
    with contextlib.suppress(DatabaseUnavailableError):  # they stay pending: the next ingest
        outcomes += ingestor.reread_pending(set())  # a shared source's metadata: theirs
    extracting = isinstance(ingestor.extractor, LLMExtractor)
    return _after(
        svc,
        IngestResult(
            outcomes=outcomes, extraction=spend.use() if extracting else None, spend=spend
        ),
        "run `consilience investigate`: it brings the search index, the line-level findings and "
        "the confidences in line with what was forgotten",
        investigate_after=investigate_after,
        on_progress=on_progress,
        announce=announce,
        on_stage=on_stage,
        on_note=on_note,
    )


def _after(
    svc: Services,
    result: IngestResult,
    rerun: str,
    *,
    investigate_after: bool,
    on_progress: Callable[[int, int], None] | None,
    announce: Callable[[str], None] | None,
    on_stage: Callable[[str], None] | None,
    on_note: Callable[[str], None] | None,
) -> IngestResult:
    """The search index, then (with `investigate_after`) `follow_up`. `rerun`: what to do
    when the database goes away before the index is in line."""
    if on_stage:
        on_stage("Syncing the search index")
    try:
        # a copy not saved, or rebuilt: said, and the run goes on
        result.index_warning, result.index_saved = sync_claim_index(svc)
    except DatabaseUnavailableError as exc:  # the per-file outcomes still stand
        result.index_warning = (
            "the database went away before the search index was brought up to date "
            f"({exc.message}); start it (`consilience db start`) and {rerun}."
        )
        result.database_gone = True
        return result
    if investigate_after:
        follow_up(svc, result, on_progress=on_progress, announce=announce, on_stage=on_stage,
                  on_note=on_note)  # fmt: skip
    else:  # topic sizes and labels follow what left now, not at the next run (cheap)
        try:
            refresh_topics(svc.graph(), svc.claim_index())
        except Exception:  # a tidying step: the topics stay marked, the next run redoes them
            log.warning("topics not redone after ingest/forget", exc_info=True)
    return result


def follow_up(
    svc: Services,
    result: IngestResult,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    announce: Callable[[str], None] | None = None,
    on_stage: Callable[[str], None] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> None:
    """What `ingest(..., investigate_after=True)` does after the files and the index: when
    files changed or claims are still unchecked, investigate (and update the confidences),
    into `result`. Apart, so the API settles an upload's file between the two."""
    if result.database_gone:
        return
    # unchanged files: investigate only claims an interrupted run left unchecked (the runner
    # that counts them is the one that checks them)
    runner = None if result.changed else build_runner(svc, announce=announce, spend=result.spend)
    if runner is None or runner.pending():
        report, updated = investigate(
            svc,
            on_progress=on_progress,
            announce=announce,
            on_stage=on_stage,
            sync_index=False,
            runner=runner,
            on_note=on_note,
            spend=result.spend,
        )
        result.investigation, result.confidences = report, updated
