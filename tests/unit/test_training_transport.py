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


def test_every_matrix_travels_as_int8_rows_compressed_and_comes_back_checked(
    tmp_path: Path,
) -> None:
    """A 110M-parameter teacher fits the transfer limit only as int8 rows, compressed."""
    import torch
    from safetensors.torch import load_file, save_file

    src = tmp_path / "src"
    src.mkdir()
    big = torch.randn(300, 256, generator=torch.Generator().manual_seed(5))
    small = torch.randn(16, 16, generator=torch.Generator().manual_seed(6))
    save_file({"w": big, "small": small, "b": torch.ones(256)}, str(src / "model.safetensors"))
    plain = pack(src, tmp_path / "plain", int8=("*",))
    packed = pack(src, tmp_path / "xz", max_mb=0.05, int8=("*",), xz=True)
    # "*": every matrix of 65,536 values or more (not the small one, not the bias)
    assert packed["int8_rows"] == ["w"] and packed["compression"] == "xz"
    assert len(packed["parts"]) > 1

    def size(d: Path) -> int:
        return sum(f.stat().st_size for f in d.glob("weights.part*"))

    assert size(tmp_path / "xz") < size(tmp_path / "plain")
    assert packed["blob_sha256"] == plain["blob_sha256"]  # the same weights, only compressed
    unpack(tmp_path / "xz", tmp_path / "back")
    got = load_file(str(tmp_path / "back" / "model.safetensors"))
    step = big.abs().amax(dim=1, keepdim=True) / 127
    assert bool(((got["w"] - big).abs() <= step / 2 + 1e-7).all())
    assert bool(((got["small"] - small).abs() <= small.abs() * 2**-11 + 2**-25).all())  # fp16
    part = tmp_path / "xz" / packed["parts"][0]["file"]
    data = bytearray(part.read_bytes())
    data[-1] ^= 0xFF
    part.write_bytes(bytes(data))
    with pytest.raises(SystemExit, match="damaged"):
        unpack(tmp_path / "xz", tmp_path / "again")


def test_teacher_readings_and_unlabelled_pairs_survive_the_prepared_file(tmp_path: Path) -> None:
    pairs = [
        Pair("A", "not A", "contradiction", "x", (0.1, 0.2, 0.7)),
        Pair("B", "C", "", "unlabelled:neighbour", (0.2, 0.5, 0.3)),
        Pair("D", "E", "", "unlabelled:neighbour"),
    ]
    path = tmp_path / "d.jsonl.xz"
    write_dataset(path, pairs, {"total": 3}, {})
    got, _manifest, held = read_dataset(path)
    assert got == pairs and held == {}


def test_the_target_mixes_the_label_with_the_teachers_reading() -> None:
    from training.train import target

    labelled = Pair("A", "not A", "contradiction", "x")
    assert target(labelled) == [0.0, 0.0, 1.0]
    read = Pair("A", "not A", "contradiction", "x", (0.2, 0.2, 0.6))
    assert target(read, 1.0) == [0.0, 0.0, 1.0]  # labels only: the reading is ignored
    assert target(read, 0.5) == pytest.approx([0.1, 0.1, 0.8])
    assert target(read, 0.0) == pytest.approx([0.2, 0.2, 0.6])
    assert target(Pair("B", "C", "", "u", (0.3, 0.6, 0.1)), 0.5) == [0.3, 0.6, 0.1]
    with pytest.raises(SystemExit, match="no teacher reading"):
        target(Pair("B", "C", "", "u"))


def test_a_student_trains_on_readings_and_leaves_unread_pairs_out(tmp_path: Path) -> None:
    """The training loop takes a teacher's readings (labelled and unlabelled pairs) and
    records what it left out; a pair with neither label nor reading never trains. (Two steps
    on the CPU, a check of the loop: no model is trained here.)"""
    from training.train import main

    pairs = [
        Pair("Probes detect deception.", "Probes fail to detect it.", "contradiction", "x"),
        Pair("The monitor works.", "The monitor is effective.", "entailment", "x", (0.7, 0.2, 0.1)),
        Pair("Steering helps.", "Unlearning is shallow.", "", "unlabelled:neighbour", (0, 1, 0)),
        Pair("Scaling helps.", "Scaling hurts.", "", "unlabelled:neighbour"),
    ]
    data = tmp_path / "d.jsonl.xz"
    write_dataset(data, pairs, {"total": 4, "labels": {}}, {})
    out = tmp_path / "run"
    args = ["--dataset", str(data), "--out", str(out), "--epochs", "1", "--batch", "2"]
    main([*args, "--hard-weight", "0.5", "--threads", "1"])
    record = json.loads((out / "final" / "training.json").read_text())
    assert record["steps"] == 2  # three pairs in batches of two
    assert record["data"]["unread_left_out"] == 1 and record["data"]["total"] == 3
    assert record["hyper"]["hard_weight"] == 0.5
    assert (out / "final" / "model.safetensors").exists()
