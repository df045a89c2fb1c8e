"""Ingest jobs: long ingests run in a worker thread; clients poll their status."""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.private_paths import maybe_hidden, paths_hidden
from consilience.errors import ConsilienceError, NotFoundError
from consilience.llm_spend import ClaudeUse
from ingest.pipeline import IngestOutcome

MAX_KEPT = 1000
log = logging.getLogger(__name__)


class Job(BaseModel):
    id: str = Field(description="Job id", examples=["job_4f1c2a9e0b7d"])
    kind: str = Field(description="What the job does", examples=["ingest"])
    status: Literal["queued", "running", "done", "failed"] = Field(description="Where it is")
    created_at: str = Field(description="ISO timestamp")
    finished_at: str | None = Field(default=None, description="ISO timestamp")
    inputs: list[str] = Field(default_factory=list, description="File names given")
    outcomes: list[IngestOutcome] = Field(
        default_factory=list[IngestOutcome], description="Per input file"
    )
    findings: dict[str, int] = Field(default_factory=dict, description="New findings by kind")
    line_findings: dict[str, int] = Field(
        default_factory=dict,
        description="Line-level findings by kind, recomputed every run: how many there are now",
    )
    confidences_updated: int = Field(default=0, description="Confidences recomputed after the run")
    findings_withdrawn: int = Field(
        default=0,
        description="Unreviewed findings of another investigator version not found again",
    )
    contradictions_folded: int = Field(
        default=0,
        description="Unreviewed contradictions filed before beside a summary's distortion of the "
        "same claims, withdrawn (the distortion names them)",
    )
    rechecked: int = Field(
        default=0,
        description="Claims checked before by other versions of the investigators, checked "
        "again (the first run after an upgrade re-checks the whole graph)",
    )
    left_unchecked: int = Field(
        default=0,
        description="Claims the investigation could not conclude about (e.g. Claude's questions "
        "unanswered): the next investigation takes them up again",
    )
    claude: ClaudeUse | None = Field(
        default=None,
        description="What the job asked of Claude and spent (its extraction included), under "
        "its cap (none without a key)",
    )
    notes: list[str] = Field(
        default_factory=list,
        description="What the client should know, as soon as it is known (e.g. while running: "
        "why claims checked before are checked again, and so why the job takes long; Claude's "
        "cost estimate and Message Batch waits; then the run's warnings)",
    )
    error: str | None = Field(default=None, description="Why it failed")
    hint: str | None = Field(default=None, description="What to do about it")


def _snapshot(job: Job) -> Job:
    """A copy for the client: its own list of notes, which the worker may still append to,
    and its texts with the server's files named by their names only (an error written for
    the command line can give a path on the server: review)."""
    outcomes = [
        o.model_copy(
            update={
                "error": maybe_hidden(o.error),
                "hint": maybe_hidden(o.hint),
                "warnings": [paths_hidden(w) for w in o.warnings],
            }
        )
        for o in list(job.outcomes)
    ]
    return job.model_copy(
        update={
            "notes": [paths_hidden(n) for n in list(job.notes)],
            "outcomes": outcomes,
            "error": maybe_hidden(job.error),
            "hint": maybe_hidden(job.hint),
        }
    )


class JobRegistry:
    """In-process jobs (lost on restart: re-submitting is safe, ingestion is idempotent)."""

    def __init__(self, workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ingest")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        # jobs of one key, oldest first; the first is running (or about to). A key is here only
        # while it has jobs, and one worker runs them in turn: no worker waits on another.
        self._queues: dict[str, deque[tuple[Job, Callable[[Job], None]]]] = {}
        self._closing = False

    def submit(
        self, kind: str, inputs: list[str], work: Callable[[Job], None], *, key: str | None = None
    ) -> Job:
        """Queue `work`; jobs given the same `key` (an upload's file name) never run at once,
        so each reads the bytes it was given, in the order they came."""
        job = Job(
            id=f"job_{uuid.uuid4().hex[:12]}",
            kind=kind,
            status="queued",
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            inputs=inputs,
        )
        with self._lock:
            self._jobs[job.id] = job
            if len(self._jobs) > MAX_KEPT:  # forget the oldest finished ones
                for old in [j for j in self._jobs.values() if j.finished_at][: MAX_KEPT // 10]:
                    self._jobs.pop(old.id, None)
        if key is None:
            self._pool.submit(self._run_now, job, work)
            return _snapshot(job)
        with self._lock:
            queue = self._queues.get(key)
            if queue is not None:  # a job of this key is queued or running: this one follows
                queue.append((job, work))
                return _snapshot(job)
            self._queues[key] = deque([(job, work)])
        self._pool.submit(self._drain, key)
        return _snapshot(job)

    def busy(self, key: str) -> bool:
        """Whether a job of `key` is queued or running."""
        with self._lock:
            return key in self._queues

    def _drain(self, key: str) -> None:
        """Run the jobs of `key` in the order they came, until none is left (the key is then
        forgotten). At shutdown the ones not started stay queued, like any queued job."""
        while True:
            with self._lock:
                queue = self._queues[key]
                if not queue or self._closing:
                    del self._queues[key]
                    return
                job, work = queue[0]
            try:
                self._run_now(job, work)
            finally:
                with self._lock:
                    queue.popleft()

    def _run_now(self, job: Job, work: Callable[[Job], None]) -> None:
        job.status = "running"
        try:
            work(job)
            job.status = "failed" if any(o.status == "failed" for o in job.outcomes) else "done"
            if job.status == "failed":
                job.error = "; ".join(o.error or "" for o in job.outcomes if o.error)
                job.hint = next((o.hint for o in job.outcomes if o.hint), None)
        except ConsilienceError as exc:
            job.status, job.error, job.hint = "failed", exc.message, exc.hint
        except Exception as exc:  # a job must never die silently
            # its text may name server paths: it goes to the log, the client gets its kind
            log.exception("job %s failed", job.id)
            job.status, job.error = "failed", f"Internal error ({type(exc).__name__})."
            job.hint = "The server log has the details."
        job.finished_at = datetime.now(UTC).isoformat(timespec="seconds")

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"No job {job_id!r}.", "Jobs are kept in memory until restart.")
        return _snapshot(job)

    def shutdown(self) -> None:
        with self._lock:
            self._closing = True
        self._pool.shutdown(wait=True, cancel_futures=True)
