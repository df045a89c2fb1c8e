# pyright: standard
# (onnxruntime, tokenizers and transformers ship no complete types: strict mode would flag every
# call into them; kg.embedding, strict, is the typed face of this module)
"""The packaged MiniLM sentence model run by onnxruntime: its ONNX export (made once from the
verified weights) and an encoder that reads each sentence alone on `workers` threads."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

from consilience.cpu import in_spans
from consilience.errors import ModelIntegrityError
from kg.ids import file_sha256

SPAN = 16  # sentences a worker reads in one go


def bert_feed(ids: list[int], type_ids: list[int]) -> dict[str, np.ndarray]:
    """The inputs of a BERT-style ONNX graph for one unpadded encoding (a batch of one)."""
    x = np.asarray([ids], dtype=np.int64)
    return {
        "input_ids": x,
        "attention_mask": np.ones_like(x),
        "token_type_ids": np.asarray([type_ids], dtype=np.int64),
    }


class OnnxSentenceEncoder:
    """Mean-pooled, normalised token vectors, as sentence-transformers computes them."""

    def __init__(self, model_dir: Path, onnx_path: Path, workers: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1  # one sentence per call, `workers` calls at once
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(onnx_path), opts, providers=["CPUExecutionProvider"]
        )
        self.tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tok.enable_truncation(max_seq_length(model_dir))
        self.tok.no_padding()
        self.workers = max(1, workers)

    def encode(self, texts: list[str]) -> np.ndarray:
        encs = self.tok.encode_batch(texts)
        out = np.zeros((len(texts), 384), dtype=np.float32)

        def read(rows: range) -> None:
            for i in rows:
                feed = bert_feed(encs[i].ids, encs[i].type_ids)
                hidden = np.asarray(self.session.run(["last_hidden_state"], feed)[0])[0]
                v = hidden.mean(axis=0)  # mean pooling over the tokens (no padding to mask)
                out[i] = v / max(float(np.linalg.norm(v)), 1e-12)

        in_spans(len(texts), read, self.workers, SPAN)
        return out


def max_seq_length(model_dir: Path) -> int:
    """The model's token window (sentence-transformers' `max_seq_length`: 256 here)."""
    cfg = model_dir / "sentence_bert_config.json"
    return int(json.loads(cfg.read_text()).get("max_seq_length", 256)) if cfg.exists() else 256


def onnx_copy(model_dir: Path, cache_dir: Path, weights_sha256: str) -> Path:
    """The ONNX export of the packaged weights (verified by the caller), made on first use.
    Its record (`.json` beside it) names the source weights' and the file's sha256: a file that
    does not match its record, or a record of other weights, is exported again. Written to a
    temporary name and renamed: a reader never sees half a file, two exports at once are
    harmless."""
    name = f"all-minilm-l6-v2-{weights_sha256[:16]}.onnx"
    path = cache_dir / name
    record = path.with_suffix(".json")
    try:
        meta = json.loads(record.read_text())
        if meta.get("weights_sha256") == weights_sha256 and meta.get("sha256") == file_sha256(path):
            return path
    except (OSError, ValueError):
        pass  # no copy yet, or an unreadable record: export
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=cache_dir, prefix=".export-"))
    try:
        _export(model_dir, tmp / name)
        digest = file_sha256(tmp / name)
        os.replace(tmp / name, path)
        (tmp / "record.json").write_text(
            json.dumps({"weights_sha256": weights_sha256, "sha256": digest}, indent=1)
        )
        os.replace(tmp / "record.json", record)
    except Exception as exc:
        raise ModelIntegrityError(
            f"The embedding model could not be exported to ONNX in {cache_dir}: {exc}",
            "Check that the folder is writable (setting embedding.cache_dir), or run on "
            "another device (embedding.device) to use sentence-transformers directly.",
        ) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def _export(model_dir: Path, dest: Path) -> None:
    """torch.onnx export of the transformer (token vectors out; pooling is done in numpy)."""
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # its weight-loading bar on the user's terminal

    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
    tok = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)

    class TokenVectors(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = tok(["a sentence"], return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes are for model authors, not users
        torch.onnx.export(
            TokenVectors(model),
            tuple(sample[n] for n in names),
            str(dest),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={n: {0: "batch", 1: "seq"} for n in [*names, "last_hidden_state"]},
            opset_version=17,
            dynamo=False,
        )
