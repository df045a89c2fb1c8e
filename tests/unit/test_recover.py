"""A trainable checkpoint rebuilt from the shipped int8 model reads pairs as the model does."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import training.recover as recover_module
from consilience.errors import ModelIntegrityError
from investigators.nli.model import MODEL_DIR, WEIGHTS_SHA256, NLIModel
from training.recover import FILES, recover
from training.train import init_record

PAIRS = [
    (
        "The unlearned model still answers hazardous questions.",
        "The unlearned model no longer answers hazardous questions.",
    ),
    (
        "The evaluation covered twelve open-weight models and two closed models.",
        "The evaluation covered open-weight models.",
    ),
    ("The monitor was trained on 4,000 transcripts.", "The weather in Paris was mild last spring."),
    ("We found no evidence of reward hacking in any model.", "Several models hack their rewards."),
    ("A man is playing a guitar on stage.", "A man is playing an instrument."),
    ("Three of the five models refused every harmful request.", "Some models refused requests."),
    ("Probes detect deception with 95% accuracy.", "Probes detect deception with 60% accuracy."),
    ("Sparse autoencoders find interpretable features.", "The dataset has 10,000 prompts."),
]


def test_recovered_checkpoint_reads_like_the_shipped_model(tmp_path: Path) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    names = recover(MODEL_DIR, tmp_path / "ckpt")
    assert "classifier.weight" in names and "bert.encoder.layer.5.output.dense.weight" in names
    lineage = json.loads((tmp_path / "ckpt" / "lineage.json").read_text())
    assert lineage["sha256"] == WEIGHTS_SHA256  # the file it came from, and how that was made
    # the shipped model's own record, with every earlier stage it was continued from
    assert lineage["training"] == json.loads((MODEL_DIR / "model.json").read_text())["training"]
    seeds, record = [], lineage["training"]
    while record:
        if "hyper" not in record:  # a start recovered from an exported file: its lineage
            record = record["training"]
        seeds.append(record["hyper"]["seed"])
        record = record["hyper"].get("init_from_record")
    assert seeds == [20261207, 20261206, 20261205, 12]  # stage 5, stage 4 (two rounds), stage 3
    model = AutoModelForSequenceClassification.from_pretrained(str(tmp_path / "ckpt")).eval()
    tok = AutoTokenizer.from_pretrained(str(tmp_path / "ckpt"))
    shipped = NLIModel().logits_matrix(PAIRS)
    with torch.no_grad():
        mine = np.concatenate(
            [
                torch.softmax(model(**tok([a], [b], return_tensors="pt")).logits, -1).numpy()
                for a, b in PAIRS
            ]
        )
    assert [model.config.id2label[i] for i in range(3)] == [
        "entailment",
        "neutral",
        "contradiction",
    ]
    # the int8 file quantises activations per call as well, so the readings differ a little
    # (mean 0.016-0.024, max 0.07-0.14 on the two models shipped so far); one weight matrix
    # left untransposed moved them by a mean of 0.19 (layer 0's key) to 0.40 (the pooler)
    # and changed top labels
    assert np.abs(mine - shipped).mean() < 0.06
    assert np.abs(mine - shipped).max() < 0.3
    ranked = np.sort(shipped, axis=1)
    clear = ranked[:, -1] - ranked[:, -2] > 0.3  # top labels another CPU's int8 cannot flip
    assert clear.sum() >= 6
    assert list(mine.argmax(1)[clear]) == list(shipped.argmax(1)[clear])
    # the pairs are not all read alike: each label is the confident top label of one of them
    confident = shipped.max(1) > 0.8
    assert {int(i) for i in shipped.argmax(1)[confident]} == {0, 1, 2}


def test_a_folder_without_an_exported_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelIntegrityError, match=r"no model\.int8\.onnx, model\.json"):
        recover(tmp_path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def _copy_of_the_model(tmp_path: Path) -> Path:
    src = tmp_path / "model"
    src.mkdir()
    for name in FILES:
        (src / name).symlink_to(MODEL_DIR / name)
    return src


def test_another_label_order_is_refused(tmp_path: Path) -> None:
    src = _copy_of_the_model(tmp_path)
    meta = json.loads((MODEL_DIR / "model.json").read_text())
    meta["labels"] = ["contradiction", "neutral", "entailment"]
    (src / "model.json").unlink()
    (src / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelIntegrityError, match="orders the labels"):
        recover(src, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_parameter_not_found_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = recover_module.dequantised_weights

    def without_head(path: Path) -> dict[str, np.ndarray]:
        found = real(path)
        del found["classifier.weight"]
        return found

    monkeypatch.setattr(recover_module, "dequantised_weights", without_head)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "lineage.json").write_text("{}")  # an earlier recovery
    (tmp_path / "out" / "earlier.txt").write_text("an earlier recovery")
    with pytest.raises(ModelIntegrityError, match=r"missing \['classifier\.weight'\]"):
        recover(MODEL_DIR, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["earlier.txt", "lineage.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no half-written folder left


def test_a_run_records_how_its_starting_weights_were_made(tmp_path: Path) -> None:
    start, out = tmp_path / "start", tmp_path / "run"
    start.mkdir()
    out.mkdir()
    assert init_record(start, out) is None  # nothing known
    (start / "training.json").write_text(json.dumps({"hyper": {"seed": 1}}))
    assert init_record(start, out) == {"hyper": {"seed": 1}}  # a previous run's final/
    (start / "lineage.json").write_text(json.dumps({"sha256": "abc"}))
    assert init_record(start, out) == {"sha256": "abc"}  # a recovered export comes first
    # a resumed run keeps the record it started with, though the folder was rebuilt since
    (out / "manifest.json").write_text(json.dumps({"hyper": {"init_from_record": {"sha256": "x"}}}))
    assert init_record(start, out) == {"sha256": "abc"}  # no checkpoint: a new run
    (out / "checkpoint.pt").write_bytes(b"")
    assert init_record(start, out) == {"sha256": "x"}


def test_recovering_never_deletes_a_folder_it_did_not_write(tmp_path: Path) -> None:
    """Red-teamed: `model recover -o DIR` deleted DIR whole (notes.txt and all), and
    `--from X -o X` the very model it was reading."""
    from consilience.errors import InvalidInputError

    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("notes")
    with pytest.raises(InvalidInputError, match="other files in it"):
        recover(MODEL_DIR, precious)
    assert (precious / "notes.txt").read_text() == "notes"
    copy = tmp_path / "model"
    copy.mkdir()
    for f in FILES:
        (copy / f).write_bytes((MODEL_DIR / f).read_bytes())
    for dst in (copy, tmp_path):
        with pytest.raises(InvalidInputError, match="would delete the model it reads"):
            recover(copy, dst)
    assert all((copy / f).exists() for f in FILES)
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(InvalidInputError, match="is a file"):
        recover(copy, tmp_path / "a-file")


@pytest.mark.parametrize(
    ("name", "content"),
    [("model.json", b"{not json"), ("model.int8.onnx", b"\x08\x01truncated")],
)
def test_a_damaged_model_folder_is_a_clear_error(tmp_path: Path, name: str, content: bytes) -> None:
    """Red-teamed: JSONDecodeError and protobuf's DecodeError tracebacks."""
    copy = tmp_path / "model"
    copy.mkdir()
    for f in FILES:
        (copy / f).write_bytes((MODEL_DIR / f).read_bytes())
    (copy / name).write_bytes(content)
    with pytest.raises(ModelIntegrityError, match="cannot be read"):
        recover(copy, tmp_path / "out")


def test_the_default_folders_follow_the_data_folder_not_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Red-teamed: `model recover` run outside the repository looked for models/nli-minilm-l6
    in the current folder, and wrote under ./.consilience whatever CONSILIENCE_DATA_DIR said."""
    from typer.testing import CliRunner

    from cli.main import app

    elsewhere, data = tmp_path / "elsewhere", tmp_path / "data"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("CONSILIENCE_DATA_DIR", str(data))
    r = CliRunner().invoke(app, ["model", "recover"])
    assert r.exit_code == 0, r.output
    assert (data / "training" / "recovered" / "lineage.json").is_file()
    assert not (elsewhere / ".consilience").exists()
    r = CliRunner().invoke(app, ["model", "export"])  # nothing trained there yet: said so
    assert r.exit_code != 0
    assert str(data / "training" / "nli" / "final") in r.output.replace("\n", "")
