"""The CPU embedder (onnxruntime, a sentence per call) against sentence-transformers, and the
cache of its ONNX export."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from consilience.errors import ModelIntegrityError
from kg import minilm_onnx
from kg.embedding import WEIGHTS_SHA256, MiniLMEmbedder, packaged_model_path

TEXTS = [
    "Training on model-generated data makes models collapse over generations.",
    "Keeping the real data alongside the synthetic data avoids model collapse.",
    "",  # empty: [CLS] [SEP] only, as sentence-transformers reads it
    "Unlearning",
    "word " * 400,  # past the 256-token window: truncated the same way
    "Ünïcödé — 中文 and emoji 🙂 in a claim.",
]


def test_onnx_vectors_are_sentence_transformers_vectors() -> None:
    from sentence_transformers import SentenceTransformer

    ours = MiniLMEmbedder(threads=2).embed(TEXTS)
    st = SentenceTransformer(str(packaged_model_path()), device="cpu", local_files_only=True)
    ref = np.asarray(st.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True))
    assert ours.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    assert np.abs(ours - ref).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    # one worker reads the same as two (each sentence alone: no company effects)
    assert np.array_equal(MiniLMEmbedder(threads=1).embed(TEXTS), ours)


def test_export_cache_is_reused_checked_and_redone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []

    def fake_export(model_dir: Path, dest: Path) -> None:
        calls.append(dest)
        dest.write_bytes(b"onnx export %d" % len(calls))

    monkeypatch.setattr(minilm_onnx, "_export", fake_export)
    model_dir = packaged_model_path()
    path = minilm_onnx.onnx_copy(model_dir, tmp_path, WEIGHTS_SHA256)
    assert len(calls) == 1 and path.read_bytes() == b"onnx export 1"
    assert minilm_onnx.onnx_copy(model_dir, tmp_path, WEIGHTS_SHA256) == path
    assert len(calls) == 1  # reused: it matches its record
    path.write_bytes(b"tampered")
    minilm_onnx.onnx_copy(model_dir, tmp_path, WEIGHTS_SHA256)
    assert len(calls) == 2 and path.read_bytes() == b"onnx export 2"  # changed: exported again
    record = path.with_suffix(".json")
    record.write_text(json.dumps({"weights_sha256": "other", "sha256": "x"}))
    minilm_onnx.onnx_copy(model_dir, tmp_path, WEIGHTS_SHA256)
    assert len(calls) == 3  # a record of other weights: exported again
    record.write_text("{not json")
    minilm_onnx.onnx_copy(model_dir, tmp_path, WEIGHTS_SHA256)
    assert len(calls) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, record.name])


def test_export_failure_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(model_dir: Path, dest: Path) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(minilm_onnx, "_export", broken)
    with pytest.raises(ModelIntegrityError, match="disk full") as err:
        minilm_onnx.onnx_copy(packaged_model_path(), tmp_path / "cache", WEIGHTS_SHA256)
    assert "embedding.cache_dir" in str(err.value.hint)
    assert [p.name for p in (tmp_path / "cache").iterdir()] == []  # no half-written file left
