"""Keeps stored confidences in step with findings, verdicts and sources (full or incremental).

The updater reads each claim's facts and evidence, derives its confidence (pure, in
`calibration.confidence`) and hands the records to `kg.writers.calibration_store`. The claim
keeps its current numbers with when it took them; when they change, the replaced ones are
archived as a history snapshot, so the history says what was known when. A claim whose
input digest (`input_digest`) is the stored one is not re-derived.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import inspect
import json
from collections import deque
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from calibration.confidence import Weigher, derive, derive_many
from calibration.cypher import evidence as q
from calibration.fit import CalibrationMap
from calibration.models import ClaimFacts, Confidence, Evidence, Term, map_key
from calibration.prior import stated_is_illustrative
from consilience import __version__
from consilience.gc_pause import gc_paused
from kg.criticality import is_safety_critical
from kg.graph import Graph
from kg.records import ConfidenceRecord
from kg.writers import calibration_store

STATE = "confidence"
# Two batches written at once: the database writes each transaction on one thread, and with
# one write in flight the writes were the longest stage of a full recompute (100k claims
# written afresh in 2,000-claim batches: 8.0-9.6 s one at a time, 4.4-6.8 s two at a time,
# the same server CPU).
WRITES_IN_FLIGHT = 2
# Two batches read at once: a read runs on one database thread, and with one read in flight a
# full recompute where nothing changed waited on it (the database's CPU time equal to the wall
# time, a core idle).
READS_IN_FLIGHT = 2
_EVIDENCE = TypeAdapter(list[Evidence])
_TERMS = TypeAdapter(tuple[Term, ...])  # a derivation serialised in one call


class UpdateReport(BaseModel):
    model_config = ConfigDict(extra="forbid")
    computed: int = Field(
        description="Claims brought up to date (derived afresh, or inputs found unchanged)"
    )
    changed: int = Field(
        description="Claims whose numbers changed (or were derived for the first time), as "
        "derived; a superseded one among them was not written"
    )
    mode: str = Field(description="full, incremental, verdict or retraction")
    derived: int = Field(
        default=0,
        description="Claims derived afresh; the others' inputs, rules and maps were unchanged",
    )
    superseded: int = Field(
        default=0,
        description="Derived claims not written: an update that read them later (a verdict "
        "recorded meanwhile) had already stored theirs, or the claim was removed meanwhile (a "
        "revised document re-ingested)",
    )


def load_maps(driver: Graph) -> dict[str, CalibrationMap]:
    with driver.read() as s:
        return {r["investigator"]: CalibrationMap(**r.data()) for r in s.run(q.CALIBRATION_MAPS)}


def weigher_for(maps: dict[str, CalibrationMap]) -> Weigher:
    def weigh(key: str, score: float) -> tuple[float, bool]:
        m = maps.get(key)  # a map stored before maps were per kind is no key: never used
        if m is None:
            return score, False
        return float(np.clip(m.apply(score), 0.0, 1.0)), True

    return weigh


def _changed(old: tuple[float | None, float | None, float | None], c: Confidence) -> bool:
    """True when a stored number is missing or differs from the new confidence's."""
    p, low, high = old
    return (
        p is None
        or low is None
        or high is None
        or abs(float(p) - c.p) > 1e-6
        or abs(float(low) - c.low) > 1e-6
        or abs(float(high) - c.high) > 1e-6
    )


# The code a confidence is derived by: a change to any of these modules re-derives every claim
# (their source is part of each claim's input digest).
RULE_MODULES = (
    "calibration.confidence",
    "calibration.prior",
    "calibration.models",
    "calibration.fit",
    "calibration.updater",
    "calibration.cypher.evidence",
    "consilience.vocabulary",
    "kg.criticality",
    "kg.records",
    "kg.cypher.calibration",
)
_FACT_KEYS = (
    "id", "kind", "hedge", "hedge_cues", "stated_probability", "text", "speaker",
    "numbers_json", "source_kind", "source_retracted", "line_id",
)  # fmt: skip


@functools.cache
def _rules_source() -> bytes:
    """Digest of the derivation code (the package version and the modules' source). Cached:
    the code cannot change while the process runs, and a verdict recomputes on a hot path."""
    h = hashlib.sha1(__version__.encode())
    for name in RULE_MODULES:
        try:
            h.update(inspect.getsource(importlib.import_module(name)).encode())
        except (OSError, TypeError):  # no source shipped: the version alone must do
            h.update(name.encode())
    return h.digest()


