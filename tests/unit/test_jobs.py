"""The in-process job registry: jobs of one key run one at a time, in the order they came,
whatever the number of workers; other keys are not held up; a key is forgotten when done."""

from __future__ import annotations

import threading
import time

from api.jobs import Job, JobRegistry


def _wait(registry: JobRegistry, ids: list[str], timeout: float = 10.0) -> list[Job]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        jobs = [registry.get(i) for i in ids]
        if all(j.finished_at for j in jobs):
            return jobs
        time.sleep(0.01)
    raise AssertionError(f"jobs not finished: {[registry.get(i).status for i in ids]}")


def test_jobs_of_one_key_run_in_order_one_at_a_time_with_several_workers() -> None:
    registry = JobRegistry(workers=4)
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
    assert registry._queues == {}  # the key is forgotten once its jobs are done


def test_another_key_is_not_held_up_by_a_busy_one() -> None:
    registry = JobRegistry(workers=2)
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
    assert registry._queues == {}


def test_a_failing_job_does_not_stop_the_next_of_its_key() -> None:
    registry = JobRegistry(workers=1)

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
    assert registry._queues == {}


def test_a_jobs_texts_name_server_files_by_name_only() -> None:
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

    registry = JobRegistry()
    (job,) = _wait(registry, [registry.submit("ingest", ["notes.md"], work).id])
    assert (job.status, job.error) == ("failed", "Neo4j refused the credentials.")
    assert job.hint == "The password is in password."
    assert job.notes == ["read notes.md"] and job.outcomes[0].warnings == ["kept y.md"]
