"""Rebuild a trainable checkpoint from the shipped int8 ONNX model.

    python -m training.recover [--from models/nli-minilm-l6] [--to .consilience/training/recovered]

Training checkpoints are never committed (only the exported int8 file is), so continuing to
train the shipped model (`consilience model train --init-from DIR`) needs its weights back as
a transformers folder. Every weight matrix of the exported graph is stored as int8 with a
scale and zero point; dequantising them gives the fp32 weights the int8 file was made from,
each within half a quantisation step, and the layer norms, biases and head are stored in fp32
as they were. The names come from the export's node names (`/bert/encoder/layer.0/attention/
self/query/MatMul` is `bert.encoder.layer.0.attention.self.query`); every parameter of the
model must be found, or nothing is written. `lineage.json` in the folder records the file it
came from (sha256) and that file's training record; a run started from the folder keeps it in
its own record, so the model it exports describes every stage.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from consilience.errors import InvalidInputError, ModelIntegrityError
from investigators.nli.model import MODEL_DIR
from training.paths import training_dir

if TYPE_CHECKING:
    import numpy as np

HINT = (
    "Recover from a model folder written by `consilience model export` of this version "
    "(torch.onnx.export with module-scoped node names, then dynamic int8 quantisation)."
)
FILES = ("model.int8.onnx", "model.json", "tokenizer.json")


def dequantised_weights(onnx_path: Path) -> dict[str, np.ndarray]:
    """Parameter name -> fp32 numpy array (torch layout: Linear weights are out x in)."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    try:
        graph = onnx.load(str(onnx_path)).graph
    except Exception as exc:  # protobuf's DecodeError, a truncated file, …
        raise ModelIntegrityError(
            f"{onnx_path} cannot be read as an ONNX model: {str(exc)[:200]}", HINT
        ) from exc
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    producer = {o: n for n in graph.node for o in n.output}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)

    def dequant(q: str, scale: str, zero: str) -> np.ndarray:
        # per-tensor, or per output column (axis -1) as onnxruntime quantises per channel
        return (inits[q].astype(np.float32) - inits[zero].astype(np.float32)) * inits[scale].astype(
            np.float32
        )

    out: dict[str, np.ndarray] = {}
    for n in graph.node:
        try:
            if n.op_type == "MatMulInteger" and n.input[1] in inits:
                # x_q, W_q, x_zero, W_zero -> Cast -> Mul(by x_scale * W_scale)
                _, wq, _, wzero = n.input
                (cast,) = consumers[n.output[0]]
                (mul,) = consumers[cast.output[0]]
                scales = producer[next(i for i in mul.input if i != cast.output[0])]
                wscale = next(i for i in scales.input if i in inits)
                layer = n.name.removesuffix("_quant").strip("/")
                layer = layer.removesuffix("/MatMul").removesuffix("/Gemm_MatMul")
                out[layer.replace("/", ".") + ".weight"] = dequant(wq, wscale, wzero).T.copy()
            elif n.op_type == "DequantizeLinear":  # embedding tables: gathered, then dequantised
                q, scale, zero = n.input
                table = producer[q].input[0]
                out[table.removesuffix("_quantized")] = dequant(table, scale, zero)
        except (KeyError, ValueError, StopIteration, IndexError) as exc:
            raise ModelIntegrityError(
                f"{onnx_path}: node {n.name!r} ({n.op_type}) is not laid out as an exported "
                f"quantised layer ({type(exc).__name__}: {exc}).",
                HINT,
            ) from exc
    for name, arr in inits.items():
        weight = name.startswith(("bert.", "classifier.")) and arr.dtype == np.float32
        if weight and not name.endswith(("_scale", "_zero_point")):
            out.setdefault(name, arr.copy())
    return out


LINEAGE = "lineage.json"  # what a recovered checkpoint holds, beside the weights


