"""The job registry: jobs of one key run one at a time, in the order they came, whatever the
number of workers and of server processes sharing the data folder; other keys are not held up;
a job whose process is gone reads as failed and frees its key; finished jobs outlive a
restart."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from api.jobs import Job, JobRegistry


def _nothing_open(registry: JobRegistry) -> bool:
    return not registry._pending and not registry._store.open_jobs()


def _wait(registry: JobRegistry, ids: list[str], timeout: float = 10.0) -> list[Job]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        jobs = [registry.get(i) for i in ids]
        if all(j.finished_at for j in jobs):
            return jobs
        time.sleep(0.01)
    raise AssertionError(f"jobs not finished: {[registry.get(i).status for i in ids]}")


def test_jobs_of_one_key_run_in_order_one_at_a_time_with_several_workers(tmp_path: Path) -> None:
    registry = JobRegistry(tmp_path, workers=4)
    log: list[tuple[str, str]] = []
    running = 0
    most = 0
    guard = threading.Lock()

    def work_for(name: str, pause: float):
        def work(job: Job) -> None:
            nonlocal running, most
            with guard:
                running += 1
                most = max(most, running)
                log.append(("start", name))
            time.sleep(pause)
            with guard:
                running -= 1
                log.append(("end", name))

        return work

    try:
        # the first is slow, so the later ones are all waiting while the pool has idle workers
        ids = [
            registry.submit("ingest", [n], work_for(n, 0.2 if n == "v1" else 0.01), key="a.md").id
            for n in ("v1", "v2", "v3", "v4")
        ]
        jobs = _wait(registry, ids)
    finally:
        registry.shutdown()
    assert [j.status for j in jobs] == ["done"] * 4
    assert most == 1
    assert log == [(e, n) for n in ("v1", "v2", "v3", "v4") for e in ("start", "end")]
    assert _nothing_open(registry)  # the key is free once its jobs are done


def test_another_key_is_not_held_up_by_a_busy_one(tmp_path: Path) -> None:
    registry = JobRegistry(tmp_path, workers=2)
    release = threading.Event()
    try:

        def slow_work(job: Job) -> None:
            release.wait(10)

        slow = registry.submit("ingest", ["a"], slow_work, key="a.md")
        other = registry.submit("ingest", ["b"], lambda job: None, key="b.md")
        (done,) = _wait(registry, [other.id], timeout=5)
        assert done.status == "done"
        assert registry.get(slow.id).status == "running"
        release.set()
        _wait(registry, [slow.id])
    finally:
        release.set()
        registry.shutdown()
    assert _nothing_open(registry)


def test_a_failing_job_does_not_stop_the_next_of_its_key(tmp_path: Path) -> None:
    registry = JobRegistry(tmp_path, workers=1)

    def boom(job: Job) -> None:
        raise RuntimeError("/srv/secret/path broke")

    try:
        first = registry.submit("ingest", ["a"], boom, key="a.md")
        second = registry.submit("ingest", ["a"], lambda job: None, key="a.md")
        failed, done = _wait(registry, [first.id, second.id])
    finally:
        registry.shutdown()
    assert failed.status == "failed" and failed.error == "Internal error (RuntimeError)."
    assert "/srv" not in (failed.error or "") + (failed.hint or "")
    assert done.status == "done"
    assert _nothing_open(registry)


def test_a_jobs_texts_name_server_files_by_name_only(tmp_path: Path) -> None:
    """From review: a job's error, hint, notes and per-file texts reached `GET /jobs/{id}` as
    written for the command line, where an outage's hint gives the password file's path."""
    from consilience.errors import DatabaseUnavailableError
    from ingest.pipeline import IngestOutcome

    def work(job: Job) -> None:
        job.notes.append("read /tmp/up/2026/notes.md")
        job.outcomes.append(IngestOutcome(path="notes.md", status="ingested",
                                          warnings=["kept /usr/share/x/y.md"]))  # fmt: skip
        raise DatabaseUnavailableError(
            "Neo4j refused the credentials.",
            "The password is in /tmp/p/.consilience/neo4j/password.",
        )

    registry = JobRegistry(tmp_path)
    (job,) = _wait(registry, [registry.submit("ingest", ["notes.md"], work).id])
    assert (job.status, job.error) == ("failed", "Neo4j refused the credentials.")
    assert job.hint == "The password is in password."
    assert job.notes == ["read notes.md"] and job.outcomes[0].warnings == ["kept y.md"]


def test_two_processes_share_jobs_and_keys(tmp_path: Path) -> None:
    """Two registries on one folder stand for two worker processes of `serve --workers 2`
    (each has its own liveness lock): a job of a key accepted by one waits for the other's
    job of that key, and either answers for any job, its progress included."""
    first, second = JobRegistry(tmp_path), JobRegistry(tmp_path)
    release, order = threading.Event(), []
    try:

        def slow(job: Job) -> None:
            job.notes.append("half way")
            order.append("first")
            release.wait(10)

        a = first.submit("ingest", ["a.md"], slow, key="a.md")
        b = second.submit("ingest", ["a.md"], lambda job: order.append("second"), key="a.md")
        end = time.monotonic() + 5
        while second.get(a.id).notes != ["half way"]:  # written for the other process
            assert time.monotonic() < end, second.get(a.id)
            time.sleep(0.05)
        assert second.get(a.id).status == "running"
        assert first.busy("a.md") and second.busy("a.md")
        time.sleep(0.4)  # the second process looks again every POLL_S: its job still waits
        assert second.get(b.id).status == "queued" and order == ["first"]
        release.set()
        (done_b,) = _wait(second, [b.id])
        (done_a,) = _wait(second, [a.id])
    finally:
        release.set()
        first.shutdown()
        second.shutdown()
    assert (done_a.status, done_b.status) == ("done", "done")
    assert order == ["first", "second"]
    assert not second.busy("a.md")


_DIES_WITH_A_JOB = """
import os, sys, threading, time
from pathlib import Path
from api.jobs import JobRegistry
registry = JobRegistry(Path(sys.argv[1]))
running = registry.submit("ingest", ["a.md"], lambda job: threading.Event().wait(60), key="a.md")
queued = registry.submit("ingest", ["a.md"], lambda job: None, key="a.md")
while registry.get(running.id).status != "running":
    time.sleep(0.01)
