"""Where the API's jobs live: a SQLite file in the data folder, shared by every worker process
of one server (`consilience serve --workers N`), and kept across restarts.

A job is run by the process that accepted it (its work is a function of that process); every
process can answer `GET /jobs/{id}` and tell whether a document's key is busy. A process holds
an exclusive lock (flock) on a file of its own while it lives, so any process can tell a job whose
owner is gone (killed, or stopped before it ran the job) from one still queued or running:
such a job is reported failed, with what to do, and no longer holds its key.

Stdlib `sqlite3` (WAL, one short connection per call): transactions across processes without
a server; no new dependency. SQLite's WAL and flock need a local disk for the data folder.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
import uuid
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from consilience.errors import ConfigurationError
from kg.private import private_dir, private_file

try:  # POSIX. Elsewhere (not supported: the data folder's privacy needs POSIX too) an owner
    # counts as alive while its file exists, so a crashed process's jobs hold their documents
    # until its file is removed by hand
    import fcntl
except ImportError:  # pragma: no cover - not on the platforms we test
    fcntl = None  # type: ignore[assignment]

MAX_KEPT = 1000  # finished jobs kept, newest first
OWNERS = "owners"  # the processes' liveness files, inside the jobs' folder
STARTING_S = 60  # a liveness file still being set up after this long is a dead process's

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS jobs (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         id TEXT NOT NULL UNIQUE,
         key TEXT,
         owner TEXT NOT NULL,
         finished INTEGER NOT NULL DEFAULT 0,
         body TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS jobs_open ON jobs(finished, key, seq)",
)


class JobStore:
    """Rows of (id, key, owner, finished, body = the job's JSON), in the order submitted."""

    def __init__(self, folder: Path) -> None:
        self.folder = private_dir(folder)
        self.path = folder / "jobs.sqlite3"
        self._owners = private_dir(folder / OWNERS)
        self.owner = uuid.uuid4().hex
        self._held: IO[bytes] | None = None
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            for statement in _SCHEMA:
                db.execute(statement)
        private_file(self.path)

    # ---- this process -------------------------------------------------------------------
    def hold(self) -> None:
        """Take this process's liveness lock (released by `release` or when the process dies)."""
        if self._held is not None:
            return
        lock = self._owners / self.owner
        # locked under a name no one looks at, then renamed into place: a file another
        # process finds under an owner's name is always locked while its owner lives (found
        # unlocked between its creation and its lock, it was taken for a dead owner's)
        starting = self._owners / f".{self.owner}.new"
        fh = open(starting, "wb")  # noqa: SIM115 - held open for the registry's whole life
        try:
            if fcntl is not None:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            starting.replace(lock)
        except OSError as exc:  # e.g. ENOLCK on a network filesystem
            fh.close()
            starting.unlink(missing_ok=True)
            raise ConfigurationError(
                f"The API's job records need file locks, which {self.folder} does not "
                f"support ({exc}).",
                "Put the data folder (CONSILIENCE_DATA_DIR) on a local disk.",
            ) from exc
        self._held = fh

    def sweep_owners(self) -> None:
        """Remove the liveness files of processes that are gone (a crashed process leaves its
        file; one is left per crash otherwise)."""
        for lock in self._owners.iterdir():
            if not lock.name.startswith("."):
                if lock.name != self.owner:
                    self.alive(lock.name)  # removes the file of a process that is gone
            elif fcntl is not None:  # a process that died while starting (see `hold`)
                with contextlib.suppress(OSError):
                    if time.time() - lock.stat().st_mtime > STARTING_S:
                        with open(lock, "rb") as fh:
                            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)  # not held: gone
                        lock.unlink()

    def release(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None
            with contextlib.suppress(FileNotFoundError):
                (self._owners / self.owner).unlink()

    def alive(self, owner: str) -> bool:
        """Whether the process that owns these jobs is still running."""
        if owner == self.owner:
            return self._held is not None
        lock = self._owners / owner
        if fcntl is None:
            return lock.exists()
        try:
            fh = open(lock, "rb")  # noqa: SIM115
        except FileNotFoundError:
            return False  # released on a clean stop (its unfinished jobs were never run)
        with fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
        with contextlib.suppress(FileNotFoundError):  # a process that died: tidy its file
            lock.unlink()
        return False

    # ---- rows ---------------------------------------------------------------------------
    @contextmanager
    def _connect(self) -> Generator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    def add(self, job_id: str, key: str | None, body: str) -> None:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT INTO jobs (id, key, owner, body) VALUES (?, ?, ?, ?)",
                (job_id, key, self.owner, body),
            )
            db.execute(
                "DELETE FROM jobs WHERE finished = 1 AND seq NOT IN "
                "(SELECT seq FROM jobs WHERE finished = 1 ORDER BY seq DESC LIMIT ?)",
                (MAX_KEPT,),
            )
            db.execute("COMMIT")

    def put_progress(self, job_id: str, body: str) -> None:
        """A running job's body, never over its end."""
        with self._connect() as db:
            db.execute("UPDATE jobs SET body = ? WHERE id = ? AND finished = 0", (body, job_id))

    def finish_if_open(self, job_id: str, body: str) -> bool:
        """A job's end, unless it has ended already; whether this wrote it."""
        with self._connect() as db:
            cur = db.execute(
                "UPDATE jobs SET body = ?, finished = 1 WHERE id = ? AND finished = 0",
                (body, job_id),
            )
            return cur.rowcount == 1

    def get(self, job_id: str) -> tuple[str, str, bool] | None:
        """(owner, body, finished) of a job; None when there is no such job."""
        with self._connect() as db:
            row = db.execute(
                "SELECT owner, body, finished FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]), bool(row[2]))

    def open_of(self, key: str) -> list[tuple[str, str]]:
        """(id, owner) of the unfinished jobs of `key`, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, owner FROM jobs WHERE finished = 0 AND key = ? ORDER BY seq", (key,)
            ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def open_jobs(self) -> list[tuple[str, str, str]]:
        """(id, owner, body) of every unfinished job."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, owner, body FROM jobs WHERE finished = 0 ORDER BY seq"
            ).fetchall()
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def store_folder(data_dir: Path) -> Path:
    """The jobs' folder inside a data folder."""
    return Path(data_dir) / "api"


def owner_files(folder: Path) -> list[Path]:
    """The liveness files in a jobs' folder: one per process holding jobs there (or one a
    crash left until the next sweep); a file still being set up (hidden) is not one yet."""
    where = Path(folder) / OWNERS
    if not where.is_dir():
        return []
    return sorted(p for p in where.iterdir() if not p.name.startswith("."))
