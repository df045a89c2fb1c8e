"""The job registry: jobs of one key run one at a time, in the order they came, whatever the
number of workers and of server processes sharing the data folder; other keys are not held up;
a job whose process is gone reads as failed and frees its key; finished jobs outlive a
restart."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

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