print(running.id, queued.id, flush=True)
os._exit(0)  # as a killed worker: nothing is cleaned up
"""


def test_a_job_whose_process_died_reads_as_failed_and_frees_its_key(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _DIES_WITH_A_JOB, str(tmp_path)],
        capture_output=True, text=True, timeout=60, check=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout.split()  # fmt: skip
    running_id, queued_id = out
    registry = JobRegistry(tmp_path)  # the server restarted (or another worker looks)
    try:
        for job_id in (running_id, queued_id):
            job = registry.get(job_id)
            assert job.status == "failed" and job.finished_at
            assert job.error and "stopped before it finished" in job.error
            assert job.hint and "Send it again" in job.hint
        assert not registry.busy("a.md")
        (after,) = _wait(
            registry, [registry.submit("ingest", ["a.md"], lambda j: None, key="a.md").id]
        )
        assert after.status == "done"
    finally:
        registry.shutdown()


def test_finished_jobs_outlive_a_restart_and_unknown_ids_are_404(tmp_path: Path) -> None:
    from consilience.errors import NotFoundError

    registry = JobRegistry(tmp_path)
    try:
        (job,) = _wait(registry, [registry.submit("ingest", ["a.md"], lambda j: None).id])
    finally:
        registry.shutdown()
    again = JobRegistry(tmp_path)
    try:
        kept = again.get(job.id)
        assert (kept.status, kept.inputs, kept.finished_at) == ("done", ["a.md"], job.finished_at)
        try:
            again.get("job_000000000000")
            raise AssertionError("an unknown id was found")
        except NotFoundError as exc:
            assert "finished jobs are kept" in exc.hint
    finally:
        again.shutdown()


def test_a_stopping_registry_takes_no_new_job(tmp_path: Path) -> None:
    from consilience.errors import ServiceUnavailableError

    registry = JobRegistry(tmp_path)
    registry.shutdown()
    try:
        registry.submit("ingest", ["a.md"], lambda j: None)
        raise AssertionError("a job was taken while stopping")
    except ServiceUnavailableError as exc:
        assert exc.http_status == 503 and exc.retryable


def test_the_jobs_file_is_private(tmp_path: Path) -> None:
    registry = JobRegistry(tmp_path / "api")
    registry.shutdown()
    assert (tmp_path / "api").stat().st_mode & 0o077 == 0
    assert (tmp_path / "api" / "jobs.sqlite3").stat().st_mode & 0o077 == 0


# ---- after review: the store's failures and races ----------------------------------------
def test_a_progress_write_never_undoes_a_jobs_end(tmp_path: Path) -> None:
    from api.job_store import JobStore

    store = JobStore(tmp_path)
    store.add("job_x", "a.md", '{"late": false}')
    assert store.finish_if_open("job_x", '{"end": true}')
    store.put_progress("job_x", '{"late": true}')  # a flush that lost the race
    assert store.get("job_x") == (store.owner, '{"end": true}', True)
    assert not store.finish_if_open("job_x", '{"orphaned": true}')  # ended once only
    assert store.open_of("a.md") == []


def test_a_progress_write_under_way_as_the_job_ends_never_undoes_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overlap is forced: the job ends only once a progress write has begun, and that
    write goes on only once the job is done (before the fix the end was stored first, then
    the late write made the job "running" again for good, and its document stayed busy)."""
    registry = JobRegistry(tmp_path)
    store = registry._store
    real = store.put_progress
    flushing = threading.Event()
    jobs: list[Job] = []

    def late(job_id: str, body: str) -> None:
        flushing.set()
        end = time.monotonic() + 2
        while jobs and jobs[0].status != "done" and time.monotonic() < end:
            time.sleep(0.01)
        real(job_id, body)

    monkeypatch.setattr(store, "put_progress", late)
    try:

        def work(job: Job) -> None:
            jobs.append(job)
            job.notes.append("started")
            assert flushing.wait(5), "no progress write began"

        job = registry.submit("ingest", ["a"], work, key="a.md")
        _wait(registry, [job.id])
        end = time.monotonic() + 5
        while registry.busy("a.md"):
            assert time.monotonic() < end, "the document stayed busy"
            time.sleep(0.02)
        row = store.get(job.id)
        assert row is not None and row[2] and '"status":"done"' in row[1]
    finally:
        registry.shutdown()


