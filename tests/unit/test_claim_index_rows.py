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