@dataclass
class RulesDigest:
    """What a confidence is derived by: the derivation code, and each investigator's fitted
    score map (by investigator), so that a new map re-derives only the claims it can change."""

    code: bytes
    maps: dict[str, bytes]


def rules_digest(maps: dict[str, CalibrationMap]) -> RulesDigest:
    """Digest of the derivation rules (their source) and of each fitted score map."""
    return RulesDigest(
        code=_rules_source(),
        maps={
            k: hashlib.sha1(orjson.dumps(m.model_dump(), option=orjson.OPT_SORT_KEYS)).digest()
            for k, m in maps.items()
        },
    )


def input_digest(d: dict[str, Any], rules: RulesDigest) -> str:
    """Digest of everything a claim's confidence is derived from: its facts, the findings
    bearing on it (in a canonical order), the rules, and the maps of the investigators behind
    those findings (a claim without findings does not depend on any map: its prior does not).
    Equal digests give equal confidences, so a recompute skips claims whose digest is the
    stored one."""
    facts = orjson.dumps([d[k] for k in _FACT_KEYS])
    if not d["evidence"]:  # most claims: no maps, no findings
        return hashlib.sha1(rules.code + facts).hexdigest()[:20]
    evidence = sorted(
        orjson.dumps(
            # the methods in a canonical order (a copy only where there is an order to fix)
            e
            if len(e["other_methods"]) < 2
            else {**e, "other_methods": sorted(e["other_methods"])},
            option=orjson.OPT_SORT_KEYS,
        )
        for e in d["evidence"]
    )
    used = sorted({map_key(str(e["investigator"]), str(e["kind"])) for e in d["evidence"]})
    maps = b"".join(f"{i}=".encode() + rules.maps.get(i, b"-") + b";" for i in used)
    return hashlib.sha1(rules.code + maps + facts + b"".join(evidence)).hexdigest()[:20]


def _sig(conf: Confidence, critical: bool, derivation: str) -> str:
    """Digest of what a claim's stored confidence says: numbers, flag and derivation."""
    text = f"{conf.p!r}|{conf.low!r}|{conf.high!r}|{critical}|{derivation}"
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def _without_findings(facts: ClaimFacts, weigh: Weigher) -> tuple[Confidence, str]:
    """The confidence of a claim without findings (its prior alone) and its serialised
    derivation."""
    conf = derive(facts, [], weigh)
    return conf, _TERMS.dump_json(conf.terms).decode()


def _settle(pending: deque[tuple[Future[int], int]], keep: int) -> int:
    """Wait for the oldest writes until at most `keep` are in flight: the rows they were sent
    and did not write (superseded). A failed write raises here and stops the update."""
    lost = 0
    while len(pending) > keep:
        done, sent = pending.popleft()
        lost += sent - done.result()
    return lost


