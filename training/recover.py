"""Rebuild a trainable checkpoint from the shipped int8 ONNX model.

    python -m training.recover [--from models/nli-minilm-l6] [--to .consilience/training/recovered]

Training checkpoints are never committed (only the exported int8 file is), so continuing to
train the shipped model (`consilience model train --init-from DIR`) needs its weights back as
a transformers folder. Every weight matrix of the exported graph is stored as int8 with a
scale and zero point; dequantising them gives the fp32 weights the int8 file was made from,
each within half a quantisation step, and the layer norms, biases and head are stored in fp32
as they were. The names come from the export's node names (`/bert/encoder/layer.0/attention/
self/query/MatMul` is `bert.encoder.layer.0.attention.self.query`); every parameter of the
model must be found, or nothing is written.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from consilience.errors import ModelIntegrityError

if TYPE_CHECKING:
    import numpy as np

HINT = "Recover from a model folder written by `consilience model export`."


def dequantised_weights(onnx_path: Path) -> dict[str, np.ndarray]:
    """Parameter name -> fp32 numpy array (torch layout: Linear weights are out x in)."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(onnx_path)).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    producer = {o: n for n in graph.node for o in n.output}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)

    def value(name: str) -> np.ndarray:
        if name in inits:
            return inits[name]
        node = producer[name]  # a Constant node
        return numpy_helper.to_array(node.attribute[0].t)

    def dequant(q: str, scale: str, zero: str) -> np.ndarray:
        return (value(q).astype(np.float32) - value(zero).astype(np.float32)) * value(scale).astype(
            np.float32
        )

    out: dict[str, np.ndarray] = {}
    for n in graph.node:
        if n.op_type == "MatMulInteger":
            # x_q, W_q, x_zero, W_zero -> Cast -> Mul(by x_scale * W_scale)
            _, wq, _, wzero = n.input
            (cast,) = consumers[n.output[0]]
            (mul,) = consumers[cast.output[0]]
            scales = producer[next(i for i in mul.input if i != cast.output[0])]
            wscale = next(i for i in scales.input if i in inits)
            layer = n.name.removesuffix("_quant").strip("/")
            layer = layer.removesuffix("/MatMul").removesuffix("/Gemm_MatMul").replace("/", ".")
            out[layer + ".weight"] = dequant(wq, wscale, wzero).T.copy()
        elif n.op_type == "DequantizeLinear":  # the embedding tables, gathered then dequantised
            q, scale, zero = n.input
            table = producer[q].input[0]
            out[table.removesuffix("_quantized")] = dequant(table, scale, zero)
    for name, arr in inits.items():
        weight = name.startswith(("bert.", "classifier.")) and arr.dtype == np.float32
        if weight and not name.endswith(("_scale", "_zero_point")):
            out.setdefault(name, arr.copy())
    return out


def recover(src: Path, dst: Path) -> list[str]:
    """Writes a transformers folder at `dst`; returns the parameter names written."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from training.train import backbone_path

    onnx_path = src / "model.int8.onnx"
    if not onnx_path.exists() or not (src / "model.json").exists():
        raise ModelIntegrityError(f"{src} has no model.int8.onnx and model.json.", HINT)
    labels = json.loads((src / "model.json").read_text())["labels"]
    cfg = BertConfig.from_pretrained(str(backbone_path()))
    cfg.num_labels = len(labels)
    cfg.id2label = dict(enumerate(labels))
    cfg.label2id = {name: i for i, name in enumerate(labels)}
    cfg.architectures = ["BertForSequenceClassification"]
    model = BertForSequenceClassification(cfg).eval()
    own = model.state_dict()
    found = dequantised_weights(onnx_path)
    missing = sorted(set(own) - set(found))
    wrong = sorted(k for k in own if k in found and tuple(found[k].shape) != tuple(own[k].shape))
    if missing or wrong:
        raise ModelIntegrityError(
            f"{onnx_path} does not hold every parameter of the model: missing {missing[:5]}, "
            f"wrong shape {wrong[:5]}.",
            HINT,
        )
    model.load_state_dict({k: torch.from_numpy(found[k]) for k in own})
    dst.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(dst)
    for name in ("tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        shutil.copy(backbone_path() / name, dst / name)
    shutil.copy(src / "tokenizer.json", dst / "tokenizer.json")
    return sorted(own)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--from", dest="src", type=Path, default=Path("models/nli-minilm-l6"))
    ap.add_argument("--to", dest="dst", type=Path, default=Path(".consilience/training/recovered"))
    args = ap.parse_args(argv)
    names = recover(args.src, args.dst)
    print(f"wrote {args.dst} ({len(names)} parameters from {args.src / 'model.int8.onnx'})")


if __name__ == "__main__":
    main()
