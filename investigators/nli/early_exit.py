"""Early exit: most candidate pairs are plainly unrelated, and a cheap reading says so.

Of the main job's 127k checkable candidate pairs on the corpus, the model read 99.5% as at
least 0.9 neutral, and reading each cost one full pass of the six layers. The shipped int8
graph is cut in two after an inner layer (`split`): the lower part gives that layer's token
vectors, the upper part the final logits from them. Upper after lower is the whole graph, op for
op, so a pair that goes on is read exactly as the whole model reads it (the same float32 logits,
checked in tests). After the lower part, a small head (a linear map of the layer's [CLS] and
mean token vectors to entailment / neutral / contradiction, `ExitHead`) was fitted by
`python -m training.exit_head` to the whole model's own readings of training pairs; where it
reads the pair at least `threshold` neutral, its reading is the pair's reading and the upper
layers are not run. The threshold was chosen so that at most 0.4% of held-out pairs the whole
model reads as less than 0.9 neutral exit (`exit.json` records the figures; on the corpus'
127,545 candidate pairs the judge's kind changed on 6, all calls no longer made: the model
card's "Early exit after layer 3").

The head never decides a pair whose sides share much of their wording (`shared_words` at least
`GUARD`): paraphrases, negations and changed numbers are decided by small differences that the
lower layers' vectors blur, and such pairs are few among candidates (2% of the corpus' 127k;
they held 38 of the 74 calls the whole model made there). Two paraphrases of the definition of a
membership inference attack (content words 0.36 shared) were read by the head as 0.98 neutral.

The head's file is pinned by sha256 like the model's and names the weights it was fitted to; it
and the guard are part of the model's name, so findings judged with and without it (or with
another) are kept apart (`NLIModel.name`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from consilience.errors import ModelIntegrityError
from kg.ids import file_sha256

if TYPE_CHECKING:
    import numpy as np

EXIT_FILE = "exit.json"
# sha256 of models/nli-minilm-l6/exit.json (also in its MODEL_CARD.md)
EXIT_SHA256 = "4a445526c9c7be02a95606deeb868e3b42cbb8bffe88bafd0597a47a6bff5b10"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
GUARD = 0.3  # sides sharing at least this share of content words are read by the whole model
_WORD = re.compile(r"[a-z][a-z0-9'’-]+")
_FUNCTION = frozenset(
    "the an of to in and or for on with by is are was were be been being that this these those "
    "it its as at from we our us they their them which who can could may might will would "
    "should not no nor more less than also such into about over have has had do does did".split()
)
# the guard as a whole (level and word list), carried by the model's name with the head's file
GUARD_DIGEST = hashlib.sha256(f"{GUARD}|{' '.join(sorted(_FUNCTION))}".encode()).hexdigest()[:6]
RESTORE_HINT = (
    "Restore it with `git checkout -- models/nli-minilm-l6/exit.json` (it is committed), or fit "
    "it again: `python -m training.exit_head`; or turn early exit off (CONSILIENCE_NLI__EARLY_EXIT"
    "=false)."
)


def hidden_name(layer: int) -> str:
    """The graph's tensor holding the token vectors after `layer` layers (1-based)."""
    return f"/bert/encoder/layer.{layer - 1}/output/LayerNorm/LayerNormalization_output_0"


def split(model_bytes: bytes, layer: int) -> tuple[bytes, bytes]:
    """(lower, upper) serialised graphs of the exported model cut after `layer` layers: lower
    maps the inputs to that layer's token vectors; upper maps those vectors (and the inputs,
    for the attention mask) to the logits."""
    import onnx
    from onnx.utils import Extractor

    model = onnx.load_from_string(model_bytes)
    name = hidden_name(layer)
    if not any(name in n.output for n in model.graph.node):
        raise ModelIntegrityError(
            f"The NLI graph has no tensor {name}: it cannot be cut after layer {layer}.",
            RESTORE_HINT,
        )
    lower = Extractor(model).extract_model(list(INPUTS), [name])
    upper = Extractor(model).extract_model([name, *INPUTS], ["logits"])
    return lower.SerializeToString(), upper.SerializeToString()


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if w not in _FUNCTION}