class ConfidenceUpdater:
    """Derives and stores confidences for a set of claims."""

    def __init__(self, driver: Graph, batch: int = 2000) -> None:
        self.driver = driver
        self.batch = batch

    def _fetch(self, chunk: list[str]) -> list[dict[str, Any]]:
        with self.driver.read() as s:
            rows: list[dict[str, Any]] = s.run(q.CLAIM_EVIDENCE, ids=chunk).single(strict=True)[
                "rows"
            ]
            return rows

    @staticmethod
    def _illustrative(d: dict[str, Any]) -> bool:
        """Whether the stated probability is an example (the numbers are parsed only when
        there is a stated probability to check)."""
        p = d["stated_probability"]
        return p is not None and stated_is_illustrative(
            d["text"], json.loads(d["numbers_json"] or "[]"), p
        )

    def _facts(self, d: dict[str, Any]) -> ClaimFacts:
        return ClaimFacts(
            id=d["id"],
            kind=d["kind"] or "finding",
            hedge=d["hedge"] or "none",
            hedge_cues=d["hedge_cues"],
            stated_probability=d["stated_probability"],
            stated_illustrative=self._illustrative(d),
            source_kind=d["source_kind"] or "unknown",
            source_retracted=d["source_retracted"],
            line_id=d["line_id"],
        )

    @classmethod
    def _prior_key(cls, d: dict[str, Any]) -> tuple[object, ...]:
        """Everything the confidence of a claim without findings depends on (its prior): claims
        with equal keys get equal confidences, so most claims of a large graph share one."""
        return (
            d["kind"] or "finding",
            d["hedge"] or "none",
            "?" in d["hedge_cues"],
            d["stated_probability"],
            cls._illustrative(d),
            d["source_kind"] or "unknown",
            d["source_retracted"],
        )

    def _inputs(
        self, rows: list[dict[str, Any]]
    ) -> list[tuple[ClaimFacts, list[Evidence], dict[str, Any]]]:
        return [(self._facts(d), _EVIDENCE.validate_python(d["evidence"]), d) for d in rows]

    def raw_chunks(self, ids: list[str]) -> Generator[list[dict[str, Any]], None, None]:
        """Each batch of claims' raw rows (facts, the findings bearing on them, what is
        stored), in order. The next `READS_IN_FLIGHT` batches are fetched in background threads
        while this one is used (the database works in its own process meanwhile)."""
        chunks = [ids[i : i + self.batch] for i in range(0, len(ids), self.batch)]
        with ThreadPoolExecutor(READS_IN_FLIGHT, thread_name_prefix="confidence-read") as pool:
            pending = deque(pool.submit(self._fetch, c) for c in chunks[:READS_IN_FLIGHT])
            for k in range(len(chunks)):
                rows = pending.popleft().result()
                if k + READS_IN_FLIGHT < len(chunks):
                    pending.append(pool.submit(self._fetch, chunks[k + READS_IN_FLIGHT]))
                yield rows

    def load(self, ids: list[str]) -> Iterator[tuple[ClaimFacts, list[Evidence], dict[str, Any]]]:
        """Each claim's facts, the findings bearing on it, and the raw row."""
        for rows in self.raw_chunks(ids):
            yield from self._inputs(rows)

    def derive_rows(
        self,
        raw: list[dict[str, Any]],
        weigh: Weigher,
        reason: str,
        plain: dict[tuple[object, ...], tuple[Confidence, str]],
    ) -> list[tuple[ConfidenceRecord, bool]]:
        """One record per raw claim row for `kg.writers.calibration_store.write_confidences`,
        with whether it needs writing: a record whose stored confidence, derivation and flags
        are already exactly these (and not marked stale) does not, so a full recompute where
        little changed writes little. Each raw row carries its `inputs` digest (set by
        `recompute`) and the stored one (`old_inputs`); a new digest is written even when the
        numbers are the same. `plain` caches, by the prior's inputs (`_prior_key`), the
        confidence (and serialised derivation) of a claim without findings: most claims of a
        large graph share a few keys, and a claim without findings takes its key's result
        whole (only the first claim of each key is turned into typed facts for it); a claim
        with findings takes its key's prior (the first term) and adds its evidence."""
        keys = [self._prior_key(d) for d in raw]
        for d, key in zip(raw, keys, strict=True):
            if key not in plain:
                plain[key] = _without_findings(self._facts(d), weigh)
        found = iter(
            derive_many(
                [
                    # the evidence as read from the graph; the prior is its key's
                    (self._facts(d), _EVIDENCE.validate_python(d["evidence"]), plain[k][0].terms[0])
                    for d, k in zip(raw, keys, strict=True)
                    if d["evidence"]
                ],
                weigh,
            )
        )
        sigs: dict[tuple[tuple[object, ...], bool], str] = {}  # claims without findings
        rows: list[tuple[ConfidenceRecord, bool]] = []
        for d, key in zip(raw, keys, strict=True):
            critical = is_safety_critical(d["kind"] or "finding", d["text"], d["speaker"])
            if d["evidence"]:
                conf = next(found)
                derivation = _TERMS.dump_json(conf.terms).decode()
                sig = _sig(conf, critical, derivation)
            else:
                conf, derivation = plain[key]  # the claim id is taken from the row below
                if (key, critical) not in sigs:
                    sigs[key, critical] = _sig(conf, critical, derivation)
                sig = sigs[key, critical]
            changed = _changed((d["old_p"], d["old_low"], d["old_high"]), conf)
            inputs = d.get("inputs", "")
            same = (
                not (changed or d["stale"])
                and sig == d["old_sig"]
                and inputs == d.get("old_inputs")
            )
            # validated from a dict: pydantic's core does that in 2.8 us a record, where
            # `model_construct` (no validation, but a Python loop over the fields) took 6.3 us
            # and keyword arguments 3.6 us
            record = ConfidenceRecord.model_validate(
                {
                    "id": d["id"],
                    "p": conf.p,
                    "low": conf.low,
                    "high": conf.high,
                    "support_lines": conf.support_lines,
                    "oppose_lines": conf.oppose_lines,
                    "effective_lines": conf.effective_lines,
                    "contested": conf.contested,
                    "n_findings": conf.n_findings,
                    "derivation": derivation,
                    "safety_critical": critical,
                    "changed": changed,
                    "reason": reason,
                    "sig": sig,
                    "inputs": inputs,
                    "read_at": d["read_at"],
                }
            )
            rows.append((record, not same))
        return rows

    def recompute(self, ids: list[str], reason: str, mode: str) -> UpdateReport:
        """Derive and store the confidences of exactly these claims. Three stages overlap:
        the next batches are read (`READS_IN_FLIGHT` at once) while this one is derived, and
        earlier ones are written (at most `WRITES_IN_FLIGHT` writes at once, each batch its
        own transaction; the batches hold disjoint claims, taken in id order)."""
        ids = sorted(set(ids))
        maps = load_maps(self.driver)
        weigh, rules = weigher_for(maps), rules_digest(maps)
        plain: dict[tuple[object, ...], tuple[Confidence, str]] = {}
        computed = changed = derived = superseded = 0
        # the collector paused: a full recompute makes millions of short-lived acyclic objects,
        # and with it on, its scans took more than half of the derivation's CPU
        with (
            gc_paused(),
            ThreadPoolExecutor(WRITES_IN_FLIGHT, thread_name_prefix="confidence-write") as writer,
        ):
            pending: deque[tuple[Future[int], int]] = deque()  # (write, rows sent)
            for raw in self.raw_chunks(ids):
                computed += len(raw)
                todo: list[dict[str, Any]] = []
                for d in raw:
                    d["inputs"] = input_digest(d, rules)
                    if d["stale"] or d["old_sig"] is None or d["inputs"] != d["old_inputs"]:
                        todo.append(d)
                derived += len(todo)
                rows = self.derive_rows(todo, weigh, reason, plain)
                changed += sum(1 for r, _ in rows if r.changed)
                to_write = [r for r, write in rows if write]
                superseded += _settle(pending, WRITES_IN_FLIGHT - 1)
                if to_write:
                    future = writer.submit(
                        calibration_store.write_confidences, self.driver, to_write, self.batch
                    )
                    pending.append((future, len(to_write)))
            superseded += _settle(pending, 0)
        return UpdateReport(
            computed=computed, changed=changed, mode=mode, derived=derived, superseded=superseded
        )

    def update(self, *, everything: bool = False) -> UpdateReport:
        """Recompute what changed since the last update (or everything)."""
        started = datetime.now(UTC).isoformat()
        with self.driver.read() as s:
            last = s.run(q.LAST_RUN, name=STATE).single()
            since = last["last_run"] if last else None
            if everything or since is None:
                ids = s.run(q.ALL_CLAIM_IDS).single(strict=True)["ids"]
                mode = "full"
            else:
                ids = [r["id"] for r in s.run(q.DIRTY_CLAIMS, since=since)]
                mode = "incremental"
        report = self.recompute(ids, f"{mode} update", mode)
        calibration_store.set_state(self.driver, STATE, started)
        return report

    def after_verdict(self, finding_id: str) -> UpdateReport:
        """A verdict changes exactly the claims the finding is about."""
        with self.driver.read() as s:
            ids = [r["id"] for r in s.run(q.CLAIMS_OF_FINDING, id=finding_id)]
        return self.recompute(ids, f"verdict on {finding_id}", "verdict")

    def after_summary_link(self, summary_id: str, source_id: str, reason: str) -> UpdateReport:
        """A summary link (made or undone) changes the two sources' claims and the claims
        their findings touch (a contradiction from a summary stops counting against its
        source, or counts again)."""
        with self.driver.read() as s:
            ids = [r["id"] for sid in (summary_id, source_id)
                   for r in s.run(q.CLAIMS_OF_SOURCE, id=sid)]  # fmt: skip
        return self.recompute(ids, reason, "summary")

    def after_retraction(self, source_id: str) -> UpdateReport:
        """A retraction changes the source's claims and the claims its findings touch."""
        with self.driver.read() as s:
            ids = [r["id"] for r in s.run(q.CLAIMS_OF_SOURCE, id=source_id)]
        return self.recompute(ids, f"source {source_id} retracted or restored", "retraction")
