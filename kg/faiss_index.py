"""A FAISS copy of the claim embeddings, persisted next to the graph.

The graph is the source of truth: `sync` adds what the graph has and the index lacks, and
rebuilds from the graph when the two disagree in any other way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import uuid
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import faiss
import numpy as np

from consilience.errors import first_line
from kg.graph import Graph
from kg.private import private_dir, private_file, write_private_bytes
from kg.writers import store

STALE_TMP_S = 3600  # a temporary file older than this is a killed save's

HNSW_THRESHOLD = 20_000  # below this, exact search is fast enough and perfect
# Rows compared with the graph's embeddings by `misplaced` (evenly spaced over the index).
CHECK_SAMPLE = 64


@dataclass(frozen=True)
class SyncReport:
    added: int
    rebuilt: bool
    total: int


class ClaimIndex:
    """Inner-product FAISS index over normalised claim embeddings with an id sidecar."""

    def __init__(self, directory: Path, dimensions: int = 384) -> None:
        self.directory = directory
        self.dimensions = dimensions
        self.ids: list[str] = []
        self.index: faiss.Index = self._new_index(0)
        self._pos: dict[str, int] | None = None  # claim id -> row, built on first lookup
        self.unreadable: str | None = None  # why the files on disk were set aside, if they were

    def _new_index(self, expected: int) -> faiss.Index:
        if expected >= HNSW_THRESHOLD:
            idx = faiss.IndexHNSWFlat(self.dimensions, 32, faiss.METRIC_INNER_PRODUCT)
            idx.hnsw.efConstruction = 80
            idx.hnsw.efSearch = 64
            return idx
        return faiss.IndexFlatIP(self.dimensions)

    @property
    def _index_path(self) -> Path:
        return self.directory / "claims.faiss"

    @property
    def _ids_path(self) -> Path:
        return self.directory / "claims.ids.json"

    def load(self) -> ClaimIndex:
        """The copy on disk. Files that cannot be read as this index (corrupt, truncated, of
        other dimensions, ids that do not match the rows) are set aside, the reason kept in
        `unreadable`: the index starts empty and the next `sync` rebuilds it from the graph,
        which holds every embedding (it is a copy; nothing is lost)."""
        if not (self._index_path.exists() and self._ids_path.exists()):
            return self
        with _folder_lock(self.directory, shared=True):  # both files of one save (`save`)
            try:
                index = faiss.read_index(str(self._index_path))
            except Exception as exc:  # noqa: BLE001 - RuntimeError, OSError, and MemoryError
                # from a damaged row count (red-teamed: a traceback in every command)
                self.unreadable = f"{self._index_path.name}: {first_line(exc, keep_end=True)}"
                return self
            try:
                raw: object = json.loads(self._ids_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                self.unreadable = f"{self._ids_path.name}: {str(exc)[-300:]}"
                return self
        # {"ids": [...], "rows": digest} since the digest was kept; a bare list before
        body: dict[str, object] = cast(dict[str, object], raw) if isinstance(raw, dict) else {}
        digest = body.get("rows")
        listed = body.get("ids") if isinstance(raw, dict) else raw
        items: list[object] = cast(list[object], listed) if isinstance(listed, list) else []
        ids = [i for i in items if isinstance(i, str)]
        if not isinstance(listed, list) or len(ids) != len(items):
            self.unreadable = f"{self._ids_path.name} is not a list of claim ids"
        elif index.d != self.dimensions:
            self.unreadable = f"{index.d} dimensions where the embedder has {self.dimensions}"
        elif index.ntotal != len(ids):  # torn write: start again
            self.unreadable = f"{index.ntotal} vectors for {len(ids)} ids (an interrupted save)"
        elif digest is not None and digest != _rows_digest(index):
            # red-teamed: the two files replaced one after the other, a crash between them
            # (or one restored from a backup) paired ids with another save's rows
            self.unreadable = (
                f"{self._ids_path.name} was saved with another {self._index_path.name} "
                "(an interrupted save, or one file restored without the other)"
            )
        else:
            self.index, self.ids, self._pos = index, ids, None
        return self

    def save(self) -> None:
        """Write both files. Several processes may save at once (CLI runs, the API's worker
        processes): each writes temporary files of its own, and the two files are replaced
        under a lock on the folder, so a pair on disk is always one save's."""
        private_dir(self.directory)
        for old in self.directory.glob("*.tmp"):  # a save killed before it tidied up
            with contextlib.suppress(OSError):
                if time.time() - old.stat().st_mtime > STALE_TMP_S and not _running(old.name):
                    old.unlink()
        mine = f".{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
        tmp_index = self._index_path.with_name(self._index_path.name + mine)
        tmp_ids = self._ids_path.with_name(self._ids_path.name + mine)
        try:
            faiss.write_index(self.index, str(tmp_index))
            body = {"ids": self.ids, "rows": _rows_digest(self.index)}
            write_private_bytes(tmp_ids, json.dumps(body).encode())
            private_file(tmp_index)
            with _folder_lock(self.directory):
                tmp_index.replace(self._index_path)
                tmp_ids.replace(self._ids_path)
        finally:
            tmp_index.unlink(missing_ok=True)
            tmp_ids.unlink(missing_ok=True)
        self.unreadable = None  # the files on disk are this index now

    def add(self, ids: list[str], vectors: np.ndarray) -> None:
        """Append rows. An exact (flat) index that grows past HNSW_THRESHOLD becomes an HNSW
        index of the same rows, in the same order: before, only `rebuild` made one, so a
        graph that grew paper by paper was searched exhaustively for ever (at 100k claims one
        new paper's k-NN searches took 9.2 s of a 28 s retrieval)."""
        if not ids:
            return
        n = self.index.ntotal
        if n + len(ids) >= HNSW_THRESHOLD and not isinstance(self.index, faiss.IndexHNSW):
            old = self.index.reconstruct_n(0, n) if n else None
            self.index = self._new_index(n + len(ids))
            if old is not None:
                self.index.add(old)
        self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        self.ids.extend(ids)

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, list[list[str]]]:
        """Scores and claim ids of the k nearest neighbours of each row."""
        if self.index.ntotal == 0:
            return np.zeros((len(vectors), 0), dtype=np.float32), [[] for _ in vectors]
        k = min(k, self.index.ntotal)
        scores, pos = self.index.search(np.ascontiguousarray(vectors, dtype=np.float32), k)
        return scores, [[self.ids[p] for p in row if p >= 0] for row in pos]

    def position(self, claim_id: str) -> int | None:
        if self._pos is None or len(self._pos) != len(self.ids):
            self._pos = {cid: i for i, cid in enumerate(self.ids)}
        return self._pos.get(claim_id)

    def vectors(self, claim_ids: list[str]) -> tuple[list[str], np.ndarray]:
        """The ids found in the index, and their stored vectors (same order)."""
        found = [(c, p) for c in claim_ids if (p := self.position(c)) is not None]
        if not found:
            return [], np.zeros((0, self.dimensions), dtype=np.float32)
        return [c for c, _ in found], np.vstack([self.index.reconstruct(p) for _, p in found])

    def rows(self, positions: np.ndarray) -> np.ndarray:
        """The stored vectors of these index rows (ids: self.ids[p]), in one batched call."""
        if not len(positions):
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return self.index.reconstruct_batch(np.asarray(positions, dtype=np.int64))

    def vectors_from(self, start: int, count: int) -> np.ndarray:
        """The stored vectors of rows start .. start+count-1 (ids: self.ids[start:...])."""
        if count <= 0:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return self.index.reconstruct_n(start, count)

    def check(self, driver: Graph) -> tuple[set[str], set[str]]:
        """Ids missing from the index, and ids in the index that the graph lacks."""
        graph_ids = store.claim_ids(driver)
        mine = set(self.ids)
        return graph_ids - mine, mine - graph_ids

    def misplaced(self, driver: Graph, sample: int = CHECK_SAMPLE) -> int:
        """Of up to `sample` rows evenly spaced over the index, how many hold a vector other
        than the graph's embedding of the claim their id names (red-teamed: an ids file in
        another order passed `check`, which compares sets, and dense retrieval scored the
        wrong claims). A claim the graph lacks is `check`'s to report, not counted here."""
        n = len(self.ids)
        if not n:
            return 0
        positions = sorted({round(i * (n - 1) / max(1, sample - 1)) for i in range(min(n, sample))})
        graph = dict(store.claim_embeddings(driver, [self.ids[p] for p in positions]))
        mine = self.rows(np.asarray(positions))
        wrong = 0
        for row, p in zip(mine, positions, strict=True):
            theirs = graph.get(self.ids[p])
            if theirs is not None and not np.allclose(row, theirs, atol=1e-5):
                wrong += 1
        return wrong

    def rebuild(self, driver: Graph) -> int:
        rows = store.claim_embeddings(driver)
        self.index = self._new_index(len(rows))
        self.ids, self._pos = [], None
        if rows:
            self.add([r[0] for r in rows], np.asarray([r[1] for r in rows], dtype=np.float32))
        self.save()
        return len(rows)

    def sync(self, driver: Graph) -> SyncReport:
        """Bring the index in line with the graph; persist it."""
        missing, extra = self.check(driver)
        if extra or len(set(self.ids)) != len(self.ids) or self.misplaced(driver):
            total = self.rebuild(driver)
            return SyncReport(added=total, rebuilt=True, total=total)
        if missing:
            rows = store.claim_embeddings(driver, sorted(missing))
            self.add([r[0] for r in rows], np.asarray([r[1] for r in rows], dtype=np.float32))
            self.save()
        return SyncReport(added=len(missing), rebuilt=False, total=len(self.ids))


def _rows_digest(index: faiss.Index) -> str:
    """A fingerprint of the index's rows (their count and a few of them), written beside the
    ids so that an ids file is never paired with another save's index file."""
    n = index.ntotal
    h = hashlib.sha1(str(n).encode())
    for p in sorted({0, n // 3, n // 2, (2 * n) // 3, n - 1}) if n else []:
        h.update(np.ascontiguousarray(index.reconstruct(p), dtype=np.float32).tobytes())
    return h.hexdigest()[:20]


@contextlib.contextmanager
def _folder_lock(folder: Path, *, shared: bool = False) -> Generator[None]:
    """A lock on the folder's `.lock` file across processes: exclusive to replace the two
    files, shared to read them (POSIX flock; where there is none, nothing is serialised and a
    mismatched pair is caught on load)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on the platforms we test
        yield
        return
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _running(tmp_name: str) -> bool:
    """Whether the process that named this temporary file (`<file>.<pid>.<hex>.tmp`) runs: a
    save stalled for long (a laptop asleep) keeps its files. A name of another shape (an
    older version's fixed one) has no owner."""
    parts = tmp_name.split(".")
    if len(parts) < 4 or not parts[-3].isdigit():
        return False
    try:
        os.kill(int(parts[-3]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