def test_the_dispatcher_outlives_a_failing_store_and_an_end_not_written_is_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = JobRegistry(tmp_path)
    store = registry._store
    real_open, real_finish = store.open_of, store.finish_if_open
    fails = {"open": 1, "finish": 1}

    def open_of(key: str) -> list[tuple[str, str]]:
        if fails["open"]:
            fails["open"] -= 1
            raise sqlite3.OperationalError("database is locked")
        return real_open(key)

    def finish_if_open(job_id: str, body: str) -> bool:
        if fails["finish"]:
            fails["finish"] -= 1
            raise sqlite3.OperationalError("disk I/O error")
        return real_finish(job_id, body)

    monkeypatch.setattr(store, "open_of", open_of)
    monkeypatch.setattr(store, "finish_if_open", finish_if_open)
    other = JobRegistry(tmp_path)  # another process reads the store only
    try:
        job = registry.submit("ingest", ["a"], lambda j: None, key="a.md")
        end = time.monotonic() + 10
        while not (row := store.get(job.id)) or not row[2]:
            assert time.monotonic() < end, "the job's end never reached the store"
            time.sleep(0.05)
        assert fails == {"open": 0, "finish": 0}
        assert other.get(job.id).status == "done" and not other.busy("a.md")
    finally:
        registry.shutdown()
        other.shutdown()


