"""Training on another machine: prepared datasets, weights in checked parts, sweep helpers."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from training.nli_data import Pair
from training.shards import pack, unpack
from training.sweep import auc, soup
from training.train import read_dataset, write_dataset


def _folder(path: Path, seed: int = 0) -> dict:
    import torch
    from safetensors.torch import save_file

    g = torch.Generator().manual_seed(seed)
    tensors = {
        "embeddings.word_embeddings.weight": torch.randn(300, 16, generator=g),
        "encoder.dense.weight": torch.randn(16, 16, generator=g) * 0.02,
        "encoder.dense.bias": torch.randn(16, generator=g),
        "embeddings.position_ids": torch.arange(12).unsqueeze(0),
    }
    path.mkdir(parents=True)
    save_file(tensors, str(path / "model.safetensors"))
    (path / "config.json").write_text('{"model_type": "bert"}')
    (path / "training.json").write_text(json.dumps({"hyper": {"seed": seed}}))
    return tensors


def test_weights_come_back_from_their_parts_within_the_rounding_they_record(
    tmp_path: Path,
) -> None:
    from safetensors.torch import load_file

    original = _folder(tmp_path / "src")
    record = pack(
        tmp_path / "src",
        tmp_path / "parts",
        max_mb=0.002,
        int8=("embeddings.word_embeddings.weight",),
    )
    assert len(record["parts"]) > 2  # cut to the size limit
    assert all(
        (tmp_path / "parts" / p["file"]).stat().st_size <= 0.002 * 2**20 for p in record["parts"]
    )
    assert record["int8_rows"] == ["embeddings.word_embeddings.weight"]
    back = unpack(tmp_path / "parts", tmp_path / "dst")
    got = load_file(str(tmp_path / "dst" / "model.safetensors"))
    assert set(got) == set(original)
    emb, got_emb = (
        original["embeddings.word_embeddings.weight"],
        got["embeddings.word_embeddings.weight"],
    )
    step = emb.abs().amax(dim=1, keepdim=True) / 127
    assert bool(((got_emb - emb).abs() <= step / 2 + 1e-7).all())
    assert float((got_emb - emb).abs().max()) > 0  # it was rounded, as recorded
    w = original["encoder.dense.weight"]
    err = (got["encoder.dense.weight"] - w).abs()
    assert bool((err <= (w.abs() * 2**-11).clamp(min=2**-25)).all())  # fp16, subnormals too
    assert got["encoder.dense.weight"].dtype == w.dtype  # fp32 again for transformers
    assert got["embeddings.position_ids"].tolist() == original["embeddings.position_ids"].tolist()
    assert (tmp_path / "dst" / "config.json").read_text() == '{"model_type": "bert"}'
    assert back["source_sha256"] != back["result_sha256"]


def test_a_damaged_part_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    _folder(tmp_path / "src")
    record = pack(tmp_path / "src", tmp_path / "parts", max_mb=0.002)
    part = tmp_path / "parts" / record["parts"][1]["file"]
    data = bytearray(part.read_bytes())
    data[10] ^= 0xFF
    part.write_bytes(bytes(data))
    with pytest.raises(SystemExit, match="damaged"):
        unpack(tmp_path / "parts", tmp_path / "dst")
    assert not (tmp_path / "dst" / "model.safetensors").exists()


def test_a_prepared_dataset_reads_back_as_written(tmp_path: Path) -> None:
    pairs = [
        Pair("Probes detect deception.", "Probes fail to detect deception.", "contradiction", "x"),
        Pair("Ünïcode “quotes” stay.", "They stay.", "entailment", "domain:paraphrase"),
    ]
    held = {"cad test": [Pair("A man sleeps.", "A man runs.", "contradiction", "cad")]}
    path = tmp_path / "d.jsonl.xz"
    write_dataset(path, pairs, {"total": 2, "labels": {"x": 1}}, held)
    got, manifest, got_held = read_dataset(path)
    assert got == pairs and got_held == held
    assert manifest["total"] == 2
    assert len(manifest["prepared_file"]["sha256"]) == 64  # the record names the exact file


def test_auc_by_ranks_matches_the_pairwise_definition() -> None:
    rng = random.Random(3)
    scores = [round(rng.random(), 1) for _ in range(200)]  # many ties
    positive = [rng.random() < 0.3 + 0.4 * s for s in scores]
    pos = [s for s, y in zip(scores, positive, strict=True) if y]
    neg = [s for s, y in zip(scores, positive, strict=True) if not y]
    pairwise = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))
    assert auc(scores, positive) == pytest.approx(pairwise)
    assert np.isnan(auc([0.1, 0.2], [True, True]))


def test_a_soup_is_the_mean_of_its_runs(tmp_path: Path) -> None:
    from safetensors.torch import load_file

    a, b = _folder(tmp_path / "a", seed=1), _folder(tmp_path / "b", seed=2)
    soup([tmp_path / "a", tmp_path / "b"], tmp_path / "soup")
    got = load_file(str(tmp_path / "soup" / "model.safetensors"))
    w = "encoder.dense.weight"
    assert np.allclose(got[w].numpy(), (a[w].numpy() + b[w].numpy()) / 2, atol=1e-7)
    assert got["embeddings.position_ids"].tolist() == a["embeddings.position_ids"].tolist()
    record = json.loads((tmp_path / "soup" / "training.json").read_text())
    assert [r["seed"] for r in record["soup_of"]] == [1, 2]
