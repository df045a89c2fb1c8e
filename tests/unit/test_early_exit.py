"""Early exit (investigators.nli.early_exit): the graph cut in two reads exactly as the whole;
the head stops only plainly neutral pairs that share little wording; its file is pinned, and
its readings and findings are kept apart from the whole model's."""

from __future__ import annotations

import shutil
import sqlite3
import struct
from pathlib import Path
from typing import cast

import numpy as np
import pytest

from consilience.errors import ModelIntegrityError
from investigators.nli.early_exit import EXIT_FILE, GUARD, ExitHead, shared_words
from investigators.nli.judge import Judge, Side
from investigators.nli.model import MODEL_DIR, WEIGHTS_SHA256, NLIModel, NLIScores
from investigators.nli.readings import PREFIX, ReadingStore
from tests.model_stubs import Refusing

# plainly unrelated pairs of the kind retrieval hands the judge, and pairs that share wording
UNRELATED = [
    ("Our trained monitors provide a low-cost option for low-FPR monitoring.",
     "The ‘My Offer Is Nothing’ faction looked to have won the vote."),
    ("Political awareness of AI risk is basically still near zero.",
     "The probe was trained on residual-stream activations of layer 12."),
    ("We release our dataset of 5,000 annotated transcripts.",
     "Timelines matter for how quickly labs should publish safety frameworks."),
    ("Humans can have much more control over where their values drift than labs will have.",
     "The benchmark contains multiple-choice questions about biosecurity."),
]  # fmt: skip
CLOSE = [
    ("Probes detect deception in agents.", "Probes fail to detect deception in agents."),
    ("The monitor catches 80% of attacks.", "The monitor catches 35% of attacks."),
    ("Membership inference attacks aim to infer whether a record was used in training.",
     "Membership inference attacks try to determine if a data sample was used to train a model."),
]  # fmt: skip
PAIRS = UNRELATED + CLOSE


def as_array(readings: list) -> np.ndarray:
    return np.array([[r.entailment, r.neutral, r.contradiction] for r in readings], np.float32)


def test_the_two_halves_read_exactly_as_the_whole_model() -> None:
    whole = as_array(NLIModel().predict(PAIRS))
    feats, halves = NLIModel().layer_readings(PAIRS, 3)
    assert feats.shape == (len(PAIRS), 2 * 384)
    assert np.array_equal(halves, whole)  # the same float32 values, not merely close


def test_plainly_unrelated_pairs_stop_early_and_the_rest_read_as_the_whole_model() -> None:
    model = NLIModel(early_exit=True)
    got = model.predict(PAIRS)
    whole = NLIModel().predict(PAIRS)
    head = model.head
    assert head is not None and head.layer == 3
    early = [r.early for r in got]
    assert sum(early[: len(UNRELATED)]) >= len(UNRELATED) - 1  # the head stops these
    for r, w in zip(got, whole, strict=True):
        if r.early:
            assert r.neutral >= head.threshold
            assert abs(r.entailment + r.neutral + r.contradiction - 1) < 1e-5
        else:
            assert r == w  # went on: read by all six layers, exactly
    # pairs sharing much wording are never decided by the head, however neutral it reads them
    assert all(shared_words(a, b) >= GUARD for a, b in CLOSE)
    assert not any(early[len(UNRELATED) :])


def test_early_exit_is_in_the_model_name_so_findings_are_judged_again() -> None:
    plain, early = NLIModel(), NLIModel(early_exit=True)
    assert plain.name.startswith("nli-minilm-l6@") and "exit3@" not in plain.name
    assert early.name.startswith(plain.name + "+exit3@")
    assert Judge(plain).version != Judge(early).version


