"""The input digest that lets a recompute skip claims whose confidence cannot have changed."""

from __future__ import annotations

from typing import Any

import pytest

from calibration.fit import CalibrationMap
from calibration.updater import input_digest, rules_digest


def _row(**evidence_changes: Any) -> dict[str, Any]:
    ev = [
        {"finding_id": "f1", "kind": "contradicts", "investigator": "nli", "score": 0.8,
         "status": "open", "independent": True, "side": "a", "other_claim_id": "c2",
         "other_source_id": "s2", "other_line_id": None, "other_methods": ["probes", "sae"],
         "other_retracted": False},
        {"finding_id": "f2", "kind": "converges_with", "investigator": "nli", "score": 0.7,
         "status": "open", "independent": True, "side": "b", "other_claim_id": "c3",
         "other_source_id": "s3", "other_line_id": "l3", "other_methods": [],
         "other_retracted": False},
    ]  # fmt: skip
    ev[0].update(evidence_changes)
    return {
        "id": "c1", "kind": "finding", "hedge": "none", "hedge_cues": [],
        "stated_probability": None, "text": "Probes work.", "speaker": None,
        "numbers_json": "[]", "source_kind": "paper", "source_retracted": False,
        "line_id": "l1", "evidence": ev, "old_p": 0.4, "old_sig": "x", "stale": False,
        "read_at": 1_800_000_000_000,
    }  # fmt: skip


def test_digest_ignores_order_and_stored_values_but_not_inputs() -> None:
    rules = rules_digest({})
    base = _row()
    shuffled = {
        **base,
        "evidence": base["evidence"][::-1],
        "old_p": 0.9,
        "old_sig": "y",
        "read_at": 1,
    }
    shuffled["evidence"][1] = {**shuffled["evidence"][1], "other_methods": ["sae", "probes"]}
    assert input_digest(base, rules) == input_digest(shuffled, rules)
    assert input_digest(_row(score=0.81), rules) != input_digest(base, rules)
    assert input_digest(_row(status="dismissed"), rules) != input_digest(base, rules)
    assert input_digest({**base, "hedge": "weak"}, rules) != input_digest(base, rules)


def test_a_new_calibration_map_changes_the_digests_of_the_claims_it_can_change() -> None:
    """A map (one per investigator and kind of finding) re-derives the claims with findings of
    its investigator and kind; a claim without findings (its prior uses no map), or with only
    other investigators' or other kinds' findings, keeps its digest, so a recompute after
    `calibrate` skips it."""
    fitted = CalibrationMap(investigator="nli:contradicts", method="platt", x=[], y=[], a=2.0,
                            b=-1.0, n=40, positives=12)  # fmt: skip
    before, after = rules_digest({}), rules_digest({"nli:contradicts": fitted})
    assert input_digest(_row(), before) != input_digest(_row(), after)
    bare = {**_row(), "evidence": []}
    assert input_digest(bare, before) == input_digest(bare, after)
    other = _row()
    other["evidence"] = [{**e, "investigator": "llm"} for e in other["evidence"]]
    assert input_digest(other, before) == input_digest(other, after)
    assert input_digest(other, before) != input_digest(_row(), before)
    agreeing = _row()  # the nli judge's convergence alone: the contradiction map cannot change it
    agreeing["evidence"] = [e for e in agreeing["evidence"] if e["kind"] == "converges_with"]
    assert input_digest(agreeing, before) == input_digest(agreeing, after)
    # with another investigator's map already there, and a claim with both investigators
    llm = fitted.model_copy(update={"investigator": "llm:converges_with", "a": 3.0})
    both_before = rules_digest({"llm:converges_with": llm})
    both_after = rules_digest({"llm:converges_with": llm, "nli:contradicts": fitted})
    assert input_digest(other, both_before) == input_digest(other, both_after)
    mixed = _row()
    mixed["evidence"][1] = {**mixed["evidence"][1], "investigator": "llm"}
    assert input_digest(mixed, both_before) != input_digest(mixed, both_after)


def test_evidence_free_claims_share_a_prior_only_when_every_prior_input_is_equal() -> None:
    """derive_rows caches the confidence of claims without findings by `_prior_key`: each
    cached result must equal an uncached derivation, and varying any input of the prior must
    give another key. The records it builds must round-trip through validation."""
    from typing import cast

    from calibration.confidence import derive
    from calibration.updater import ConfidenceUpdater
    from kg.graph import Graph
    from kg.records import ConfidenceRecord

    updater = ConfidenceUpdater(cast(Graph, None))  # derive_rows reads no graph
    bare = {**_row(), "evidence": [], "old_p": None, "old_low": None, "old_high": None,
            "old_sig": None, "old_inputs": None}  # fmt: skip
    variants = [
        bare,
        {**bare, "id": "c9", "line_id": "l9", "text": "Other words."},  # same prior inputs
        {**bare, "kind": "prediction"},
        {**bare, "hedge": "strong"},
        {**bare, "source_kind": "post"},
        {**bare, "source_retracted": True},
        {**bare, "stated_probability": 0.7, "text": "We put it at 70%."},
        {**bare, "stated_probability": 0.7, "text": "We put it at 70%?", "hedge_cues": ["?"]},
        {**bare, "stated_probability": 0.7, "text": 'Say "70%" as an example.'},
    ]
    plain: dict[tuple[object, ...], Any] = {}
    rows = updater.derive_rows(variants, lambda i, s: (s, False), "full update", plain)
    for d, (record, write) in zip(variants, rows, strict=True):
        fresh = derive(updater._facts(d), [])
        assert (record.p, record.low, record.high) == (fresh.p, fresh.low, fresh.high), d
        assert record.id == d["id"] and write and record.changed
        assert ConfidenceRecord.model_validate(record.model_dump()) == record
    keys = [ConfidenceUpdater._prior_key(d) for d in variants]
    assert keys[0] == keys[1]
    assert len(set(keys)) == len(variants) - 1  # every other variant has a key of its own
    assert rows[0][0].derivation == rows[1][0].derivation


