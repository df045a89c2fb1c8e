"""Reading stored vectors back in blocks and in batches, for the exact and the HNSW index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import kg.faiss_index as fi


@pytest.mark.parametrize("threshold", [10**9, 1])  # exact (flat) index, then HNSW
def test_rows_and_blocks_match_the_vectors_by_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: int
) -> None:
    monkeypatch.setattr(fi, "HNSW_THRESHOLD", threshold)
    idx = fi.ClaimIndex(tmp_path, dimensions=8)
    idx.index = idx._new_index(50)
    rng = np.random.default_rng(3)
    v = rng.normal(size=(50, 8)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    idx.add([f"c{i}" for i in range(50)], v)
    assert type(idx.index).__name__ == ("IndexFlatIP" if threshold > 1 else "IndexHNSWFlat")
    np.testing.assert_allclose(idx.vectors_from(10, 5), v[10:15], atol=1e-6)
    np.testing.assert_allclose(idx.rows(np.array([49, 0, 7])), v[[49, 0, 7]], atol=1e-6)
    ids, by_id = idx.vectors(["c7", "missing", "c0"])
    assert ids == ["c7", "c0"]
    np.testing.assert_allclose(by_id, v[[7, 0]], atol=1e-6)
    assert idx.rows(np.array([], dtype=np.int64)).shape == (0, 8)
    assert idx.vectors_from(0, 0).shape == (0, 8)


def test_a_flat_index_that_grows_past_the_threshold_becomes_hnsw(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Papers arrive one by one: the index starts exact and must not stay exhaustive."""
    monkeypatch.setattr(fi, "HNSW_THRESHOLD", 120)
    idx = fi.ClaimIndex(tmp_path, dimensions=8)  # as a new data folder starts: empty, flat
    rng = np.random.default_rng(5)
    v = rng.normal(size=(200, 8)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    for start in range(0, 200, 50):  # four papers of 50 claims
        idx.add([f"c{i}" for i in range(start, start + 50)], v[start : start + 50])
        kind = "IndexFlatIP" if start + 50 < 120 else "IndexHNSWFlat"
        assert type(idx.index).__name__ == kind
    assert idx.index.ntotal == 200 and idx.ids == [f"c{i}" for i in range(200)]
    np.testing.assert_allclose(idx.vectors_from(0, 200), v, atol=1e-6)  # rows kept, in order
    idx.save()
    back = fi.ClaimIndex(tmp_path, dimensions=8).load()
    assert type(back.index).__name__ == "IndexHNSWFlat"
    _, found = back.search(v[:20], 5)
    assert [row[0] for row in found] == [f"c{i}" for i in range(20)]  # each finds itself first


def test_unreadable_files_are_set_aside_with_the_reason(tmp_path: Path) -> None:
    """Red-teamed: random bytes in claims.faiss made `index check`, `index rebuild` (the
    documented fix) and every ingest end in a FAISS traceback."""
    good = fi.ClaimIndex(tmp_path, dimensions=8)
    good.add(["c0", "c1"], np.eye(2, 8, dtype=np.float32))
    good.save()
    assert fi.ClaimIndex(tmp_path, dimensions=8).load().ids == ["c0", "c1"]
    assert "dimensions" in str(fi.ClaimIndex(tmp_path, dimensions=16).load().unreadable)
    (tmp_path / "claims.ids.json").write_text('{"not": "a list"}')
    assert "not a list" in str(fi.ClaimIndex(tmp_path, dimensions=8).load().unreadable)
    (tmp_path / "claims.ids.json").write_text('["c0"]')
    assert "interrupted" in str(fi.ClaimIndex(tmp_path, dimensions=8).load().unreadable)
    (tmp_path / "claims.faiss").write_bytes(bytes(range(100)))
    junk = fi.ClaimIndex(tmp_path, dimensions=8).load()
    assert junk.unreadable and junk.unreadable.startswith("claims.faiss: ")
    assert junk.ids == [] and junk.index.ntotal == 0  # empty: the next sync rebuilds it


def test_an_ids_file_of_another_save_or_order_is_never_paired_with_the_rows(
    tmp_path: Path,
) -> None:
    """Red-teamed: the ids reversed (same length) passed `index check` (it compares sets), and
    dense retrieval scored the wrong claims; a crash between the two files' replacement, or one
    file restored from a backup, gives the same."""
    import json

    v = np.eye(4, 8, dtype=np.float32)
    idx = fi.ClaimIndex(tmp_path, dimensions=8)
    idx.add(["c0", "c1", "c2", "c3"], v)
    idx.save()
    saved = json.loads((tmp_path / "claims.ids.json").read_text())
    assert saved["ids"] == ["c0", "c1", "c2", "c3"] and saved["rows"]
    assert fi.ClaimIndex(tmp_path, dimensions=8).load().ids == saved["ids"]
    other = fi.ClaimIndex(tmp_path / "other", dimensions=8)  # another save's rows, same count
    other.add(["c3", "c2", "c1", "c0"], v[::-1].copy())
    other.save()
    (tmp_path / "claims.faiss").write_bytes((tmp_path / "other" / "claims.faiss").read_bytes())
    paired = fi.ClaimIndex(tmp_path, dimensions=8).load()
    assert paired.ids == [] and "saved with another claims.faiss" in str(paired.unreadable)
    # a file of the earlier form (a bare list) is still read
    (tmp_path / "claims.ids.json").write_text(json.dumps(["c3", "c2", "c1", "c0"]))
    assert fi.ClaimIndex(tmp_path, dimensions=8).load().ids == ["c3", "c2", "c1", "c0"]


def test_a_damaged_row_count_is_set_aside_not_a_memory_error(tmp_path: Path) -> None:
    """Red-teamed: a vector count of 2**36 in claims.faiss ended every command, `index
    rebuild` included, in MemoryError (std::bad_alloc)."""
    idx = fi.ClaimIndex(tmp_path, dimensions=8)
    idx.add(["c0", "c1"], np.eye(2, 8, dtype=np.float32))
    idx.save()
    raw = bytearray((tmp_path / "claims.faiss").read_bytes())
    # the size of the stored vectors (after the header's fourcc, d, ntotal, two dummies,
    # is_trained and the metric): the file claims 2**36 of them
    assert raw[:4] == b"IxFI" and int.from_bytes(raw[37:45], "little") == 16
    raw[37:45] = (2**36).to_bytes(8, "little")
    (tmp_path / "claims.faiss").write_bytes(bytes(raw))
    broken = fi.ClaimIndex(tmp_path, dimensions=8).load()
    assert broken.unreadable and broken.unreadable.startswith("claims.faiss: ")
    assert broken.ids == []


def test_saves_at_once_leave_one_whole_pair_and_no_temporary_files(tmp_path: Path) -> None:
    """From review of `serve --workers`: saves used fixed temporary names, so two processes
    saving at once overwrote each other's temporary files (a rename then failed, or an ids
    file was paired with the other save's rows). Each save now writes its own and replaces
    the pair under a lock on the folder."""
    import threading

    rng = np.random.default_rng(3)
    copies = []
    for n in (3, 5):
        idx = fi.ClaimIndex(tmp_path, dimensions=8)
        idx.add([f"c{i}" for i in range(n)], rng.random((n, 8), dtype=np.float32))
        copies.append(idx)
    errors: list[BaseException] = []

    def save_often(idx: fi.ClaimIndex) -> None:
        try:
            for _ in range(40):
                idx.save()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=save_often, args=(c,)) for c in copies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    back = fi.ClaimIndex(tmp_path, dimensions=8).load()
    assert back.unreadable is None and len(back.ids) in (3, 5)
    assert back.index.ntotal == len(back.ids)
    assert list(tmp_path.glob("*.tmp")) == []