def test_a_changed_or_missing_head_is_refused_with_the_way_back(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    head = copy / EXIT_FILE
    head.write_text(head.read_text().replace('"layer": 3', '"layer": 2'))
    with pytest.raises(ModelIntegrityError, match=r"exit\.json does not match") as err:
        NLIModel(copy, early_exit=True).predict(PAIRS[:1])
    assert "training.exit_head" in err.value.hint
    head.unlink()
    with pytest.raises(ModelIntegrityError, match=r"exit\.json is missing"):
        NLIModel(copy, early_exit=True).predict(PAIRS[:1])
    # the whole model does not need it
    assert NLIModel(copy).predict(PAIRS[:1]) == NLIModel().predict(PAIRS[:1])


def test_an_unreadable_head_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / EXIT_FILE
    bad.write_text(
        '{"layer": 3, "weights": [[1, 2]], "bias": [0, 0, 0], "mean": [0, 0], "scale": [1, 1],'
        ' "threshold": 0.9}'
    )
    with pytest.raises(ModelIntegrityError, match="shape"):
        ExitHead.load(bad, expected_sha256=None)
    bad.write_text("not json")
    with pytest.raises(ModelIntegrityError, match="cannot be read"):
        ExitHead.load(bad, expected_sha256=None)


def test_early_readings_are_stored_apart_from_the_whole_models(tmp_path: Path) -> None:
    early = NLIModel(readings_dir=tmp_path, early_exit=True).predict(PAIRS)
    assert any(r.early for r in early)
    again = NLIModel(readings_dir=tmp_path, early_exit=True)
    again.predict(PAIRS[:1])  # loads the model
    again._session = Refusing()  # pyright: ignore[reportAttributeAccessIssue]
    assert again.predict(PAIRS) == early  # from the store, the early flag included
    assert NLIModel(readings_dir=tmp_path).predict(PAIRS) == NLIModel().predict(PAIRS)
    assert len(list(tmp_path.glob(f"{PREFIX}*.sqlite"))) == 2


def test_a_reading_stored_before_early_exit_reads_as_the_whole_models(tmp_path: Path) -> None:
    store = ReadingStore(tmp_path, "old")
    store.put_many([(("a", "b"), (0.1, 0.8, 0.1, False, False))])
    with sqlite3.connect(store.path) as con:  # as an earlier version wrote it: no early flag
        con.execute("UPDATE readings SET v = ?", (struct.pack("<fff?", 0.25, 0.5, 0.25, True),))
    assert ReadingStore(tmp_path, "old").get_many([("a", "b")]) == {
        0: (0.25, 0.5, 0.25, True, False)
    }


def test_shared_words_ignores_function_words_and_case() -> None:
    assert shared_words("The probe detects deception.", "the PROBE fails") == pytest.approx(1 / 2)
    assert shared_words("of the and", "the of") == 0.0
    assert shared_words("", "anything") == 0.0


def test_the_judge_names_an_early_reading_in_its_rationale() -> None:
    pairs = [(Side(a), Side(b)) for a, b in UNRELATED[:1]]
    both = Judge(NLIModel(early_exit=True), skip_neutral=None).judge(pairs)[0]
    assert both.ab.early and both.ba.early
    assert "early exit: A→B and B→A read as plainly neutral" in both.rationale
    # the cascade does not read B→A after a plainly neutral A→B: only A→B is named
    cascade = Judge(NLIModel(early_exit=True), skip_neutral=0.9).judge(pairs)[0]
    assert "early exit: A→B read as plainly neutral" in cascade.rationale


class EarlyOnly:
    """A stand-in model that reads every pair as plainly neutral, by the early-exit head."""

    model_dir = MODEL_DIR
    expected = None
    name = "stand-in"

    def weights_sha256(self) -> None:  # no weights of its own: the levels are not checked
        return None

    def predict(self, pairs: list[tuple[str, str]], **_: object) -> list[NLIScores]:
        return [NLIScores(0.001, 0.998, 0.001, early=True) for _ in pairs]


def test_a_truncated_pair_whose_b_to_a_was_skipped_names_only_a_to_b() -> None:
    judge = Judge(cast(NLIModel, EarlyOnly()), skip_neutral=0.9)
    long = " ".join(["word"] * 300)
    j = judge.judge([(Side(long), Side("A short statement about something else."))])[0]
    assert j.ab.truncated and j.ba is j.ab  # B→A was not read: A→B stands in, truncation kept
    assert "early exit: A→B read as plainly neutral" in j.rationale
    assert "B→A read as plainly" not in j.rationale


def test_controls_are_read_by_the_whole_model() -> None:
    model = NLIModel(early_exit=True)
    assert any(r.early for r in model.predict(UNRELATED))
    whole = model.predict(UNRELATED, allow_exit=False)
    assert not any(r.early for r in whole)
    assert whole == NLIModel().predict(UNRELATED)
    from investigators.nli.controls import control_readings

    assert control_readings(model, ["Probes detect deception."]) == control_readings(
        NLIModel(), ["Probes detect deception."]
    )


def test_a_head_fitted_to_other_weights_is_refused(tmp_path: Path) -> None:
    raw = (MODEL_DIR / EXIT_FILE).read_text()
    other = tmp_path / EXIT_FILE
    pin = f'"model_sha256": "{WEIGHTS_SHA256}"'
    other.write_text(raw.replace(pin, f'"model_sha256": "{"0" * 64}"'))
    assert other.read_text() != raw
    with pytest.raises(ModelIntegrityError, match="fitted to other weights"):
        ExitHead.load(other, expected_sha256=None, model_sha256=NLIModel().expected)
    assert ExitHead.load(other, expected_sha256=None).layer == 3  # unchecked without a model pin


def test_the_threshold_lets_at_most_the_allowed_share_of_relevant_pairs_exit() -> None:
    from training.exit_head import choose_threshold

    neutral = np.array([0.999, 0.995, 0.991, 0.97, 0.999, 0.95])
    relevant = np.array([True, True, True, True, False, False])
    open_ = np.array([True, False, True, True, True, True])
    # 4 relevant, 1 allowed to exit: the guarded 0.995 cannot; stop short of 0.991
    t = choose_threshold(neutral, relevant, open_, miss=0.25)
    assert t == 0.992
    assert ((neutral >= t) & open_ & relevant).sum() == 1
    assert choose_threshold(neutral, relevant, open_, miss=0.0) == 1.0
    # a budget (2 of 4) larger than the relevant pairs the head may decide (1): the floor, 0.9
    assert choose_threshold(neutral, relevant, ~open_, miss=0.5) == 0.9


def test_out_of_fold_readings_come_from_heads_that_never_saw_the_pair() -> None:
    """`training.exit_head --folds K`: each pair's reading is from a head fitted without its
    fold, so a pair the fit would memorise is not read as well as the fit reads it."""
    from training.exit_head import fit, out_of_fold, probabilities

    rng = np.random.default_rng(3)
    x = rng.normal(size=(60, 4)).astype(np.float32)
    y = rng.dirichlet([1.0, 1.0, 1.0], size=60).astype(np.float32)  # noise: nothing to learn
    held = out_of_fold(x, y, l2=1e-6, folds=3)
    assert held.shape == (60, 3) and np.allclose(held.sum(1), 1.0)
    w, b, mean, scale = fit(x, y, 1e-6)
    seen = probabilities(x, w, b, mean, scale)

    def loss(p: np.ndarray) -> float:
        return float(-(y * np.log(p)).sum(1).mean())

    assert loss(held) > loss(seen)  # read unseen, the noise cannot be fitted
    # fold f holds pairs f, f+3, ...: its readings are those of a head fitted on the rest
    rest = np.arange(60) % 3 != 0
    w0, b0, m0, s0 = (np.round(a, 6) for a in fit(x[rest], y[rest], 1e-6))
    assert np.allclose(held[~rest], probabilities(x[~rest], w0, b0, m0, s0))
    with pytest.raises(ValueError, match="at least 2"):
        out_of_fold(x, y, l2=1e-6, folds=1)
