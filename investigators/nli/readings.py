"""The NLI model's readings kept on disk, so a pair is read by the model once per model.

A reading depends only on the two texts and the model run (weights, tokenizer, length limit,
onnxruntime and numpy versions, and the CPU, whose instruction set picks the int8 kernels):
each pair is read alone, so it is the same in every run and in any company
(`NLIModel.predict`). Re-judging after a change of the judge's rules or of its fitted levels
(`Judge.version`), which marks every claim for investigation again, then decides from stored
readings instead of running the model on every candidate pair again.

One SQLite file per such namespace under the data folder; files of other namespaces untouched
for a day are removed (another environment sharing the folder may be using a newer one). A
failure of the store costs only speed, never a reading: a file SQLite reports as corrupt or not
a database is rebuilt; any other error (locked past the wait, disk full, read-only) skips the
store for that call; a store that cannot be opened at all is not used again. Each is logged.
"""

from __future__ import annotations

import hashlib
import logging
import platform
import sqlite3
import struct
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from kg.private import private_dir, private_file

log = logging.getLogger(__name__)

PREFIX = "nli-readings-"
# entailment, neutral, contradiction as float32; truncated; read by the early-exit head. A
# value without the last flag (written before early exit) is a reading by the whole model.
_VALUE = struct.Struct("<fff??")
_VALUE_V1 = struct.Struct("<fff?")
_CHUNK = 900  # keys per SELECT (SQLite's default limit on parameters is 999 in old builds)
_STALE_S = 24 * 3600  # another namespace's file untouched this long is removed
_DAMAGED = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
Reading = tuple[float, float, float, bool, bool]


def machine() -> str:
    """The CPU the readings were made on: architecture and instruction-set flags."""
    flags = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                flags = " ".join(sorted(line.split(":", 1)[1].split()))
                break
    except OSError:
        flags = platform.processor()
    return f"{platform.machine()} {hashlib.sha256(flags.encode()).hexdigest()[:12]}"


def _key(premise: str, hypothesis: str) -> bytes:
    a = premise.encode("utf-8", "surrogatepass")
    b = hypothesis.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(
        len(a).to_bytes(8, "little") + a + b, digest_size=16
    ).digest()  # the length prefix: ("a\0b", "c") and ("a", "b\0c") stay apart


class ReadingStore:
    """Readings of one model run (`namespace`: what besides the texts decides a reading)."""

    def __init__(self, folder: Path, namespace: str) -> None:
        self.folder = folder
        digest = hashlib.sha256(namespace.encode()).hexdigest()[:16]
        self.path = folder / f"{PREFIX}{digest}.sqlite"
        self._ready = False
        self.disabled = False
        self.timeout = 30.0  # seconds to wait for another writer's lock

    def _connect(self) -> sqlite3.Connection:
        """A connection to a store ready for use (created, and stale files of other
        namespaces removed, on first use)."""
        if not self._ready:
            private_dir(self.folder)
            now = time.time()
            for old in self.folder.glob(f"{PREFIX}*.sqlite*"):
                if not old.name.startswith(self.path.name):
                    try:
                        if now - old.stat().st_mtime > _STALE_S:
                            old.unlink(missing_ok=True)
                    except OSError:  # gone meanwhile, or not ours to remove
                        pass
        con = sqlite3.connect(self.path, timeout=self.timeout)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            if not self._ready:
                con.execute(
                    "CREATE TABLE IF NOT EXISTS readings (k BLOB PRIMARY KEY, v BLOB NOT NULL) "
                    "WITHOUT ROWID"
                )
                con.commit()
                private_file(self.path)
                self._ready = True
        except BaseException:
            con.close()
            raise
        return con

    def _open(self, *, rebuilt: bool = False) -> sqlite3.Connection | None:
        if self.disabled:
            return None
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            if _damaged(exc) and not rebuilt:
                self._rebuild(exc)
                return self._open(rebuilt=True)
            self._skip("cannot be opened", exc, disable=_damaged(exc))
        except OSError as exc:
            self._skip("cannot be opened", exc, disable=True)
        return None

    def _rebuild(self, why: Exception) -> None:
        """Remove a file SQLite reports as damaged (with its journal), to start it again."""
        log.warning("NLI reading store %s is damaged (%s); rebuilding it", self.path, why)
        self._ready = False
        try:
            for p in self.folder.glob(f"{self.path.name}*"):
                p.unlink(missing_ok=True)
        except OSError as exc:
            self._skip("cannot be rebuilt", exc, disable=True)

    def _skip(self, what: str, why: Exception, *, disable: bool) -> None:
        log.warning(
            "NLI reading store %s %s (%s); reading %s",
            self.path,
            what,
            why,
            "without it from now on" if disable else "without it this time",
        )
        self.disabled = self.disabled or disable

    def _failed(self, con: sqlite3.Connection, what: str, exc: sqlite3.DatabaseError) -> None:
        con.close()
        if _damaged(exc):
            self._rebuild(exc)
        else:
            self._skip(f"failed a {what}", exc, disable=False)

    def get_many(self, pairs: Sequence[tuple[str, str]]) -> dict[int, Reading]:
        """The stored readings of these pairs, by position in `pairs`."""
        if not pairs:
            return {}
        con = self._open()
        if con is None:
            return {}
        keys = [_key(a, b) for a, b in pairs]
        found: dict[bytes, bytes] = {}
        try:
            for i in range(0, len(keys), _CHUNK):
                chunk = list(dict.fromkeys(keys[i : i + _CHUNK]))
                marks = ",".join("?" * len(chunk))
                found.update(con.execute(f"SELECT k, v FROM readings WHERE k IN ({marks})", chunk))
        except sqlite3.DatabaseError as exc:
            self._failed(con, "read", exc)
            return {}
        finally:
            con.close()
        out: dict[int, Reading] = {}
        for i, k in enumerate(keys):
            v = found.get(k)
            if v is not None and len(v) == _VALUE.size:
                out[i] = _VALUE.unpack(v)
            elif v is not None and len(v) == _VALUE_V1.size:
                out[i] = (*_VALUE_V1.unpack(v), False)
        return out

    def put_many(self, rows: Iterable[tuple[tuple[str, str], Reading]]) -> None:
        """Store readings: a float32 reading as the model computes it gives back exactly the
        floats a fresh one gives. A pair stored again is overwritten (a value of the wrong
        size, from a damaged write, would otherwise stay)."""
        data = [(_key(a, b), _VALUE.pack(*r)) for (a, b), r in rows]
        if not data:
            return
        con = self._open()
        if con is None:
            return
        try:
            with con:
                con.executemany("INSERT OR REPLACE INTO readings (k, v) VALUES (?, ?)", data)
        except sqlite3.DatabaseError as exc:
            self._failed(con, "write", exc)
        finally:
            con.close()

    def count(self) -> int:
        """Readings stored (0 when the store cannot be read)."""
        con = self._open()
        if con is None:
            return 0
        try:
            row = con.execute("SELECT count(*) FROM readings").fetchone()
            return int(row[0]) if row else 0
        except sqlite3.DatabaseError as exc:
            self._failed(con, "count", exc)
            return 0
        finally:
            con.close()


def _damaged(exc: sqlite3.DatabaseError) -> bool:
    """SQLite's own verdict that the file is damaged or not a database (Python 3.11+)."""
    return getattr(exc, "sqlite_errorname", "") in _DAMAGED
