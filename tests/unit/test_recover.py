"""A trainable checkpoint rebuilt from the shipped int8 model reads pairs as the model does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from consilience.errors import ModelIntegrityError
from investigators.nli.model import MODEL_DIR, NLIModel
from training.recover import recover

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
]


def test_recovered_checkpoint_reads_like_the_shipped_model(tmp_path: Path) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    names = recover(MODEL_DIR, tmp_path / "ckpt")
    assert "classifier.weight" in names and "bert.encoder.layer.5.output.dense.weight" in names
    model = AutoModelForSequenceClassification.from_pretrained(str(tmp_path / "ckpt")).eval()
    tok = AutoTokenizer.from_pretrained(str(tmp_path / "ckpt"))
    shipped = NLIModel().logits_matrix(PAIRS)
    with torch.no_grad():
        enc = tok([a for a, _ in PAIRS], [b for _, b in PAIRS], return_tensors="pt", padding=True)
        mine = torch.softmax(model(**enc).logits, dim=-1).numpy()
    labels = [model.config.id2label[i] for i in range(3)]
    assert labels == ["entailment", "neutral", "contradiction"]
    # the int8 file quantises activations per call as well, so the readings differ a little
    assert np.abs(mine - shipped).max() < 0.15
    assert list(mine.argmax(1)) == list(shipped.argmax(1))
    # the pairs are read confidently and not all alike: entailment, neutral and contradiction
    # are each the top label of one of them (0.86-0.97 in the shipped model)
    assert set(shipped.argmax(1)) == {0, 1, 2}
    assert shipped.max(1).min() > 0.8


def test_a_folder_without_an_exported_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelIntegrityError, match=r"no model\.int8\.onnx"):
        recover(tmp_path, tmp_path / "out")
    assert not (tmp_path / "out").exists()
