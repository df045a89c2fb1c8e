"""The NLI model's readings kept on disk, so a pair is read by the model once per model.

A reading depends only on the two texts and the model (weights, tokenizer, length limit and
onnxruntime version): each pair is read alone, so it is the same in every run and in any
company (`NLIModel.predict`). Re-judging after a change of the judge's rules or of its fitted
levels (`Judge.version`), which marks every claim for investigation again, then decides from
stored readings instead of running the model on every candidate pair again.

One SQLite file per model under the data folder; files of other models are removed when a new
one is opened. Any failure of the store (a corrupt or unwritable file) costs only speed: the
file is rebuilt, or the model reads without it, with a warning in the log.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import struct
from collections.abc import Iterable, Sequence
from pathlib import Path

from kg.private import private_dir, private_file

log = logging.getLogger(__name__)

PREFIX = "nli-readings-"
_VALUE = struct.Struct("<fff?")  # entailment, neutral, contradiction as float32; truncated
_CHUNK = 900  # keys per SELECT (SQLite's default limit on parameters is 999 in old builds)
Reading = tuple[float, float, float, bool]


def _key(premise: str, hypothesis: str) -> bytes:
    return hashlib.blake2b(
        premise.encode("utf-8", "surrogatepass")
        + b"\0"
        + hypothesis.encode("utf-8", "surrogatepass"),
        digest_size=16,
    ).digest()


def pack(reading: Reading) -> bytes:
    """A reading as stored: the probabilities as float32, as the model computes them, so a
    stored reading gives back exactly the floats a fresh one gives."""
    return _VALUE.pack(*reading)


class ReadingStore:
    """Readings of one model (`namespace`: what besides the texts decides a reading)."""

    def __init__(self, folder: Path, namespace: str) -> None:
        self.folder = folder
        self.path = folder / f"{PREFIX}{hashlib.sha256(namespace.encode()).hexdigest()[:16]}.sqlite"
        self._ready = False
        self.disabled = False

    def _connect(self) -> sqlite3.Connection:
        """A connection to a store ready for use (created, and other models' files removed,
        on first use)."""
        if not self._ready:
            private_dir(self.folder)
            for old in self.folder.glob(f"{PREFIX}*.sqlite*"):
                if not old.name.startswith(self.path.name):  # another model's readings
                    old.unlink(missing_ok=True)
        con = sqlite3.connect(self.path, timeout=30)
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
        except sqlite3.DatabaseError as exc:  # not a database, or damaged: start it again
            if not rebuilt:
                return self._rebuild(exc)
            self._give_up(exc)
        except OSError as exc:
            self._give_up(exc)
        return None

    def _rebuild(self, why: Exception) -> sqlite3.Connection | None:
        log.warning("NLI reading store %s is unreadable (%s); rebuilding it", self.path, why)
        self._ready = False
        try:
            for p in self.folder.glob(f"{self.path.name}*"):
                p.unlink(missing_ok=True)
        except OSError as exc:
            self._give_up(exc)
            return None
        return self._open(rebuilt=True)

    def _give_up(self, why: Exception) -> None:
        log.warning("NLI reading store %s cannot be used (%s); reading without it", self.path, why)
        self.disabled = True

    def get_many(self, pairs: Sequence[tuple[str, str]]) -> dict[int, Reading]:
        """The stored readings of these pairs, by position in `pairs`."""
        con = self._open()
        if con is None or not pairs:
            return {}
        keys = [_key(a, b) for a, b in pairs]
        found: dict[bytes, bytes] = {}
        try:
            with con:
                for i in range(0, len(keys), _CHUNK):
                    chunk = list(dict.fromkeys(keys[i : i + _CHUNK]))
                    marks = ",".join("?" * len(chunk))
                    found.update(
                        con.execute(f"SELECT k, v FROM readings WHERE k IN ({marks})", chunk)
                    )
        except sqlite3.DatabaseError as exc:
            con.close()
            rebuilt = self._rebuild(exc)
            if rebuilt is not None:
                rebuilt.close()
            return {}
        finally:
            con.close()
        out: dict[int, Reading] = {}
        for i, k in enumerate(keys):
            v = found.get(k)
            if v is not None and len(v) == _VALUE.size:
                out[i] = _VALUE.unpack(v)
        return out

    def put_many(self, rows: Iterable[tuple[tuple[str, str], Reading]]) -> None:
        """Store readings (a pair already stored keeps its reading: they are the same)."""
        data = [(_key(a, b), pack(r)) for (a, b), r in rows]
        con = self._open()
        if con is None or not data:
            return
        try:
            with con:
                con.executemany("INSERT OR IGNORE INTO readings (k, v) VALUES (?, ?)", data)
        except sqlite3.DatabaseError as exc:
            con.close()
            rebuilt = self._rebuild(exc)
            if rebuilt is not None:
                rebuilt.close()
        finally:
            con.close()

    def count(self) -> int:
        con = self._open()
        if con is None:
            return 0
        try:
            row = con.execute("SELECT count(*) FROM readings").fetchone()
            return int(row[0]) if row else 0
        finally:
            con.close()