def test_claims_with_findings_take_the_cached_prior_and_derive_as_if_uncached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """derive_rows hands a claim with findings the prior cached for its `_prior_key`, filled
    here by *other* claims without findings (other ids, texts, lines, cues, speaker): the prior
    is derived once per key, and each record equals a fresh derivation term by term."""
    import json
    from typing import cast

    import calibration.confidence as confidence
    from calibration.updater import _EVIDENCE, ConfidenceUpdater
    from kg.graph import Graph

    updater = ConfidenceUpdater(cast(Graph, None))
    stored = {"old_p": None, "old_low": None, "old_high": None, "old_inputs": None}
    base = {**_row(), **stored}
    changes: list[dict[str, Any]] = [
        {}, {"kind": "prediction"}, {"hedge": "strong"}, {"source_kind": "post"},
        {"source_retracted": True}, {"stated_probability": 0.7, "text": "We put it at 70%."},
        {"stated_probability": 0.7, "text": "It is 70%?", "hedge_cues": ["?"]},
    ]  # fmt: skip
    with_findings = [{**base, **c} for c in changes]
    without = [
        {**d, "id": f"bare{i}", "evidence": [], "line_id": f"other{i}", "speaker": "Someone",
         "hedge_cues": [*d["hedge_cues"], "may"],
         "text": d["text"] if d["stated_probability"] is not None else "Unrelated words."}
        for i, d in enumerate(with_findings)
    ]  # fmt: skip
    assert [updater._prior_key(d) for d in without] == [
        updater._prior_key(d) for d in with_findings
    ]
    calls = 0
    real_prior_of = confidence.prior_of

    def counting(c: Any) -> Any:
        nonlocal calls
        calls += 1
        return real_prior_of(c)

    weigh = lambda i, s: (s, False)  # noqa: E731
    plain: dict[tuple[object, ...], Any] = {}
    monkeypatch.setattr(confidence, "prior_of", counting)
    rows = updater.derive_rows([*without, *with_findings], weigh, "full update", plain)
    monkeypatch.setattr(confidence, "prior_of", real_prior_of)
    assert calls == len(changes)  # once per key: the claims with findings reused them
    for d, (record, _) in zip(with_findings, rows[len(without) :], strict=True):
        fresh = confidence.derive(
            updater._facts(d), _EVIDENCE.validate_python(d["evidence"]), weigh
        )
        assert (record.p, record.low, record.high) == (fresh.p, fresh.low, fresh.high), d
        assert json.loads(record.derivation) == [t.model_dump(mode="json") for t in fresh.terms], d
        assert record.n_findings == 2 and record.contested


def test_raw_chunks_yields_every_batch_in_order_with_reads_in_flight() -> None:
    """Batches are fetched ahead, `READS_IN_FLIGHT` at once, in threads that finish out of
    order; they come back in the ids' order, each once; closing the generator early waits for
    the reads in flight and starts no more; an empty id list yields nothing."""
    import random
    import threading
    import time
    from typing import cast

    from calibration.updater import READS_IN_FLIGHT, ConfidenceUpdater
    from kg.graph import Graph

    lock = threading.Lock()
    active = peak = started = 0

    class Slow(ConfidenceUpdater):
        def _fetch(self, chunk: list[str]) -> list[dict[str, Any]]:
            nonlocal active, peak, started
            with lock:
                active, started = active + 1, started + 1
                peak = max(peak, active)
            time.sleep(random.Random(chunk[0]).uniform(0.005, 0.03))
            with lock:
                active -= 1
            return [{"id": i} for i in chunk]

    updater = Slow(cast(Graph, None), batch=3)
    ids = [f"c{i:02d}" for i in range(20)]
    batches = list(updater.raw_chunks(ids))
    assert [[r["id"] for r in b] for b in batches] == [ids[i : i + 3] for i in range(0, 20, 3)]
    assert peak == READS_IN_FLIGHT == 2
    started = 0
    early = updater.raw_chunks(ids)
    assert [r["id"] for r in next(early)] == ids[:3]
    early.close()
    assert active == 0 and started == 1 + READS_IN_FLIGHT  # the first, and the ones ahead
    assert list(updater.raw_chunks([])) == []
