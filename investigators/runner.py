"""Schedules investigators incrementally and records their verdicts as findings."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from consilience.errors import ConsilienceError
from consilience.llm_spend import ClaudeUse, Spend, not_sent_warning
from investigators import lines
from investigators.base import (
    CandidatePair,
    ClaimView,
    Deferred,
    FindingKind,
    Investigator,
    Verdict,
)
from investigators.candidates import neighbour_pairs
from investigators.cypher import runner as q
from investigators.cypher import topics as tq
from investigators.dimensions import DimensionProposer
from investigators.distortion import fold_contradictions, foldable
from investigators.independence import SourceFacts, judge, lines_of_research
from investigators.lines import PairFinding
from investigators.retrieval.fusion import Candidate
from investigators.retrieval.retriever import Retriever
from investigators.summaries import detect_summaries
from investigators.topic_runner import assign_topics, refresh_topics
from investigators.versions import recheck_note, version_changes
from kg.aspects import aspects
from kg.faiss_index import ClaimIndex
from kg.graph import Graph, Rows
from kg.ids import pair_id
from kg.locks import LINES, exclusive
from kg.models import Quantity
from kg.private import private_dir
from kg.records import FindingRecord
from kg.writers import investigation_store, store, topic_store


class RunReport(BaseModel):
    claims_checked: int = Field(description="Claims investigated in this run")
    left_unchecked: int = Field(
        default=0,
        description="Claims the run could not conclude about (an unanswered question, a failed "
        "end-of-run request): the next run investigates them again",
    )
    candidate_pairs: int = Field(description="Pairs the investigators looked at")
    findings: dict[str, int] = Field(description="Claim-level findings this run created, by kind")
    line_findings: dict[str, int] = Field(
        default_factory=dict,
        description="Line-level findings (line_disagrees, evidence_concentrated), by kind: "
        "recomputed from all findings every run, so these are how many there are now, not how "
        "many are new",
    )
    lines: int = Field(description="Lines of research")
    summaries_detected: int = Field(default=0, description="Summary links detected from overlap")
    dimensions_proposed: int = Field(
        default=0, description="Safety-critical claims given missing dimensions by the LLM"
    )
    topics_touched: int = Field(default=0, description="Topics that gained claims in this run")
    rechecked: int = Field(
        default=0,
        description="Of the claims checked, those checked before by other versions of the "
        "investigators (an upgrade of the judge's model, rules or fit): checked again",
    )
    version_changes: list[str] = Field(
        default_factory=list,
        description="What changed in the investigators since those claims were checked: "
        "'name: old → new' (the parts of the version that differ) or 'name: new'",
    )
    findings_withdrawn: int = Field(
        default=0,
        description="Unreviewed findings another version of an investigator made between two "
        "claims that its current version was shown again this run and did not find again",
    )
    contradictions_folded: int = Field(
        default=0,
        description="Unreviewed contradictions an earlier run filed beside a distortion of the "
        "same summary and source claims, withdrawn: the distortion now names them",
    )
    pairs_by_channel: dict[str, int] = Field(
        default_factory=dict, description="Candidate pairs each retrieval channel proposed"
    )
    retrieval_seconds: dict[str, float] = Field(
        default_factory=dict,
        description="Wall seconds of the 'retrieval' stage by part: each channel, 'reads' (the "
        "new claims' rows) and 'ranking' (the learned ranker or fusion)",
    )
    skipped: list[str] = Field(default_factory=list, description="Investigators not run, why")
    warnings: list[str] = Field(default_factory=list, description="Things the user should know")
    claude: ClaudeUse | None = Field(
        default=None,
        description="What this run asked of Claude and spent (from the answers' token counts), "
        "under its cap; none when no key is set",
    )
    confidences_updated: int = Field(
        default=0, description="Confidences recomputed afterwards (the claims the findings bear on)"
    )
    seconds: dict[str, float] = Field(
        default_factory=dict, description="Wall time per stage (retrieval, judging, writing, ...)"
    )


def _side_json(v: ClaimView) -> dict[str, object]:
    return {
        "id": v.id,
        "quote": v.text,
        "source_title": v.source_title,
        "source_path": v.source_path,
    }


def claim_view(r: dict[str, object]) -> ClaimView:
    nums = [Quantity(**n) for n in json.loads(str(r.pop("numbers_json") or "[]"))]
    return ClaimView.model_validate({**r, "numbers": nums})


# Adjudicators' findings sit beside the deciding judge's, never overwriting them.
ADJUDICATORS = frozenset({"llm-adjudicator"})


def _finding_record(v: Verdict) -> FindingRecord:
    by = v.investigator if v.investigator in ADJUDICATORS else ""
    return FindingRecord(id=pair_id(v.kind.value, v.a_id, v.b_id, by), **v.model_dump())


# New claims per retrieval batch; the candidate budget is shared within a batch.
BATCH = 400


def analyse_lines(
    driver: Graph, *, keep_reopened: bool = False
) -> tuple[dict[str, int], list[str]]:
    """Line-level findings, recomputed from the claim findings (cheap: one read), after a run
    and after a verdict on a claim finding. Returns the counts by kind, and the ids of the
    reopened ones (a verdict taken back) no longer derived: withdrawn, their verdict history
    archived (with `keep_reopened`, as after a verdict, they are kept for the next run, which
    says which went). The findings withdrawn mark their claims for a confidence recompute.
    One analysis at a time on a database (`kg.locks`): each reads what the one before wrote."""
    with exclusive(driver, LINES):
        return _analyse_lines(driver, keep_reopened)


def _analyse_lines(driver: Graph, keep_reopened: bool) -> tuple[dict[str, int], list[str]]:
    with driver.read() as s:
        found = [PairFinding(**r.data()) for r in s.run(q.FINDINGS_BETWEEN_LINES)]
        reopened = (
            [r["id"] for r in s.run(q.REOPENED_OF, investigator=lines.NAME)]
            if keep_reopened
            else []
        )
    disagree = [_finding_record(v) for v in lines.line_disagreements(found)]
    concentrated = [_finding_record(v) for v in lines.evidence_concentration(found)]
    _, reopened_gone = investigation_store.delete_open_findings(
        driver, [lines.NAME], keep=[f.id for f in disagree + concentrated] + reopened
    )
    # (no claim is marked checked: the version is not used)
    investigation_store.write_findings(driver, disagree, [], lines.NAME, sides="line-line")
    investigation_store.write_findings(driver, concentrated, [], lines.NAME, sides="claim-line")
    counts = {
        k: n
        for k, n in (
            (FindingKind.LINE_DISAGREES.value, len(disagree)),
            (FindingKind.CONCENTRATED.value, len(concentrated)),
        )
        if n
    }
    return counts, reopened_gone


def reopened_warnings(claim_level: list[str], line_level: list[str]) -> list[str]:
    """What the user is told of reopened findings (a verdict taken back) a run withdrew: those
    a full re-run did not find again, and the line-level ones no longer derived."""
    out = []
    if claim_level:
        out.append(
            f"{len(claim_level)} reopened finding(s) were not found again by this run: "
            "withdrawn, their verdict history archived (`consilience findings archived`); it "
            "comes back if a later run finds the same two quotes again."
        )
    if line_level:
        out.append(
            f"{len(line_level)} reopened line-level finding(s) no longer hold (the claim "
            "findings under them changed): withdrawn, their verdict history archived "
            "(`consilience findings archived`)."
        )
    return out


def candidates_log_unfinished(log: Path) -> Path:
    """The file a run keeps beside its candidates log until every batch is in it: a log
    with it is the part a stopped run reached (the file holds when that run started)."""
    return log.with_name(log.name + ".partial")


def evidence_for_proposer(
    verdicts: list[Verdict], views: dict[str, ClaimView]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(support, opposition) the dimension proposer is shown: by claim id, the other side's
    quote and source of each verdict on it. A contradiction and a distortion are opposition for
    both claims (the two disagree: neither supports the other; confidence counts a distortion
    against the summary's claim alone); agreements are support."""
    support: dict[str, list[str]] = {}
    opposition: dict[str, list[str]] = {}
    for v in verdicts:
        against = v.kind in (FindingKind.CONTRADICTS, FindingKind.DISTORTS)
        target = opposition if against else support
        for me, other in ((v.a_id, v.b_id), (v.b_id, v.a_id)):
            if other in views:
                o = views[other]
                target.setdefault(me, []).append(f"“{o.text}” — {o.source_title}")
    return support, opposition


