"""The project's own NLI cross-encoder (models/nli-minilm-l6), run with onnxruntime.

The int8 ONNX file is checked against its pinned sha256 before it is loaded; a missing or
changed file is a ModelIntegrityError naming the file and the command that restores it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from consilience.errors import ModelIntegrityError

if TYPE_CHECKING:
    import numpy as np

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "nli-minilm-l6"
MODEL_FILE = "model.int8.onnx"
# sha256 of models/nli-minilm-l6/model.int8.onnx (also in its MODEL_CARD.md)
WEIGHTS_SHA256 = "835e364b4ca6388a5940f1b9002b504d70d0cb22ee18f46f6c72c84e49822703"
RESTORE_HINT = (
    "Restore it with `git checkout -- models/nli-minilm-l6` (it is committed), or retrain and "
    "export it: `consilience model train` then `consilience model export`."
)


@dataclass(frozen=True)
class NLIScores:
    """Probabilities for premise -> hypothesis."""

    entailment: float
    neutral: float
    contradiction: float
    truncated: bool = False


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class NLIModel:
    """Loads lazily; scores batches of (premise, hypothesis) pairs."""

    def __init__(
        self,
        model_dir: Path = MODEL_DIR,
        *,
        expected_sha256: str | None = WEIGHTS_SHA256,
        threads: int = 0,
        batch_size: int = 64,
    ) -> None:
        self.model_dir = model_dir
        self.expected = expected_sha256
        self.threads = threads
        self.batch_size = batch_size
        self._session = None
        self._tok = None
        self.max_length = 128
        self.labels: list[str] = ["entailment", "neutral", "contradiction"]

    @property
    def name(self) -> str:
        return f"nli-minilm-l6@{(self.expected or 'unpinned')[:12]}"

    def _load(self) -> None:
        if self._session is not None:
            return
        path = self.model_dir / MODEL_FILE
        if not path.exists():
            raise ModelIntegrityError(f"The NLI model file {path} is missing.", RESTORE_HINT)
        if self.expected and file_sha256(path) != self.expected:
            raise ModelIntegrityError(
                f"The NLI model file {path} does not match its pinned sha256 "
                f"({self.expected[:16]}…): it was changed or corrupted.",
                RESTORE_HINT,
            )
        import onnxruntime as ort
        from tokenizers import Tokenizer

        meta = json.loads((self.model_dir / "model.json").read_text())
        self.labels = list(meta["labels"])
        self.max_length = int(meta.get("max_length", 128))
        opts = ort.SessionOptions()
        if self.threads:
            opts.intra_op_num_threads = self.threads
        opts.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(
                str(path), opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelIntegrityError(
                f"The NLI model {path} cannot be loaded: {exc}", RESTORE_HINT
            ) from exc
        tok = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        tok.enable_truncation(self.max_length, strategy="longest_first")
        tok.no_padding()
        self._tok = tok

    def predict(self, pairs: list[tuple[str, str]]) -> list[NLIScores]:
        """Probabilities for each (premise, hypothesis), in input order."""
        import numpy as np

        if not pairs:
            return []
        self._load()
        assert self._tok is not None and self._session is not None
        safe = [(a.strip() or "(empty)", b.strip() or "(empty)") for a, b in pairs]
        encs = self._tok.encode_batch(safe)
        order = sorted(range(len(encs)), key=lambda i: len(encs[i].ids))
        probs = np.zeros((len(pairs), 3), dtype=np.float32)
        for s in range(0, len(order), self.batch_size):
            idx = order[s : s + self.batch_size]
            width = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            types = np.zeros_like(ids)
            mask = np.zeros_like(ids)
            for r, i in enumerate(idx):
                e = encs[i]
                ids[r, : len(e.ids)] = e.ids
                types[r, : len(e.ids)] = e.type_ids
                mask[r, : len(e.ids)] = 1
            outputs = self._session.run(
                ["logits"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )
            logits = np.asarray(outputs[0], dtype=np.float32)  # a dense float array
            ex = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs[idx] = ex / ex.sum(axis=1, keepdims=True)
        col = {name: i for i, name in enumerate(self.labels)}
        return [
            NLIScores(
                entailment=float(p[col["entailment"]]),
                neutral=float(p[col["neutral"]]),
                contradiction=float(p[col["contradiction"]]),
                truncated=bool(e.overflowing),
            )
            for p, e in zip(probs, encs, strict=True)
        ]

    def logits_matrix(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """(n, 3) probabilities as an array: entailment, neutral, contradiction."""
        import numpy as np

        return np.array([[s.entailment, s.neutral, s.contradiction] for s in self.predict(pairs)])
