"""Ingest jobs: long ingests run in a worker thread; clients poll their status (from any
worker process of the server: the jobs are in `api.job_store`)."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from api.job_store import MAX_KEPT, JobStore
from api.private_paths import maybe_hidden, paths_hidden
from consilience.errors import (
    ConsilienceError,
    NotFoundError,
    ServiceUnavailableError,
)
from consilience.llm_spend import ClaudeUse
from ingest.pipeline import IngestOutcome

POLL_S = 0.1  # how often a job waiting on another process's job of its key looks again
FLUSH_S = 0.5  # how often a running job's progress is written for the other processes
END_RETRIES = 6  # tries (half a second apart) at shutdown to store an end the store refused
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


_Pending = tuple[Job, Callable[[Job], None], str | None]  # a job, its work and its key


def _unavailable(store: JobStore, exc: sqlite3.Error) -> ServiceUnavailableError:
    return ServiceUnavailableError(
        f"The server's job records ({store.path.name}) could not be read or written ({exc}).",
        "Try again in a moment. If it goes on, check that the server's data folder is on a "
        "local disk, writable and not full.",
    )


ORPHANED = (
    "The server process that had this job stopped before it finished (a restart, or a crash).",
    "Send it again: a document already stored is not stored twice.",
)
NOT_STARTED = (
    "The server stopped before this job started.",
    "Send it again once the server is back: a document already stored is not stored twice.",
)


class JobRegistry:
    """Jobs in a `JobStore` (one SQLite file that every worker process of the server shares,
    kept across restarts); each job runs in the process that accepted it, in a pool of
    `workers` threads. Jobs of one key run one at a time, in the order they came, across every
    process; a job whose process is gone is reported failed (send it again: ingestion is
    idempotent)."""

    def __init__(self, folder: Path, workers: int = 1) -> None:
        self._store = JobStore(folder)
        self._store.hold()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ingest")
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._order = threading.Lock()  # the store's order of a key's jobs = `_pending`'s
        self._writing = threading.Lock()  # one write of a job's body at a time
        self._live: dict[str, Job] = {}  # this process's unfinished jobs, as they are now
        # accepted here and not started, in the order they came: a job of a key starts when it
        # is the oldest unfinished job of that key in the store (whichever process has it)
        self._pending: list[_Pending] = []
        self._written: dict[str, str] = {}  # the body last written for each live job
        self._unsaved: set[str] = set()  # ended here, the end not yet in the store: retried
        self._closing = False  # no new job; the running ones finish
        self._drained = False  # ... and have: the dispatcher stops
        self._store.sweep_owners()  # a crashed process's liveness file (its jobs: below)
        for job_id, owner, _ in self._store.open_jobs():  # left by a process that is gone
            if not self._store.alive(owner):
                self._orphaned(job_id)
        self._dispatcher = threading.Thread(target=self._dispatch, name="jobs", daemon=True)
        self._dispatcher.start()

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
        with self._order:
            if self._closing:
                raise ServiceUnavailableError(
                    "The server is stopping and takes no new jobs.",
                    "Send it again once the server is back.",
                )
            try:
                self._store.add(job.id, key, job.model_dump_json())
            except sqlite3.Error as exc:
                raise _unavailable(self._store, exc) from exc
            with self._wake:
                self._live[job.id] = job
                self._pending.append((job, work, key))
                self._wake.notify()
        return _snapshot(job)

    def busy(self, key: str) -> bool:
        """Whether a job of `key` is queued or running (in any process of the server)."""
        try:
            return self._head(key) is not None
        except sqlite3.Error as exc:
            raise _unavailable(self._store, exc) from exc

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._live.get(job_id)
        if job is not None:
            return _snapshot(job)
        try:
            row = self._store.get(job_id)
            if row is not None and not row[2] and not self._store.alive(row[0]):
                row = self._orphaned(job_id)
        except sqlite3.Error as exc:
            raise _unavailable(self._store, exc) from exc
        if row is None:
            raise NotFoundError(
                f"No job {job_id!r}.",
                f"Check the id: the newest {MAX_KEPT:,} finished jobs are kept, across restarts.",
            )
        return _snapshot(_parsed(job_id, row[1]))

    def shutdown(self) -> None:
        """Finish the running jobs; the ones not started end now as failed (send them again),
        so they hold no document while the running ones finish. The running jobs' progress is
        still written meanwhile, and an end the store refused is tried again before this
        process lets go of its jobs."""
        with self._order, self._wake:
            self._closing = True
            never = [j for j in self._live.values() if j.status == "queued"]
            for job in never:  # pending, or in the pool's queue: `_run_now` skips them
                job.status, job.error, job.hint = "failed", *NOT_STARTED
                job.finished_at = _now()
            self._pending.clear()
            self._wake.notify()
        for job in never:
            self._ended(job)
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._wake:
            self._drained = True
            self._wake.notify()
        self._dispatcher.join(timeout=10)
        for _ in range(END_RETRIES):  # else other processes read these as never finished
            self._retry_unsaved()
            with self._lock:
                if not self._unsaved:
                    break
            time.sleep(0.5)
        self._store.release()

    # ---- inside -------------------------------------------------------------------------
    def _head(self, key: str) -> str | None:
        """The oldest unfinished job of `key` whose process is alive (the ones whose process
        is gone are marked failed on the way)."""
        for job_id, owner in self._store.open_of(key):
            if self._store.alive(owner):
                return job_id
            self._orphaned(job_id)
        return None

    def _orphaned(self, job_id: str) -> tuple[str, str, bool] | None:
        """Mark a job whose process is gone as failed, unless it has ended meanwhile (its
        process may have finished it and stopped since it was read); the row now."""
        row = self._store.get(job_id)
        if row is None or row[2]:
            return row
        job = _parsed(job_id, row[1])
        job.status, job.error, job.hint = "failed", *ORPHANED
        job.finished_at = _now()
        self._store.finish_if_open(job_id, job.model_dump_json())
        return self._store.get(job_id)

    def _dispatch(self) -> None:
        """Start each accepted job once it may run; write the running jobs' progress to the
        store every FLUSH_S (other processes answer `GET /jobs/{id}` from it), until the
        registry is shut down and its running jobs are done. A failure of the store is logged
        and tried again: this thread must not die."""
        last_flush = 0.0
        while True:
            with self._wake:
                if self._drained:
                    return
                pending = [] if self._closing else list(self._pending)
            start, gone = self._startable(pending)
            failed = start is None
            try:
                if time.monotonic() - last_flush >= FLUSH_S:
                    last_flush = time.monotonic()
                    self._flush()
                    self._retry_unsaved()
            except Exception:  # logged; the next pass, a second on, tries again
                log.exception("the job dispatcher could not write to %s", self._store.path)
                failed = True
            with self._wake:
                for item in gone:  # ended by another process (see `_startable`)
                    if item in self._pending:
                        self._pending.remove(item)
                        self._live.pop(item[0].id, None)
                for item in start or []:
                    if item in self._pending and not self._closing:
                        self._pending.remove(item)
                        self._pool.submit(self._run_now, item[0], item[1])
                if self._drained:
                    return
                due = max(0.01, FLUSH_S - (time.monotonic() - last_flush))
                # another process's job of a key may end at any time: look again soon
                busy = self._pending or self._live or self._unsaved
                wait = min(POLL_S, due) if self._pending else due if busy else None
                self._wake.wait(max(wait, 1.0) if failed and wait is not None else wait)

    def _startable(self, pending: list[_Pending]) -> tuple[list[_Pending] | None, list[_Pending]]:
        """The pending jobs that may start now (None when the store could not be read), and
        those another process has ended meanwhile (taken for a dead owner's, e.g. after this
        process's liveness file was removed by hand): they are dropped here, and their end as
        stored is what every process reports."""
        start: list[_Pending] = []
        gone: list[_Pending] = []
        held: set[str] = set()
        try:
            for item in pending:
                key = item[2]
                if key is None or (key not in held and self._head(key) == item[0].id):
                    start.append(item)
                    continue
                if key not in held:
                    held.add(key)  # its later jobs wait behind it
                row = self._store.get(item[0].id)
                if row is None or row[2]:
                    log.warning("job %s was ended by another process before it started",
                                item[0].id)  # fmt: skip
                    gone.append(item)
        except Exception:  # logged; the next pass, a second on, tries again
            log.exception("the job dispatcher could not read %s", self._store.path)
            return None, gone
        return start, gone

    def _flush(self) -> None:
        with self._lock:
            running = [j for j in self._live.values() if j.status == "running"]
        for job in running:
            body = job.model_dump_json()
            if self._written.get(job.id) == body:
                continue
            # never over the job's end: `_ended` takes the same lock, and the store writes
            # progress only to a job still open
            with self._writing:
                if job.id in self._live and job.status == "running":
                    self._store.put_progress(job.id, body)
                    self._written[job.id] = body

    def _ended(self, job: Job) -> None:
        """Write a job's end; where the store fails, it is kept here and retried."""
        try:
            with self._writing:
                if not self._store.finish_if_open(job.id, job.model_dump_json()):
                    log.warning(
                        "job %s had been ended by another process (taken for a dead "
                        "process's job); its own end is not stored",
                        job.id,
                    )
        except sqlite3.Error:
            log.exception("job %s's end could not be written to %s", job.id, self._store.path)
            with self._wake:
                self._unsaved.add(job.id)
            return
        with self._wake:
            self._live.pop(job.id, None)
            self._written.pop(job.id, None)
            self._unsaved.discard(job.id)
            self._wake.notify()  # the next job of its key may start

    def _retry_unsaved(self) -> None:
        with self._lock:
            jobs = [self._live[i] for i in self._unsaved if i in self._live]
        for job in jobs:
            self._ended(job)

    def _run_now(self, job: Job, work: Callable[[Job], None]) -> None:
        with self._lock:
            if job.status != "queued":  # ended by shutdown before it started
                return
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
        job.finished_at = _now()
        self._ended(job)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _parsed(job_id: str, body: str) -> Job:
    """A stored job; one whose record cannot be read is a failed job that says so."""
    try:
        return Job.model_validate_json(body)
    except ValueError:
        log.exception("job %s's record could not be read", job_id)
        return Job(
            id=job_id, kind="unknown", status="failed", created_at=_now(),
            error="This job's record could not be read.",
            hint="Send it again: a document already stored is not stored twice.",
        )  # fmt: skip