class Runner:
    """Owns all I/O; investigators stay pure."""

    def __init__(
        self,
        driver: Graph,
        index: ClaimIndex,
        investigators: Sequence[Investigator],
        retriever: Retriever,
        *,
        batch: int = BATCH,
        proposer: DimensionProposer | None = None,
        candidates_log: Path | None = None,
        spend: Spend | None = None,
    ) -> None:
        self.driver = driver
        self.spend = spend  # the run's account with Claude, shared by its channels
        self.index = index
        self.investigators = list(investigators)
        self.retriever = retriever
        self.batch = batch
        self.candidates_log = candidates_log
        self.proposer = proposer
        self.dimensions_proposed = 0
        self.line_verdicts_archived: list[str] = []  # reviewed findings about lines that went

    @property
    def preset_version(self) -> str:
        return ",".join(f"{i.name}@{i.version}" for i in self.investigators)

    def _preset_params(self) -> dict[str, Any]:
        """The preset, and its investigators ("name@version"), as UNINVESTIGATED_CLAIMS
        takes them."""
        return {"version": self.preset_version, "parts": self.preset_version.split(",")}

    def pending(self) -> int:
        """Claims not yet investigated by this preset (new, or left by an interrupted run)."""
        with self.driver.read() as s:
            return sum(1 for _ in s.run(q.UNINVESTIGATED_CLAIMS, **self._preset_params()))

    def refresh_lines(self) -> dict[str, SourceFacts]:
        with self.driver.read() as s:
            facts = {
                r["id"]: SourceFacts(
                    id=r["id"],
                    title=r["title"],
                    kind=r["kind"],
                    authors=frozenset(r["authors"]),
                    orgs=frozenset(r["orgs"]),
                    summarises=frozenset(r["summarises"]),
                    cites=frozenset(r["cites"]),
                    methods=frozenset(r["methods"]),
                    datasets=frozenset(r["datasets"]),
                    speakers=frozenset(r["speakers"]),
                )
                for r in s.run(q.SOURCE_DEPENDENCIES)
            }
        lines = lines_of_research(list(facts.values()))
        self.line_verdicts_archived += investigation_store.write_lines(self.driver, lines)

        self.n_lines = len(lines)
        return facts

    def detect_summaries(self, ids: list[str], min_similarity: float = 0.85) -> int:
        """Pre-pass: link sources whose claims mostly restate another's (before independence
        is judged, so a detected summary is never counted as corroboration)."""
        close: dict[tuple[str, str], float] = {}
        for start in range(0, len(ids), self.batch):
            close.update(
                neighbour_pairs(
                    self.index, ids[start : start + self.batch], k=5, min_similarity=min_similarity
                )
            )
        involved = sorted({x for pair in close for x in pair})
        with self.driver.read() as s:
            rows = list(s.run(q.SOURCES_OF_CLAIMS, ids=involved))
            linked = {frozenset((r["a"], r["b"])) for r in s.run(q.EXISTING_SUMMARY_LINKS)}
        source_of = {r["id"]: r["source_id"] for r in rows}
        claims_in = {r["source_id"]: r["n_claims"] for r in rows}
        n = 0
        for short, long_, _share in detect_summaries(close, source_of, claims_in):
            if frozenset((short, long_)) not in linked and (
                store.declare_summary(self.driver, short, long_, how="detected-from-overlap")
                == "linked"  # not "refused": a user said it is no summary
            ):
                n += 1
        return n

    def _reviewed(self, pairs: list[tuple[Verdict, Verdict]]) -> set[frozenset[str]]:
        """Of these (distortion, contradiction) pairs, the claim pairs where a human verdict
        bears on either finding (given, taken back, or archived and due back): not folded."""
        if not pairs:
            return set()
        rows = [
            {
                "a": d.a_id,
                "b": d.b_id,
                "ids": [_finding_record(d).id, _finding_record(c).id],
                "keys": [f"{v.kind.value}:{v.investigator}" for v in (d, c)],
            }
            for d, c in pairs
        ]
        with self.driver.read() as s:
            found = s.run(q.REVIEWED_PAIRS, rows=Rows(rows))
            return {frozenset((r["a"], r["b"])) for r in found}

    def _propose_dimensions(
        self,
        chunk: list[str],
        verdicts: list[Verdict],
        views: dict[str, ClaimView],
        limit: int | None = None,
    ) -> None:
        assert self.proposer is not None
        support, opposition = evidence_for_proposer(verdicts, views)
        mine = self._views(chunk)
        proposals = self.proposer.propose(
            [mine[c] for c in chunk if c in mine], support, opposition, limit=limit
        )
        investigation_store.set_missing_dimensions(
            self.driver,
            [
                {
                    "id": cid,
                    "dimensions": [d.dimension for d in p.dimensions],
                    "json": p.model_dump_json(),
                    "by": f"{self.proposer.name}@{self.proposer.version}",
                }
                for cid, p in proposals.items()
            ],
        )
        self.dimensions_proposed += len(proposals)

    def _propose_with_conclusions(
        self,
        batches: list[tuple[list[str], list[Verdict], dict[str, ClaimView]]],
        concluded: list[Verdict],
        unsettled: set[str],
    ) -> None:
        """Dimensions for the run's claims once its end-of-run conclusions (Claude's answers)
        are in, so the proposer sees them too: one request (one Message Batch, one wait) for
        as many claims as one per batch would have asked about. Claims left unchecked are
        skipped: the run that checks them proposes (proposals are cached per claim)."""
        views: dict[str, ClaimView] = {}
        for _, _, batch_views in batches:
            views.update(batch_views)
        others = sorted({x for v in concluded for x in (v.a_id, v.b_id)} - views.keys())
        if others:
            views.update(self._views(others))
        settled = [c for chunk, _, _ in batches for c in chunk if c not in unsettled]
        verdicts = [v for _, batch_verdicts, _ in batches for v in batch_verdicts] + concluded
        if settled:
            assert self.proposer is not None
            limit = self.proposer.max_claims * len(batches)
            self._propose_dimensions(settled, verdicts, views, limit=limit)

    def _backfill_aspects(self, ids: list[str]) -> None:
        """Claims written before aspects existed get them now (idempotent)."""
        with self.driver.read() as s:
            rows = [r.data() for r in s.run(tq.CLAIMS_WITHOUT_ASPECTS, ids=ids)]
        if rows:
            topic_store.set_aspects(
                self.driver, [{"id": r["id"], "aspects": aspects(r["text"])} for r in rows]
            )

    def _log_candidates(
        self, cands: list[tuple[Candidate, ClaimView, ClaimView]], first: bool
    ) -> None:
        if self.candidates_log is None:
            return
        private_dir(self.candidates_log.parent)
        if first:  # the log is whole again only when this run has read its last batch
            started = {"started": datetime.now(UTC).isoformat(timespec="seconds")}
            candidates_log_unfinished(self.candidates_log).write_text(json.dumps(started) + "\n")
        with self.candidates_log.open("w" if first else "a", encoding="utf-8") as fh:
            for c, va, vb in cands:
                row = {
                    "a": _side_json(va),
                    "b": _side_json(vb),
                    "channels": c.channels,
                    "fused_score": c.fused,
                    "fused_rank": c.rank,
                }
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")

    def _views(self, ids: list[str]) -> dict[str, ClaimView]:
        with self.driver.read() as s:
            return {r["id"]: claim_view(r.data()) for r in s.run(q.CLAIM_VIEWS, ids=ids)}

    def _write(self, verdicts: list[Verdict], checked: list[str]) -> dict[str, int]:
        return investigation_store.write_findings(
            self.driver, [_finding_record(v) for v in verdicts], checked, self.preset_version
        )

    def analyse_lines(self) -> tuple[dict[str, int], list[str]]:
        return analyse_lines(self.driver)

    def run(
        self,
        *,
        everything: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
        on_note: Callable[[str], None] | None = None,
    ) -> RunReport:
        """Investigate the claims this preset has not checked (all with `everything`).
        `on_note` hears, before the work starts, why claims checked before are checked again
        (`investigators.versions.recheck_note`)."""
        clock: dict[str, float] = {}
        t0 = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal t0
            now = time.perf_counter()
            clock[stage] = round(clock.get(stage, 0.0) + now - t0, 2)
            t0 = now

        before: list[str] = []  # the presets that checked the claims checked again
        with self.driver.read() as s:
            if everything:
                ids = [r["id"] for r in s.run(q.ALL_CLAIMS)]
            else:
                rows = list(s.run(q.UNINVESTIGATED_CLAIMS, **self._preset_params()))
                ids = [r["id"] for r in rows]
                before = [r["checked_with"] for r in rows if r["checked_with"] is not None]
        changes = version_changes(before, self.preset_version)
        if before and on_note:
            on_note(recheck_note(len(before), changes))
        self.detected_summaries = self.detect_summaries(ids)
        self.line_verdicts_archived = []
        facts = self.refresh_lines()
        # A full re-run replaces the open findings it does not make again, once it has made
        # its own (`written`): each one it makes again keeps its id, age and any history
        # (red-teamed: withdrawn first, every finding came back as new, was counted as new,
        # and took an archived verdict given on another pair of the same two quotes).
        written: set[str] = set()
        self._backfill_aspects(ids)
        lap("preparation")
        refresh_topics(self.driver, self.index)  # those that lost claims
        topics_touched, warnings = assign_topics(self.driver, self.index, ids)
        if self.line_verdicts_archived:
            warnings.append(
                f"{len(self.line_verdicts_archived)} human verdict(s) were on findings about "
                "lines of research that no longer exist (their sources were regrouped or "
                "removed): they are archived; `consilience findings archived` lists them."
            )
        lap("topics")
        # findings an earlier (or later) version of an investigator made: those between the
        # pairs shown again this run and not found again are withdrawn, batch by batch
        current = {i.name: i.version for i in self.investigators if i.name not in ADJUDICATORS}
        superseded = investigation_store.any_superseded(self.driver, current)
        withdrawn = folded_withdrawn = 0
        counts: dict[str, int] = {}
        by_channel: dict[str, int] = {}
        retrieval_clock: dict[str, float] = {}
        skipped: list[str] = []
        n_pairs = 0
        seen: set[tuple[str, str]] = set()  # a pair of two new claims is judged once per run
        deferred = [inv for inv in self.investigators if isinstance(inv, Deferred)]
        to_propose: list[tuple[list[str], list[Verdict], dict[str, ClaimView]]] = []
        if on_progress:  # the bar appears (with its total) before the first batch's minutes
            on_progress(0, len(ids))
        chunks = [ids[start : start + self.batch] for start in range(0, len(ids), self.batch)]
        # one LLM request, not one a batch; the claims whose queries Claude never read stay
        # unchecked (below)
        prefetch_warnings, unqueried = self.retriever.prefetch_queries(chunks)
        warnings += prefetch_warnings
        lap("llm queries")
        for start, chunk in zip(range(0, len(ids), self.batch), chunks, strict=True):
            got = self.retriever.retrieve(chunk)
            lap("retrieval")
            got.pairs = {k: c for k, c in got.pairs.items() if k not in seen}
            seen.update(got.pairs)
            for msg in got.skipped:
                if msg not in skipped:
                    skipped.append(msg)
            for ch, n in got.per_channel.items():
                by_channel[ch] = by_channel.get(ch, 0) + n
            for part, sec in got.seconds.items():
                retrieval_clock[part] = round(retrieval_clock.get(part, 0.0) + sec, 2)
            members = sorted({x for pair in got.pairs for x in pair})
            views = self._views(members)
            vid, vvec = self.index.vectors(members)
            vec = dict(zip(vid, vvec, strict=True))
            pairs, logged = [], []
            for (a, b), cand in got.pairs.items():
                va, vb = views.get(a), views.get(b)
                if va is None or vb is None or va.source_id == vb.source_id:
                    continue  # never within one source
                fa, fb = facts.get(va.source_id), facts.get(vb.source_id)
                ind = judge(fa, fb) if fa and fb else None
                sim = float(vec[a] @ vec[b]) if a in vec and b in vec else 0.0
                pairs.append(
                    CandidatePair(
                        a=va, b=vb, similarity=sim, independence=ind, retrieval_score=cand.fused
                    )
                )
                logged.append((cand, va, vb))
            self._log_candidates(logged, first=start == 0)
            n_pairs += len(pairs)
            lap("pairing")
            verdicts = []
            for inv in self.investigators:
                verdicts.extend(inv.investigate(pairs))
                lap(f"investigator {inv.name}")
            # one finding per summary/source pair: the judge's contradiction goes in the distortion
            verdicts, folded = fold_contradictions(
                verdicts, ADJUDICATORS, self._reviewed(foldable(verdicts, ADJUDICATORS))
            )
            # with an investigator that concludes at the run's end, the claims count as
            # checked only once it has: a run stopped before then is judged again in full
            # superseded findings go in the write's transaction: never a checked claim left
            # stale (no pairs, no withdrawal, on a graph without another version's findings)
            records = [_finding_record(v) for v in verdicts]
            written.update(r.id for r in records)
            created, n, n_folded = investigation_store.write_judged(
                self.driver,
                records,
                [] if deferred else chunk,
                self.preset_version,
                investigation_store.Superseded(
                    current,
                    [(p.a.id, p.b.id) for p in pairs] if superseded else [],
                    [_finding_record(v).id for v in folded],
                ),
            )
            withdrawn += n
            folded_withdrawn += n_folded
            lap("writing")
            if self.proposer is not None:
                if deferred:  # proposed when the run's conclusions are in (below)
                    to_propose.append((chunk, verdicts, views))
                else:
                    self._propose_dimensions(chunk, verdicts, views)
            for kind, n in created.items():
                counts[kind] = counts.get(kind, 0) + n
            if on_progress:
                on_progress(min(start + self.batch, len(ids)), len(ids))
        if chunks and self.candidates_log is not None:  # every batch's candidates are logged
            candidates_log_unfinished(self.candidates_log).unlink(missing_ok=True)
        concluded_all = True
        unsettled: set[str] = set()
        concluded: list[Verdict] = []
        for inv in deferred:  # what each gathered over the run, concluded once
            try:
                conclusion = inv.finish()
            except ConsilienceError as exc:
                concluded_all = False
                warnings.append(
                    f"{inv.name} could not conclude this run ({exc.message}); its claims stay "
                    "unchecked: `consilience investigate` tries again."
                )
                continue
            warnings.extend(conclusion.warnings)
            unsettled |= conclusion.unsettled
            concluded += conclusion.verdicts
            lap(f"investigator {inv.name}")
            for kind, n in self._write(conclusion.verdicts, []).items():
                counts[kind] = counts.get(kind, 0) + n
            lap("writing")
        if to_propose and concluded_all:  # before the claims are marked checked
            try:
                self._propose_with_conclusions(to_propose, concluded, unsettled)
            except ConsilienceError as exc:  # findings matter more: the run goes on
                warnings.append(
                    f"Missing dimensions could not be proposed ({exc.message}); "
                    "`consilience investigate --all` proposes them again."
                )
            lap("dimensions")
        # an unanswered question's partner from an earlier run stays checked: the new side,
        # unchecked, meets it again
        left = set(ids) if deferred and not concluded_all else unsettled & set(ids)
        left |= unqueried & set(ids)
        if deferred and concluded_all and ids:
            self._write([], [i for i in ids if i not in left])
        if left:  # unmarked, not just left unmarked: `--all` runs over claims checked before
            # marked checked by the investigators that did conclude about them (every one but
            # those concluding at the run's end), so a run without those (no key) does not
            # judge them again; a run with them takes them up (review: the judge's work on them
            # was thrown away)
            partial = ",".join(
                f"{i.name}@{i.version}" for i in self.investigators if not isinstance(i, Deferred)
            )
            if deferred and partial:
                investigation_store.mark_checked(self.driver, sorted(left), partial)
            else:
                investigation_store.mark_unchecked(self.driver, sorted(left))
        reopened: list[str] = []  # reopened findings a full re-run withdrew (history archived)
        if everything:  # human verdicts are kept; so are Claude's findings: each is a paid
            # answer about two exact quotes (it goes with its claims), and a re-run need not
            # retrieve the same pair again
            names = [i.name for i in self.investigators if i.name not in ADJUDICATORS]
            _, reopened = investigation_store.delete_open_findings(
                self.driver, names, keep=sorted(written)
            )
        lap("writing")
        line_counts, lines_reopened = self.analyse_lines()
        lap("lines")
        warnings += reopened_warnings(reopened, lines_reopened)
        claude = self.spend.use() if self.spend is not None else None
        if claude is not None and claude.not_sent:
            warnings.append(not_sent_warning(claude))
        return RunReport(
            claims_checked=len(ids),
            left_unchecked=len(left),
            candidate_pairs=n_pairs,
            findings=counts,
            line_findings=line_counts,
            lines=self.n_lines,
            summaries_detected=self.detected_summaries,
            dimensions_proposed=self.dimensions_proposed,
            topics_touched=topics_touched,
            rechecked=len(before),
            version_changes=changes,
            findings_withdrawn=withdrawn,
            contradictions_folded=folded_withdrawn,
            pairs_by_channel=by_channel,
            retrieval_seconds=retrieval_clock,
            skipped=skipped,
            warnings=warnings,
            seconds=clock,
            claude=claude,
        )