def test_a_store_that_cannot_be_read_is_a_503(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from consilience.errors import ServiceUnavailableError

    registry = JobRegistry(tmp_path)

    def locked(*args: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    try:
        calls: list[tuple[str, Callable[[], object]]] = [
            ("get", lambda: registry.get("job_1")),
            ("open_of", lambda: registry.busy("a.md")),
            ("add", lambda: registry.submit("ingest", ["a"], lambda j: None)),
        ]
        for name, call in calls:
            with monkeypatch.context() as m:
                m.setattr(registry._store, name, locked)
                with pytest.raises(ServiceUnavailableError) as err:
                    call()
            assert err.value.http_status == 503 and err.value.retryable
            assert "jobs.sqlite3" in err.value.message and str(tmp_path) not in err.value.message
    finally:
        registry.shutdown()


def test_an_orphan_sweep_never_overwrites_a_job_that_ended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep read the job while it was open; its owner then finished it and stopped; the
    sweep's write must not turn "done" into "failed"."""
    first = JobRegistry(tmp_path)
    (job,) = _wait(first, [first.submit("ingest", ["a"], lambda j: None, key="a.md").id])
    first.shutdown()  # its owner is gone now
    later = JobRegistry(tmp_path)
    store = later._store
    real = store.get
    stale = real(job.id)
    assert stale is not None
    reads = [(stale[0], stale[1].replace('"done"', '"running"'), False)]  # read while open

    def get(job_id: str) -> tuple[str, str, bool] | None:
        return reads.pop() if reads else real(job_id)

    monkeypatch.setattr(store, "get", get)
    try:
        row = later._orphaned(job.id)
        assert row is not None and row[2] and '"status":"done"' in row[1]
        assert later.get(job.id).status == "done"
    finally:
        later.shutdown()


def test_a_job_ended_by_another_process_before_it_started_is_not_left_queued(
    tmp_path: Path,
) -> None:
    """From review: ended elsewhere (taken for a dead process's job), it stayed in this
    process's queue for ever, "queued" here and "failed" everywhere else."""
    registry = JobRegistry(tmp_path)
    other = JobRegistry(tmp_path)
    release = threading.Event()
    ran: list[str] = []
    try:

        def hold(job: Job) -> None:
            release.wait(10)

        first = registry.submit("ingest", ["a"], hold, key="a.md")
        second = registry.submit("ingest", ["a"], lambda j: ran.append("second"), key="a.md")
        ended = second.model_copy(update={"status": "failed", "error": "taken", "finished_at": "x"})
        assert other._store.finish_if_open(second.id, ended.model_dump_json())
        end = time.monotonic() + 5
        while registry.get(second.id).status == "queued":
            assert time.monotonic() < end, "still queued here"
            time.sleep(0.05)
        assert registry.get(second.id).error == "taken"
        release.set()
        _wait(registry, [first.id])
        time.sleep(0.3)
        assert ran == []  # never run after it was ended
    finally:
        release.set()
        registry.shutdown()
        other.shutdown()


def test_progress_is_still_written_while_shutdown_waits_for_a_running_job(
    tmp_path: Path,
) -> None:
    registry = JobRegistry(tmp_path)
    other = JobRegistry(tmp_path)
    go_on, release = threading.Event(), threading.Event()
    stopper = None
    try:

        def work(job: Job) -> None:
            go_on.wait(10)
            job.notes.append("after the stop began")
            release.wait(10)

        job = registry.submit("ingest", ["a"], work, key="a.md")
        end = time.monotonic() + 5
        while registry.get(job.id).status != "running":
            assert time.monotonic() < end
            time.sleep(0.01)
        stopper = threading.Thread(target=registry.shutdown)
        stopper.start()
        go_on.set()
        end = time.monotonic() + 5
        while "after the stop began" not in other.get(job.id).notes:
            assert time.monotonic() < end, "progress stopped being written at shutdown"
            time.sleep(0.05)
    finally:
        go_on.set()
        release.set()
        if stopper is not None:
            stopper.join(10)
        other.shutdown()
    assert other_done(tmp_path, job.id)


def test_shutdown_ends_the_jobs_not_started_at_once(tmp_path: Path) -> None:
    """From review: jobs not started held their documents for as long as the running job
    took to finish (a rolling restart's new processes waited behind the old one)."""
    registry = JobRegistry(tmp_path, workers=1)
    release = threading.Event()
    other = JobRegistry(tmp_path)
    stopper = None
    try:

        def hold(job: Job) -> None:
            release.wait(10)

        running = registry.submit("ingest", ["a"], hold, key="a.md")
        queued = registry.submit("ingest", ["b"], lambda j: None, key="b.md")
        end = time.monotonic() + 5
        while registry.get(running.id).status != "running":
            assert time.monotonic() < end
            time.sleep(0.01)
        stopper = threading.Thread(target=registry.shutdown)
        stopper.start()
        end = time.monotonic() + 5
        while other.busy("b.md"):
            assert time.monotonic() < end, "the job not started still holds its document"
            time.sleep(0.02)
        ended = other.get(queued.id)
        assert (
            ended.status == "failed"
            and ended.error == "The server stopped before this job started."
        )
        assert stopper.is_alive()  # still waiting for the running job
    finally:
        release.set()
        if stopper is not None:
            stopper.join(10)
        other.shutdown()
    assert other_done(tmp_path, running.id)


def other_done(folder: Path, job_id: str) -> bool:
    again = JobRegistry(folder)
    try:
        return again.get(job_id).status == "done"
    finally:
        again.shutdown()


def test_a_crashed_processs_liveness_file_is_swept(tmp_path: Path) -> None:
    stale = tmp_path / "owners" / "0123456789abcdef"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"")  # no process holds its lock
    registry = JobRegistry(tmp_path)
    try:
        assert not stale.exists()
        assert [p.name for p in (tmp_path / "owners").iterdir()] == [registry._store.owner]
    finally:
        registry.shutdown()
    assert list((tmp_path / "owners").iterdir()) == []


def test_a_liveness_file_is_locked_whenever_it_can_be_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From review: the file was created, then locked; a sweep by another process between the
    two found it unlocked and removed it, and the starting process then counted as dead (its
    jobs failed under it). It is now locked under a hidden name and renamed into place; a
    hidden one left by a process that died while starting is swept once it is old."""
    import os

    import api.job_store as js
    from api.job_store import STARTING_S, JobStore

    first, second = JobStore(tmp_path), JobStore(tmp_path)
    real_flock = js.fcntl.flock

    def sweep_first(fh: object, op: int) -> None:  # another process sweeps before the lock
        second.sweep_owners()
        real_flock(fh, op)  # pyright: ignore[reportArgumentType]

    monkeypatch.setattr(js.fcntl, "flock", sweep_first)
    first.hold()
    monkeypatch.setattr(js.fcntl, "flock", real_flock)
    assert [p.name for p in (tmp_path / "owners").iterdir()] == [first.owner]
    assert second.alive(first.owner)  # locked as soon as it has its name
    left = tmp_path / "owners" / ".deadbeef.new"
    left.write_bytes(b"")
    second.sweep_owners()
    assert left.exists()  # it may be a process starting right now
    old = time.time() - STARTING_S - 5
    os.utime(left, (old, old))
    second.sweep_owners()
    assert not left.exists() and second.alive(first.owner)
    first.release()
    assert not second.alive(first.owner)