def shared_words(a: str, b: str) -> float:
    """The share of the shorter side's content words that the other side has too."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def features(hidden: np.ndarray) -> np.ndarray:
    """The head's input from one pair's token vectors (seq x dim): [CLS] and the mean."""
    import numpy as np

    return np.concatenate([hidden[0], hidden.mean(axis=0)])


@dataclass(frozen=True)
class ExitHead:
    """A linear map of standardised `features` to (entailment, neutral, contradiction)
    probabilities."""

    layer: int
    weights: np.ndarray  # 3 x features
    bias: np.ndarray  # 3
    mean: np.ndarray  # features: subtracted, then divided by `scale`
    scale: np.ndarray
    threshold: float  # exit where the head reads the pair at least this neutral
    sha256: str = ""

    def probabilities(self, hidden: np.ndarray) -> np.ndarray:
        import numpy as np

        z = self.weights @ ((features(hidden) - self.mean) / self.scale) + self.bias
        e = np.exp(z - z.max())
        return e / e.sum()

    @property
    def tag(self) -> str:
        """What the model's name carries when the head is on."""
        return f"exit{self.layer}@{self.threshold:g}:{self.sha256[:8]}:g{GUARD_DIGEST}"

    @classmethod
    def load(
        cls,
        path: Path,
        expected_sha256: str | None = EXIT_SHA256,
        model_sha256: str | None = None,
    ) -> ExitHead:
        """The head in `path`, checked against its pin (`expected_sha256`; empty or None: not
        checked) and, given `model_sha256`, against the weights it was fitted to."""
        import numpy as np

        if not path.exists():
            raise ModelIntegrityError(f"The early-exit head {path} is missing.", RESTORE_HINT)
        sha = file_sha256(path)
        if expected_sha256 and sha != expected_sha256:
            raise ModelIntegrityError(
                f"The early-exit head {path} does not match its pinned sha256 "
                f"({expected_sha256[:16]}…): it was changed or corrupted.",
                RESTORE_HINT,
            )
        try:
            raw = json.loads(path.read_text())
            head = cls(
                layer=int(raw["layer"]),
                weights=np.asarray(raw["weights"], dtype=np.float32),
                bias=np.asarray(raw["bias"], dtype=np.float32),
                mean=np.asarray(raw["mean"], dtype=np.float32),
                scale=np.asarray(raw["scale"], dtype=np.float32),
                threshold=float(raw["threshold"]),
                sha256=sha,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelIntegrityError(
                f"The early-exit head {path} cannot be read: {exc}", RESTORE_HINT
            ) from exc
        width = head.weights.shape[-1]
        if (
            head.weights.ndim != 2
            or head.weights.shape[0] != 3
            or head.bias.shape != (3,)
            or head.mean.shape != (width,)
            or head.scale.shape != (width,)
            or not bool((head.scale > 0).all())
        ):
            raise ModelIntegrityError(
                f"The early-exit head {path} has weights of shape {head.weights.shape}, "
                f"mean {head.mean.shape} and scale {head.scale.shape}: not 3 x features, "
                "features and features (scale positive).",
                RESTORE_HINT,
            )
        if raw.get("guard", GUARD) != GUARD:
            raise ModelIntegrityError(
                f"The early-exit head {path} was fitted with guard {raw['guard']}; this code "
                f"applies {GUARD}.",
                RESTORE_HINT,
            )
        fitted = raw.get("fitted")
        fitted_to = fitted.get("model_sha256") if isinstance(fitted, dict) else None
        if model_sha256 and fitted_to != model_sha256:
            raise ModelIntegrityError(
                f"The early-exit head {path} was fitted to other weights ({str(fitted_to)[:12]}…) "
                f"than the model's ({model_sha256[:12]}…).",
                RESTORE_HINT,
            )
        return head
