"""The investigate workflow (CLI `investigate`, and after every ingest): sync the FAISS copy,
run the investigators, then update the confidences the new findings bear on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.confidences import update_confidences
from app.services import Services
from calibration.updater import UpdateReport
from consilience.errors import first_line
from consilience.llm import MeteredLLM
from consilience.llm_spend import Spend
from investigators.runner import Runner, RunReport


def build_runner(
    svc: Services,
    *,
    announce: Callable[[str], None] | None = None,
    channels: tuple[str, ...] | None = None,
    spend: Spend | None = None,
) -> Runner:
    """The runner as every front end uses it: the NLI judge (+ Claude when keyed), the
    multi-channel retriever, the candidate log for `consilience candidates export`."""
    from investigators.dimensions import DimensionProposer
    from investigators.llm_cache import GraphJudgementCache
    from investigators.registry import preset
    from investigators.retrieval.llm_queries import LLMQueryWriter
    from investigators.retrieval.ranker import load_ranker
    from investigators.retrieval.retriever import CHANNELS, RetrievalConfig, Retriever

    s = svc.settings
    cache = GraphJudgementCache(svc.graph())
    # one account with Claude for the runner's run, shared by its three channels (and, after
    # an ingest, with the extraction before it: one cap for the command)
    spend = spend or svc.new_spend()
    llm = MeteredLLM(svc.llm, spend) if svc.llm else None
    uses = set(s.llm.uses)
    if llm and "adjudication" in uses:
        investigators = preset(
            "with-llm",
            judge=svc.judge(),
            llm=llm,
            cache=cache,
            llm_budget=s.llm.budget_pairs,
            llm_band=(s.llm.band_low, s.llm.band_high),
            llm_find_share=s.llm.find_share,
            llm_ranker=s.retrieval.ranker == "learned",
            usd_per_mtok=(s.llm.usd_per_mtok_in, s.llm.usd_per_mtok_out),
            announce=announce,
        )
    else:
        investigators = preset("offline", judge=svc.judge())
    r = s.retrieval
    config = RetrievalConfig(
        budget=r.budget,
        k_dense=r.k_dense,
        k_context=r.k_context,
        k_lexical=r.k_lexical,
        k_aspect=r.k_aspect,
        k_counter=r.k_counter,
        counter_queries=r.counter_queries,
        k_topic=r.k_topic,
        k_nearby=r.k_nearby,
        nearby_sources=r.nearby_sources,
        weights={"nearby": r.nearby_weight},
        ranker=load_ranker() if r.ranker == "learned" else None,
        channels=channels or CHANNELS,
    )
    writer = (
        LLMQueryWriter(llm, cache, max_claims=r.llm_claims, announce=announce)
        if llm and "queries" in uses
        else None
    )
    retriever = Retriever(svc.graph(), svc.claim_index(), svc.embedder, config, query_writer=writer)
    proposer = (
        DimensionProposer(llm, cache, announce=announce) if llm and "dimensions" in uses else None
    )
    return Runner(
        svc.graph(),
        svc.claim_index(),
        investigators,
        retriever,
        proposer=proposer,
        candidates_log=candidates_log_path(svc),
        spend=spend if llm else None,
    )


def candidates_log_path(svc: Services) -> Path:
    return svc.settings.data_dir / "candidates" / "last-run.jsonl"


def investigate(
    svc: Services,
    *,
    everything: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    announce: Callable[[str], None] | None = None,
    confidences: bool = True,
    on_stage: Callable[[str], None] | None = None,
    sync_index: bool = True,
    runner: Runner | None = None,
    on_note: Callable[[str], None] | None = None,
    spend: Spend | None = None,
) -> tuple[RunReport, UpdateReport | None]:
    """Sync the FAISS copy, run the investigators (with the LLM when one is configured) over
    new claims (or all), say what was skipped, and (unless told not to) bring the confidences
    the new findings bear on up to date, so nothing reads stale confidences afterwards.
    `on_note` hears, before the run starts, why claims checked before are checked again."""
    unsaved = None
    if sync_index:
        if on_stage:
            on_stage("Syncing the search index")
        unsaved = sync_claim_index(svc)[0]
    runner = runner or build_runner(svc, announce=announce, spend=spend)
    report = runner.run(everything=everything, on_progress=on_progress, on_note=on_note)
    if unsaved:
        report.warnings.append(unsaved)
    if not svc.settings.anthropic_api_key:
        report.skipped.append(
            "LLM adjudicator and missing-dimension proposals: "
            "ANTHROPIC_API_KEY is not set (offline only)"
        )
    elif off := [u for u in ("adjudication", "dimensions") if u not in svc.settings.llm.uses]:
        report.skipped.append(
            f"Claude's {' and '.join(off)}: not among CONSILIENCE_LLM__USES (not asked)"
        )
    if confidences and on_stage:
        on_stage("Updating confidences")
    updated = update_confidences(svc) if confidences else None
    if updated is not None:
        report.confidences_updated = updated.computed
    return report, updated


def sync_claim_index(svc: Services) -> tuple[str | None, bool]:
    """Bring the FAISS copy in line with the graph. A copy that cannot be saved (its folder
    not writable, the disk full) is a warning, not a failure: the copy in memory is in line,
    the graph holds every embedding, and the run goes on (red-teamed: ingest ended in a
    traceback after the graph was written). Returns what to tell the user, if anything, and
    whether the copy on disk is in line."""
    index = svc.claim_index()
    unreadable = index.unreadable
    try:
        index.sync(svc.graph())
    except (OSError, RuntimeError) as exc:  # faiss raises RuntimeError when it cannot write
        return (
            f"the search index's copy on disk could not be saved "
            f"({first_line(exc, keep_end=True)}); this run used the "
            f"copy in memory, and the graph holds every embedding. Make {svc.settings.faiss_dir} "
            "writable (and check the disk has room), then run `consilience index rebuild`."
        ), False
    if unreadable:  # red-teamed: set aside and rebuilt without a word
        return (
            f"the search index's copy on disk could not be read ({unreadable}); it was rebuilt "
            "from the graph, which holds every embedding (nothing was lost)."
        ), True
    return None, True


# What the API says instead (it never shows the server's paths or its errors' text)
INDEX_REBUILT = (
    "The search index's copy on disk could not be read; it was rebuilt from the graph, which "
    "holds every embedding (nothing was lost)."
)
INDEX_NOT_SAVED = (
    "The search index's copy on disk could not be saved; this run used the copy in memory, and "
    "the graph holds every embedding. The server's data folder needs to be writable (then "
    "`consilience index rebuild`)."
)
