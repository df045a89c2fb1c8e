"""`consilience serve --workers 2` on the real database: two processes behind one port share
the jobs (api.job_store). Polls on fresh connections may reach either process (the kernel
chooses) and every poll finds the job; two versions of one document sent back to back are
ingested in the order they came; stopping the server stops both processes. (Which process
takes what cannot be chosen from outside: tests/unit/test_jobs.py has two registries on one
folder take one key's jobs, each its own, for the cross-process order itself.)"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from api.job_store import owner_files, store_folder
from api.serve import free_port
from app.services import Services

KEY = "w" * 24
FIRST = "Linear probes detect deceptive behaviour in 80% of the transcripts we read."
SECOND = "Linear probes detect deceptive behaviour in 55% of the transcripts we read."


def _env(svc: Services) -> dict[str, str]:
    s = svc.settings
    env = {**os.environ, "CONSILIENCE_DATA_DIR": str(s.data_dir)}  # noqa: TID251 - test wiring
    env["CONSILIENCE_API__KEYS"] = f'["{KEY}"]'
    if s.neo4j.lib_dir:
        env["CONSILIENCE_NEO4J__LIB_DIR"] = str(s.neo4j.lib_dir)
    if s.uses_external_db and s.neo4j.uri:
        env["NEO4J_URI"] = s.neo4j.uri
    return env


def _owners(svc: Services) -> list[Path]:
    return owner_files(store_folder(svc.settings.data_dir))


def test_two_processes_share_the_jobs(cli_services: Services) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    exe = Path(sys.executable).with_name("consilience")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--workers", "2"],
        env=_env(cli_services), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while True:  # both processes up: each holds its liveness file while it lives
            try:
                up = httpx.get(f"{url}/health", timeout=5).status_code == 200
            except httpx.TransportError:
                up = False
            if up and len(_owners(cli_services)) == 2:
                break
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "two server processes did not start"
            time.sleep(0.3)

        def send(sentence: str) -> str:
            body = {"title": "Probe study", "text": sentence, "investigate": False}
            r = httpx.post(f"{url}/ingest/text", json=body, headers={"X-API-Key": KEY}, timeout=60)
            assert r.status_code == 202, r.text
            return str(r.json()["id"])

        ids = [send(FIRST), send(SECOND)]  # one document (its title), on two connections
        jobs: dict[str, dict[str, Any]] = {}
        polls = 0
        deadline = time.monotonic() + 240
        while len(jobs) < 2:
            for job_id in ids:  # a fresh connection each time: either process may answer
                r = httpx.get(f"{url}/jobs/{job_id}", timeout=30)
                assert r.status_code == 200, r.text  # never "no such job" from the other one
                polls += 1
                if r.json()["finished_at"]:
                    jobs[job_id] = r.json()
            assert time.monotonic() < deadline, "the jobs did not finish"
            time.sleep(0.2)
        assert [jobs[i]["status"] for i in ids] == ["done", "done"]
        with cli_services.graph().read() as s:
            texts = {r["t"] for r in s.run("MATCH (c:Claim) RETURN c.text AS t")}
        assert SECOND in texts and FIRST not in texts  # the later version last
        assert polls >= 2
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert proc.returncode is not None
    assert _owners(cli_services) == []  # both processes released their files: none left running
