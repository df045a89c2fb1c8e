"""The project's own NLI cross-encoder (models/nli-minilm-l6), run with onnxruntime.

The int8 ONNX file is checked against its pinned sha256 before it is loaded; a missing or
changed file is a ModelIntegrityError naming the file and the command that restores it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from consilience.cpu import cores, in_spans
from consilience.errors import ModelIntegrityError
from investigators.nli.readings import Reading, ReadingStore, machine
from kg.ids import file_sha256
from kg.minilm_onnx import bert_feed

if TYPE_CHECKING:
    import numpy as np

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "nli-minilm-l6"
MODEL_FILE = "model.int8.onnx"
# sha256 of models/nli-minilm-l6/model.int8.onnx (also in its MODEL_CARD.md)
WEIGHTS_SHA256 = "7828af1ea747d731ff8fc263c187c7773540a6eb59ee4b6ab75c55990faaa918"
SPAN = 16  # pairs a worker reads in one go (small, so the workers finish together)
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


class NLIModel:
    """Loads lazily; scores (premise, hypothesis) pairs, each alone, on `threads` workers."""

    def __init__(
        self,
        model_dir: Path = MODEL_DIR,
        *,
        expected_sha256: str | None = WEIGHTS_SHA256,
        threads: int = 0,
        readings_dir: Path | None = None,
    ) -> None:
        """`readings_dir`: keep readings on disk there (investigators.nli.readings), so a pair
        is read by the model once per model; None reads every pair afresh."""
        if threads < 0:
            raise ValueError(f"threads must be 0 (one per core) or more, not {threads}")
        self.model_dir = model_dir
        self.expected = expected_sha256
        self.workers = threads or cores()
        self._session = None
        self._tok = None
        self.readings_dir = readings_dir
        self._store: ReadingStore | None = None
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
        sha = file_sha256(path)
        if self.expected and sha != self.expected:
            raise ModelIntegrityError(
                f"The NLI model file {path} does not match its pinned sha256 "
                f"({self.expected[:16]}…): it was changed or corrupted.",
                RESTORE_HINT,
            )
        import numpy as np
        import onnxruntime as ort
        from tokenizers import Tokenizer

        meta = json.loads((self.model_dir / "model.json").read_text())
        self.labels = list(meta["labels"])
        self.max_length = int(meta.get("max_length", 128))
        opts = ort.SessionOptions()
        # one thread per call: the pairs are spread over `workers` calls at once instead
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
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
        if self.readings_dir is not None:
            tok_sha = file_sha256(self.model_dir / "tokenizer.json")
            namespace = (
                f"{sha}|{tok_sha}|{self.max_length}|{self.labels}|ort {ort.__version__}|"
                f"numpy {np.__version__}|{machine()}"
            )
            self._store = ReadingStore(self.readings_dir, namespace)

    def predict(self, pairs: list[tuple[str, str]]) -> list[NLIScores]:
        """Probabilities for each (premise, hypothesis), in input order.

        Each pair is read alone, in a call of its own: the model's dynamic int8 quantisation
        sets its activation scales per call, so a pair read in a padded batch got readings that
        depended on the other pairs of the batch (up to 0.32 in a probability; the top label of
        3.5% of 1,500 TaxiNLI pairs changed). Alone, a pair reads the same in every run and in
        any company. The calls run on `workers` threads of one-thread inference, which on 2
        cores is also faster than padded batches (~370 against ~260-300 pairs/s).
        """
        import numpy as np

        if not pairs:
            return []
        self._load()
        tok, session = self._tok, self._session
        assert tok is not None and session is not None
        safe = [(a.strip() or "(empty)", b.strip() or "(empty)") for a, b in pairs]
        store = self._store
        stored = store.get_many(safe) if store is not None else {}
        todo = [i for i in range(len(safe)) if i not in stored]
        encs = tok.encode_batch([safe[i] for i in todo])
        probs = np.zeros((len(todo), 3), dtype=np.float32)

        def read(rows: range) -> None:
            for i in rows:
                out = session.run(["logits"], bert_feed(encs[i].ids, encs[i].type_ids))
                logits = np.asarray(out[0], dtype=np.float32)[0]  # a dense float array
                ex = np.exp(logits - logits.max())
                probs[i] = ex / ex.sum()

        in_spans(len(todo), read, self.workers, SPAN)
        col = [self.labels.index(name) for name in ("entailment", "neutral", "contradiction")]
        fresh: list[Reading] = [
            (float(p[col[0]]), float(p[col[1]]), float(p[col[2]]), bool(e.overflowing))
            for p, e in zip(probs, encs, strict=True)
        ]
        if store is not None:
            store.put_many((safe[i], r) for i, r in zip(todo, fresh, strict=True))
        readings = stored | dict(zip(todo, fresh, strict=True))
        return [
            NLIScores(entailment=e, neutral=n, contradiction=c, truncated=t)
            for e, n, c, t in (readings[i] for i in range(len(safe)))
        ]

    def logits_matrix(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """(n, 3) probabilities as an array: entailment, neutral, contradiction."""
        import numpy as np

        return np.array([[s.entailment, s.neutral, s.contradiction] for s in self.predict(pairs)])
