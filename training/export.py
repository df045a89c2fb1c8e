"""Export the trained cross-encoder to int8 ONNX for onnxruntime, with its tokenizer.

    python -m training.export [--from .consilience/training/nli/final] [--to models/nli-minilm-l6]

Writes model.int8.onnx (dynamic int8 quantisation of the linear layers, per output column),
tokenizer.json, model.json (labels, max length, training manifest) and prints the sha256 that
the loader pins (investigators/nli/model.py) and the model card quotes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from investigators.nli.model import MODEL_DIR
from kg.ids import file_sha256
from training.paths import training_dir


def export(src: Path, dst: Path, max_len: int = 128) -> str:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(str(src)).eval()
    tok = AutoTokenizer.from_pretrained(str(src))
    dst.mkdir(parents=True, exist_ok=True)
    sample = tok(["a premise"], ["a hypothesis"], return_tensors="pt")
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.onnx"
        torch.onnx.export(
            model,
            (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
            str(fp32),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["logits"],
            dynamic_axes={
                n: {0: "batch", 1: "seq"} for n in ("input_ids", "attention_mask", "token_type_ids")
            }
            | {"logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
        # one scale per output column: on CAD test the model's contradiction AUC is 0.837 against
        # 0.823 with one scale per matrix (fp32: 0.841), at the same size and speed
        quantize_dynamic(
            str(fp32), str(dst / "model.int8.onnx"), weight_type=QuantType.QInt8, per_channel=True
        )
    shutil.copy(Path(tok.name_or_path) / "tokenizer.json", dst / "tokenizer.json")
    info = (
        json.loads((src / "training.json").read_text()) if (src / "training.json").exists() else {}
    )
    meta = {
        "labels": [model.config.id2label[i] for i in range(model.config.num_labels)],
        "max_length": max_len,
        "backbone": "sentence-transformers/all-MiniLM-L6-v2",
        "training": info,
    }
    (dst / "model.json").write_text(json.dumps(meta, indent=1) + "\n")
    return file_sha256(dst / "model.int8.onnx")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--from", dest="src", type=Path, default=None)
    ap.add_argument("--to", dest="dst", type=Path, default=MODEL_DIR)
    args = ap.parse_args(argv)
    args.src = args.src or training_dir() / "nli" / "final"
    sha = export(args.src, args.dst)
    print(f"wrote {args.dst / 'model.int8.onnx'}\nsha256 {sha}")


if __name__ == "__main__":
    main()
