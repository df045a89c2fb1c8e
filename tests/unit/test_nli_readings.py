"""The model's readings kept on disk: a pair is read once per model, a stored reading is the
fresh one exactly, and a damaged or unusable store costs speed, never a judgement."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from investigators.nli.judge import Judge, Side
from investigators.nli.model import MODEL_DIR, NLIModel
from investigators.nli.readings import PREFIX, ReadingStore
from tests.model_stubs import Refusing

PAIRS = [
    ("Probes detect deception in agents.", "Probes fail to detect deception in agents."),
    ("The monitor catches 80% of attacks.", "The monitor catches 35% of attacks."),
    ("Scaling improves calibration.", "Larger models are better calibrated."),
    ("", "An empty premise is read as '(empty)'."),
    (" ".join(["long"] * 300), "A premise over the length limit is truncated."),
]


def test_a_stored_reading_is_the_fresh_one_and_the_model_is_not_asked_again(
    tmp_path: Path,
) -> None:
    fresh = NLIModel().predict(PAIRS)
    first = NLIModel(readings_dir=tmp_path).predict(PAIRS)
    assert first == fresh  # storing changes nothing
    again = NLIModel(readings_dir=tmp_path)
    again.predict(PAIRS[:1])  # loads the model
    again._session = Refusing()  # pyright: ignore[reportAttributeAccessIssue]
    assert again.predict(PAIRS) == fresh  # the same floats, the truncation flag included
    assert fresh[-1].truncated and not fresh[0].truncated
    # a new pair among stored ones: only it goes to the model
    with pytest.raises(AssertionError, match="was asked"):
        again.predict([*PAIRS, ("A new premise.", "A new hypothesis.")])


def test_judgements_from_stored_readings_are_the_same(tmp_path: Path) -> None:
    pairs = [(Side(a), Side(b)) for a, b in PAIRS]
    plain = Judge(NLIModel()).judge(pairs)
    Judge(NLIModel(readings_dir=tmp_path)).judge(pairs)
    stored = Judge(NLIModel(readings_dir=tmp_path))
    stored.model.predict(PAIRS[:1])
    stored.model._session = Refusing()  # pyright: ignore[reportAttributeAccessIssue]
    assert stored.judge(pairs) == plain


def test_another_model_has_its_own_readings_and_its_stale_file_goes(tmp_path: Path) -> None:
    NLIModel(readings_dir=tmp_path).predict(PAIRS)
    (old,) = tmp_path.glob(f"{PREFIX}*.sqlite")
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR, copy)
    tok = copy / "tokenizer.json"
    tok.write_text(tok.read_text() + "\n")  # another tokenizer file: another namespace
    NLIModel(copy, readings_dir=tmp_path).predict(PAIRS[:1])
    assert old.exists()  # used a moment ago, perhaps by another environment: kept
    (newer,) = set(tmp_path.glob(f"{PREFIX}*.sqlite")) - {old}
    two_days = time.time() - 2 * 24 * 3600
    for p in tmp_path.glob(f"{old.name}*"):
        os.utime(p, (two_days, two_days))
    NLIModel(copy, readings_dir=tmp_path).predict(PAIRS[:1])
    assert not old.exists() and newer.exists()
    assert ReadingStore(tmp_path, "unrelated").get_many(PAIRS) == {}


def test_a_locked_store_is_skipped_for_that_call_not_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = ReadingStore(tmp_path, "ns")
    store.put_many([(PAIRS[0], (0.1, 0.2, 0.7, False, False))])
    store.timeout = 0.1
    holder = sqlite3.connect(store.path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING):
            store.put_many([(PAIRS[1], (0.3, 0.3, 0.4, False, False))])  # waits 0.1 s, then skips
            assert set(store.get_many(PAIRS[:2])) == {0}  # readers are not blocked (WAL)
        assert "without it this time" in caplog.text and "damaged" not in caplog.text
    finally:
        holder.rollback()
        holder.close()
    assert not store.disabled
    got = store.get_many(PAIRS[:2])
    assert set(got) == {0} and got[0][2] == pytest.approx(0.7)  # kept; the second not written


def test_a_damaged_store_is_rebuilt_and_judgements_do_not_change(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fresh = NLIModel().predict(PAIRS)
    NLIModel(readings_dir=tmp_path).predict(PAIRS)
    (path,) = tmp_path.glob(f"{PREFIX}*.sqlite")
    for p in tmp_path.glob(f"{path.name}-*"):
        p.unlink()  # the write-ahead log, so only the junk below is left
    path.write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING):
        assert NLIModel(readings_dir=tmp_path).predict(PAIRS) == fresh
    assert "damaged" in caplog.text and "rebuilding" in caplog.text
    assert path.exists()
    reread = NLIModel(readings_dir=tmp_path)
    reread.predict(PAIRS[:1])
    reread._session = Refusing()  # pyright: ignore[reportAttributeAccessIssue]
    assert reread.predict(PAIRS) == fresh  # stored again after the rebuild


def test_a_store_that_cannot_be_written_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING):
        assert NLIModel(readings_dir=blocked).predict(PAIRS) == NLIModel().predict(PAIRS)
    assert "reading without it" in caplog.text