def check_destination(src: Path, dst: Path) -> None:
    """Refuse a destination that would lose files: the source itself, a folder holding it,
    or a folder that is not empty and is no recovered checkpoint (red-teamed:
    `-o` on any folder deleted it whole, `--from X -o X` the model it was reading)."""
    a, b = src.resolve(), dst.resolve()
    if a == b or b in a.parents:
        raise InvalidInputError(
            f"The destination {dst} is the model folder {src}, or holds it: recovering there "
            "would delete the model it reads.",
            "Give another --to folder (the default is <data_dir>/training/recovered).",
        )
    if dst.exists() and not dst.is_dir():
        raise InvalidInputError(f"The destination {dst} is a file.", "Give a folder as --to.")
    if dst.is_dir() and any(dst.iterdir()) and not (dst / LINEAGE).is_file():
        raise InvalidInputError(
            f"The destination {dst} is a folder with other files in it (not a checkpoint "
            "recovered before): they would be deleted.",
            "Give a new or empty folder as --to, or one this command wrote before.",
        )


def recover(src: Path, dst: Path) -> list[str]:
    """Writes a transformers folder at `dst` (replacing a recovered checkpoint there, never
    other files: `check_destination`); returns the parameter names, each found in the
    exported graph."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from kg.ids import file_sha256
    from training.train import LABEL_IDS, backbone_path

    check_destination(src, dst)
    missing_files = [f for f in FILES if not (src / f).is_file()]
    if missing_files:
        raise ModelIntegrityError(f"{src} has no {', '.join(missing_files)}.", HINT)
    try:
        labels = json.loads((src / "model.json").read_text())["labels"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelIntegrityError(
            f"{src / 'model.json'} cannot be read (no JSON object with its labels): "
            f"{str(exc)[:200]}",
            HINT,
        ) from exc
    if labels != list(LABEL_IDS):
        # training (train.py) fixes the label order; another order would permute the head
        raise ModelIntegrityError(
            f"{src / 'model.json'} orders the labels {labels}; training expects {list(LABEL_IDS)}.",
            HINT,
        )
    cfg = BertConfig.from_pretrained(str(backbone_path()))
    cfg.num_labels = len(labels)
    cfg.id2label = dict(enumerate(labels))
    cfg.label2id = {name: i for i, name in enumerate(labels)}
    cfg.architectures = ["BertForSequenceClassification"]
    model = BertForSequenceClassification(cfg).eval()
    own = model.state_dict()
    found = dequantised_weights(src / "model.int8.onnx")
    absent = sorted(set(own) - set(found))
    wrong = sorted(k for k in own if k in found and tuple(found[k].shape) != tuple(own[k].shape))
    if absent or wrong:
        raise ModelIntegrityError(
            f"{src / 'model.int8.onnx'} does not hold every parameter of the model: "
            f"missing {absent[:5]}, wrong shape {wrong[:5]}.",
            HINT,
        )
    model.load_state_dict({k: torch.from_numpy(found[k]) for k in own})
    # written whole beside the destination, then moved into place
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dst.name}-", dir=dst.parent))
    except OSError as exc:
        raise InvalidInputError(
            f"Cannot write beside {dst}: {exc.strerror or exc}.",
            "Give a --to folder in a writable place.",
        ) from exc
    try:
        model.save_pretrained(tmp)
        for name in ("tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
            shutil.copy(backbone_path() / name, tmp / name)
        shutil.copy(src / "tokenizer.json", tmp / "tokenizer.json")
        lineage = {
            "recovered_from": str(src / "model.int8.onnx"),
            "sha256": file_sha256(src / "model.int8.onnx"),
            "training": json.loads((src / "model.json").read_text()).get("training", {}),
        }
        (tmp / LINEAGE).write_text(json.dumps(lineage, indent=1) + "\n")
        if dst.exists():
            shutil.rmtree(dst)
        tmp.rename(dst)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return sorted(own)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--from", dest="src", type=Path, default=MODEL_DIR)
    ap.add_argument("--to", dest="dst", type=Path, default=None)
    args = ap.parse_args(argv)
    args.dst = args.dst or training_dir() / "recovered"
    names = recover(args.src, args.dst)
    print(f"wrote {args.dst} ({len(names)} parameters from {args.src / 'model.int8.onnx'})")


if __name__ == "__main__":
    main()
