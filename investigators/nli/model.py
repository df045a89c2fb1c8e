"""The project's own NLI cross-encoder (models/nli-minilm-l6), run with onnxruntime.

The int8 ONNX file is checked against its pinned sha256 before it is loaded; a missing or
changed file is a ModelIntegrityError naming the file and the command that restores it.
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from consilience.cpu import cores, in_spans
from consilience.errors import ModelIntegrityError
from investigators.nli.early_exit import (
    EXIT_FILE,
    GUARD,
    ExitHead,
    features,
    hidden_name,
    shared_words,
    split,
)
from investigators.nli.readings import Reading, ReadingStore, machine
from kg.ids import file_sha256
from kg.minilm_onnx import bert_feed

if TYPE_CHECKING:
    import numpy as np
    from onnxruntime import InferenceSession

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "nli-minilm-l6"
MODEL_FILE = "model.int8.onnx"
# sha256 of models/nli-minilm-l6/model.int8.onnx (also in its MODEL_CARD.md)
WEIGHTS_SHA256 = "64ecc1b6311c0d9783733eb562f9f7606de53a446c754db31b410eea2f19c567"
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
    # read by the early-exit head after the lower layers (investigators.nli.early_exit), which
    # found the pair plainly neutral, instead of by all six layers
    early: bool = False


class NLIModel:
    """Loads lazily; scores (premise, hypothesis) pairs, each alone, on `threads` workers."""

    def __init__(
        self,
        model_dir: Path = MODEL_DIR,
        *,
        expected_sha256: str | None = WEIGHTS_SHA256,
        threads: int = 0,
        readings_dir: Path | None = None,
        early_exit: bool = False,
        exit_sha256: str | None = None,
    ) -> None:
        """`readings_dir`: keep readings on disk there (investigators.nli.readings), so a pair
        is read by the model once per model; None reads every pair afresh. `early_exit`: pairs
        the early-exit head reads as plainly neutral stop after the lower layers
        (investigators.nli.early_exit; its file pinned by `exit_sha256`, default the shipped
        one's)."""
        if threads < 0:
            raise ValueError(f"threads must be 0 (one per core) or more, not {threads}")
        self.model_dir = model_dir
        self.expected = expected_sha256
        self.workers = threads or cores()
        self._session = None
        self._upper = None
        self._tok = None
        self.early_exit = early_exit
        self.exit_expected = exit_sha256
        self.head: ExitHead | None = None
        self.readings_dir = readings_dir
        self._store: ReadingStore | None = None
        self.max_length = 128
        self.labels: list[str] = ["entailment", "neutral", "contradiction"]
        self._order = [0, 1, 2]  # the logits' columns as entailment, neutral, contradiction
        self._sha: tuple[tuple[int, ...], str] | None = None  # (file state, its sha256)

    @property
    def name(self) -> str:
        """The weights' pin, and the early-exit head's when it is on: the judge's version
        carries it, so findings judged with and without early exit are kept apart."""
        base = f"nli-minilm-l6@{(self.expected or 'unpinned')[:12]}"
        if not self.early_exit:
            return base
        self._load_head()
        assert self.head is not None
        return f"{base}+{self.head.tag}"

    def _load_head(self) -> None:
        """The early-exit head, if on: pinned (`exit_sha256`: None the shipped pin, "" none)
        and fitted to these weights (checked against the pinned model sha when there is one)."""
        if self.early_exit and self.head is None:
            pin = {} if self.exit_expected is None else {"expected_sha256": self.exit_expected}
            self.head = ExitHead.load(
                self.model_dir / EXIT_FILE, **pin, model_sha256=self.expected or None
            )

    def weights_sha256(self) -> str | None:
        """The sha256 of the weights file in the folder (None without one), read once per
        state of the file: the judge checks its levels against it and the load checks the pin,
        and the 23 MB file is hashed once for both."""
        path = self.model_dir / MODEL_FILE
        try:
            st = path.stat()
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        # ctime too: no tool sets it (a copy that keeps the mtime and the size still changes it)
        state = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)
        if self._sha is None or self._sha[0] != state:
            self._sha = (state, file_sha256(path))
        return self._sha[1]

    def _load(self) -> None:
        if self._session is not None:
            return
        path = self.model_dir / MODEL_FILE
        sha = self.weights_sha256()
        if sha is None:
            raise ModelIntegrityError(f"The NLI model file {path} is missing.", RESTORE_HINT)
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
        self._order = [self.labels.index(n) for n in ("entailment", "neutral", "contradiction")]
        self.max_length = int(meta.get("max_length", 128))
        self._load_head()
        upper_session = None
        try:
            if self.head is None:
                session = _one_thread_session(str(path))
            else:  # the graph cut after the head's layer: lower, then upper where needed
                lower, upper = split(path.read_bytes(), self.head.layer)
                session, upper_session = _one_thread_session(lower), _one_thread_session(upper)
        except ModelIntegrityError:
            raise
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
            if self.head is not None:  # its readings are its own
                namespace += f"|{self.head.tag}|{self.head.sha256}"
            self._store = ReadingStore(self.readings_dir, namespace)
        self._upper = upper_session
        self._session = session  # last: another thread takes a set session as fully loaded

    def predict(self, pairs: list[tuple[str, str]], *, allow_exit: bool = True) -> list[NLIScores]:
        """Probabilities for each (premise, hypothesis), in input order. With early exit on,
        `allow_exit=False` reads these pairs with all six layers (and keeps their readings
        with the early-exit readings, as whole-model readings, flag off).

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
        safe = _readable(pairs)
        store = self._store
        stored = store.get_many(safe) if store is not None else {}
        if not allow_exit:  # an early reading stored before is read again, whole
            stored = {i: r for i, r in stored.items() if not r[4]}
        todo = [i for i in range(len(safe)) if i not in stored]
        encs = tok.encode_batch([safe[i] for i in todo])
        probs = np.zeros((len(todo), 3), dtype=np.float32)  # entailment, neutral, contradiction
        early = np.zeros(len(todo), dtype=bool)

        # the head decides no pair whose sides share much wording (early_exit.GUARD)
        may_exit = [
            allow_exit and self.head is not None and shared_words(*safe[i]) < GUARD for i in todo
        ]

        def read(rows: range) -> None:
            for i in rows:
                probs[i], early[i] = self._read_one(encs[i].ids, encs[i].type_ids, may_exit[i])

        in_spans(len(todo), read, self.workers, SPAN)
        fresh: list[Reading] = [
            (float(p[0]), float(p[1]), float(p[2]), bool(e.overflowing), bool(x))
            for p, e, x in zip(probs, encs, early, strict=True)
        ]
        if store is not None:
            store.put_many((safe[i], r) for i, r in zip(todo, fresh, strict=True))
        readings = stored | dict(zip(todo, fresh, strict=True))
        return [
            NLIScores(entailment=e, neutral=n, contradiction=c, truncated=t, early=x)
            for e, n, c, t, x in (readings[i] for i in range(len(safe)))
        ]

    def _probabilities(self, logits: object) -> np.ndarray:
        """Probabilities in the order entailment, neutral, contradiction."""
        import numpy as np

        x = np.asarray(logits, dtype=np.float32).reshape(-1)  # a dense float array
        ex = np.exp(x - x.max())
        p = ex / ex.sum()
        return p[self._order]

    def _read_one(
        self, ids: list[int], type_ids: list[int], may_exit: bool
    ) -> tuple[np.ndarray, bool]:
        """One pair's (entailment, neutral, contradiction) and whether the early-exit head
        gave it (the upper layers then never ran; only where `may_exit`)."""
        session, feed = self._session, bert_feed(ids, type_ids)
        assert session is not None
        if self.head is None:
            return self._probabilities(session.run(["logits"], feed)[0]), False
        name = hidden_name(self.head.layer)
        hidden = _dense(session.run([name], feed)[0])
        if may_exit and (p := self.head.probabilities(hidden[0]))[1] >= self.head.threshold:
            return p.astype("float32"), True
        assert self._upper is not None
        return self._probabilities(self._upper.run(["logits"], {name: hidden, **feed})[0]), False

    def layer_readings(
        self, pairs: list[tuple[str, str]], layer: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """For fitting an early-exit head (training.exit_head): each pair's head features
        after `layer` layers, and the whole model's (entailment, neutral, contradiction), read
        alone and never stored. The whole model is the two halves one after the other."""
        import numpy as np

        self._load()
        assert self._tok is not None
        lower_b, upper_b = split((self.model_dir / MODEL_FILE).read_bytes(), layer)
        lower, upper = _one_thread_session(lower_b), _one_thread_session(upper_b)
        name = hidden_name(layer)
        safe = _readable(pairs)
        encs = self._tok.encode_batch(safe)
        width = 2 * int(lower.get_outputs()[0].shape[-1])
        feats = np.zeros((len(safe), width), dtype=np.float32)
        probs = np.zeros((len(safe), 3), dtype=np.float32)

        def read(rows: range) -> None:
            for i in rows:
                feed = bert_feed(encs[i].ids, encs[i].type_ids)
                hidden = _dense(lower.run([name], feed)[0])
                feats[i] = features(hidden[0])
                probs[i] = self._probabilities(upper.run(["logits"], {name: hidden, **feed})[0])

        in_spans(len(safe), read, self.workers, SPAN)
        return feats, probs

    def logits_matrix(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """(n, 3) probabilities as an array: entailment, neutral, contradiction."""
        import numpy as np

        return np.array([[s.entailment, s.neutral, s.contradiction] for s in self.predict(pairs)])


def _dense(value: object) -> np.ndarray:
    """An onnxruntime output as the dense float32 array it is."""
    import numpy as np

    return np.asarray(value, dtype=np.float32)


def _one_thread_session(model: str | bytes) -> InferenceSession:
    """An onnxruntime session on one thread: the pairs are spread over `workers` calls at
    once instead."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])


def _readable(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs as the model reads them: stripped, an empty side as "(empty)", an unpaired
    surrogate as U+FFFD (the tokenizer refuses such a string, and with it the whole call)."""
    return [(_text(a).strip() or "(empty)", _text(b).strip() or "(empty)") for a, b in pairs]


def _text(s: str) -> str:
    if s.isascii():
        return s
    return s.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
