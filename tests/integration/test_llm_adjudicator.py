"""The Claude adjudicator through the real SDK against the local Messages stub."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.services import Services
from consilience.errors import LLMError
from consilience.llm import AnthropicLLM
from investigators.base import CandidatePair, Conclusion, Verdict
from investigators.dimensions import DimensionProposer
from investigators.llm_cache import GraphJudgementCache
from investigators.registry import preset
from investigators.retrieval.retriever import RetrievalConfig, Retriever
from investigators.runner import Runner
from queries.findings import list_findings
from tests.llm_fakes import DownLLM
from tests.messages_stub import MessagesStub

A = "# Lab A\n\nWe find that chain-of-thought monitoring catches most reward hacking in agents.\n"
B = "# Lab B\n\nWe find that chain-of-thought monitoring misses most reward hacking in agents.\n"


def two_labs(svc: Services, tmp_path: Path, b: str = B) -> Retriever:
    """Lab A and lab B ingested and indexed; a dense-only retriever over them."""
    (tmp_path / "a.md").write_text(A)
    (tmp_path / "b.md").write_text(b)
    svc.ingestor().ingest_paths([str(tmp_path)])
    svc.claim_index().sync(svc.graph())
    return Retriever(
        svc.graph(), svc.claim_index(), svc.embedder, RetrievalConfig(channels=("dense",))
    )


class Spy:
    """An investigator that concludes at the end of a run (investigators.base.Deferred)."""

    name = "spy"
    version = "1"

    def __init__(self) -> None:
        self.scores: list[float] = []
        self.finished = 0

    def investigate(self, pairs: list[CandidatePair]) -> list[Verdict]:
        self.scores += [p.retrieval_score for p in pairs]
        return []

    def finish(self) -> Conclusion:
        self.finished += 1
        return Conclusion()


def answer(label: str) -> dict[str, str]:
    return {
        "reasoning": "A says monitoring catches most; B says it misses most.",
        "label": label,
        "quote_a": "catches most reward hacking",
        "quote_b": "misses most reward hacking",
        "rationale": "Opposite claims about the same monitor and behaviour.",
    }


def test_adjudicator_records_model_and_never_asks_twice(
    clean_services: Services, tmp_path: Path
) -> None:
    svc = clean_services
    (tmp_path / "a.md").write_text(A)
    (tmp_path / "b.md").write_text(B)
    svc.ingestor().ingest_paths([str(tmp_path)])
    svc.claim_index().sync(svc.graph())
    with MessagesStub() as stub:
        dims = {
            "reasoning": "one agent family only",
            "dimensions": [
                {
                    "dimension": "other model families",
                    "why": "one agent family tested",
                    "evidence_needed": "the same measurement on two other families",
                }
            ],
        }
        # the adjudicator asks first, at the run's end (it gathers over the run's batches);
        # then the dimensions are proposed, with Claude's answer among the evidence
        stub.tool_answer(answer("explicit_contradiction"))
        stub.tool_answer(dims)
        stub.tool_answer(dims)
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        cache = GraphJudgementCache(svc.graph())
        announced: list[str] = []
        # band 0..1 and a budget of 1: the one candidate pair is asked about, whatever the
        # judge scored it; the cost estimate is announced before the request goes out
        investigators = preset(
            "with-llm",
            judge=svc.judge(),
            llm=llm,
            cache=cache,
            llm_budget=1,
            llm_band=(0.0, 1.0),
            announce=announced.append,
        )
        retriever = Retriever(
            svc.graph(),
            svc.claim_index(),
            svc.embedder,
            RetrievalConfig(channels=("dense", "lexical")),
        )
        spy = Spy()
        runner = Runner(
            svc.graph(),
            svc.claim_index(),
            [*investigators, spy],
            retriever,
            proposer=DimensionProposer(llm, cache),
        )
        report = runner.run()
        # every investigator sees the retriever's score; a Deferred one concludes once
        assert spy.scores and all(x > 0.0 for x in spy.scores) and spy.finished == 1
        assert len(stub.requests) == 3 and report.dimensions_proposed == 2
        assert len(announced) == 1 and "1 pair(s)" in announced[0] and "$" in announced[0]
        prompt = stub.requests[0]["body"]["messages"][0]["content"]
        assert "catches most reward hacking" in prompt and "misses most" in prompt
        dims_prompts = [r["body"]["messages"][0]["content"] for r in stub.requests[1:]]
        (about_a,) = [x for x in dims_prompts if "catches most reward hacking in agents.>>>" in x]
        runner.run(everything=True)  # cached in the graph: the stub (now empty) is not asked
        assert len(stub.requests) == 3
    with svc.graph().write() as s:
        dims_stored = [r["d"] for r in s.run("MATCH (c:Claim) RETURN c.missing_dimensions AS d")]
    assert dims_stored == [["other model families"]] * 2
    llm_findings = [
        f
        for f in list_findings(svc.graph(), kind="contradicts").items
        if f.investigator == "llm-adjudicator"
    ]
    (f,) = llm_findings
    assert f.model == "claude-stub" and f.version == "adjudicate-1" and f.score == 0.95
    # the judge's own finding (if it made one) is kept beside Claude's, not overwritten
    judge_findings = [x for x in list_findings(svc.graph()).items if x.investigator == "nli-judge"]
    assert all(x.id != f.id for x in judge_findings)
    assert "explicit_contradiction" in f.rationale and f.independent is True
    # the proposer saw Claude's answer (asked at the run's end) as well as the judge's findings
    judge_contra = [x for x in judge_findings if x.kind == "contradicts"]
    opposition = about_a.split("Opposition found so far:")[1].strip().splitlines()
    assert len(opposition) == 1 + len(judge_contra)
    assert all("misses most reward hacking" in line for line in opposition)


class FailingSpy(Spy):
    def finish(self) -> Conclusion:
        raise LLMError("Claude request failed: overloaded", "Retry later.")


def test_a_run_whose_deferred_investigator_fails_leaves_its_claims_unchecked(
    clean_services: Services, tmp_path: Path
) -> None:
    """The judge's findings are written, the report says what failed, and the next
    `investigate` judges the run's claims again (the questions are asked then)."""
    svc = clean_services
    retriever = two_labs(svc, tmp_path)
    failing = Runner(svc.graph(), svc.claim_index(), [FailingSpy()], retriever)
    report = failing.run()
    assert report.claims_checked == 2 and failing.pending() == 2
    assert any("spy could not conclude" in w and "overloaded" in w for w in report.warnings)
    fine = Runner(svc.graph(), svc.claim_index(), [Spy()], retriever)
    assert fine.run().claims_checked == 2 and fine.pending() == 0


class UnansweredSpy(Spy):
    """Concludes with one pair's question unanswered (a Message Batch cut at its limit)."""

    def __init__(self) -> None:
        super().__init__()
        self.pair: tuple[str, str] | None = None

    def investigate(self, pairs: list[CandidatePair]) -> list[Verdict]:
        self.pair = self.pair or (pairs[0].a.id, pairs[0].b.id)
        return []

    def finish(self) -> Conclusion:
        assert self.pair is not None
        return Conclusion(warnings=["1 question unanswered"], unsettled=set(self.pair))


def test_claims_of_unanswered_questions_stay_unchecked_for_the_next_run(
    clean_services: Services, tmp_path: Path
) -> None:
    """They used to be marked checked, so only `investigate --all` (the whole graph judged
    again) would ask the question again."""
    svc = clean_services
    retriever = two_labs(svc, tmp_path, B + "\nWe also release the agent transcripts today.\n")
    spy = UnansweredSpy()
    runner = Runner(svc.graph(), svc.claim_index(), [spy], retriever)
    report = runner.run()
    assert report.claims_checked == 3 and "1 question unanswered" in report.warnings
    assert runner.pending() == 2 and report.left_unchecked == 2  # the pair's; not the third
    again = UnansweredSpy()
    assert Runner(svc.graph(), svc.claim_index(), [again], retriever).run().claims_checked == 2
    assert again.pair is not None and set(again.pair) == set(spy.pair or ())
    # after a run that settles everything, `--all` with an unanswered question unchecks its
    # claims (they were checked before, so leaving them unmarked was not enough)
    fine = Runner(svc.graph(), svc.claim_index(), [Spy()], retriever)
    assert fine.run().claims_checked == 2 and fine.pending() == 0
    everything = Runner(svc.graph(), svc.claim_index(), [UnansweredSpy()], retriever)
    report = everything.run(everything=True)
    assert report.claims_checked == 3 and report.left_unchecked == 2
    assert everything.pending() == 2
    failing = Runner(svc.graph(), svc.claim_index(), [FailingSpy()], retriever)
    assert failing.run(everything=True).left_unchecked == 3 and failing.pending() == 3


def test_a_run_asks_for_its_llm_queries_once_not_once_a_batch(
    clean_services: Services, tmp_path: Path
) -> None:
    """Each retrieval batch asked for its own queries (a Message Batch, waited on, for each
    400 claims); the run now asks for all of them ahead, in one request."""
    from investigators.retrieval.llm_queries import LLMQueryWriter

    svc = clean_services
    (tmp_path / "a.md").write_text(A)
    (tmp_path / "b.md").write_text(B + "\nWe also release the agent transcripts today.\n")
    svc.ingestor().ingest_paths([str(tmp_path)])
    svc.claim_index().sync(svc.graph())
    queries = {"reasoning": "r", "contradicting": ["Monitoring misses hacking."]}
    queries["supporting"] = ["Monitoring catches hacking."]
    with MessagesStub() as stub:
        for _ in range(3):
            stub.tool_answer(queries)
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0, poll_s=0.01)
        llm.batch_threshold = 2
        writer = LLMQueryWriter(llm, GraphJudgementCache(svc.graph()))
        retriever = Retriever(
            svc.graph(),
            svc.claim_index(),
            svc.embedder,
            RetrievalConfig(channels=("dense", "llm")),
            query_writer=writer,
        )
        report = Runner(svc.graph(), svc.claim_index(), [Spy()], retriever, batch=1).run()
    assert report.claims_checked == 3 and report.pairs_by_channel.get("llm", 0) > 0
    assert [r["path"] for r in stub.requests] == ["/v1/messages/batches"]
    assert len(stub.requests[0]["body"]["requests"]) == 3


def test_claims_whose_queries_are_never_read_are_checked_without_them_after_a_few_runs(
    clean_services: Services, tmp_path: Path
) -> None:
    """Stop 61's review: with a key out of credit or a cap of 0, claims whose queries Claude
    never read stayed unchecked, and every run judged their pairs again."""
    from investigators.retrieval.llm_queries import MAX_UNREAD_RUNS, LLMQueryWriter
    from tests.llm_fakes import SilentLLM

    svc = clean_services
    two_labs(svc, tmp_path)
    retriever = Retriever(
        svc.graph(),
        svc.claim_index(),
        svc.embedder,
        RetrievalConfig(channels=("dense", "llm")),
        query_writer=LLMQueryWriter(SilentLLM(), GraphJudgementCache(svc.graph())),
    )
    runner = Runner(svc.graph(), svc.claim_index(), [Spy()], retriever)
    for _ in range(MAX_UNREAD_RUNS - 1):
        report = runner.run()
        assert report.left_unchecked == 2 and runner.pending() == 2
        assert any("did not read the retrieval queries for 2" in w for w in report.warnings)
    report = runner.run()
    assert report.claims_checked == 2 and report.left_unchecked == 0 and runner.pending() == 0
    (warning,) = [w for w in report.warnings if "retrieval queries" in w]
    assert f"for 2 claim(s) in {MAX_UNREAD_RUNS} runs: they are marked checked" in warning


def test_claims_checked_by_more_investigators_are_not_checked_again_by_fewer(
    clean_services: Services, tmp_path: Path
) -> None:
    """Stop 59's review: unsetting ANTHROPIC_API_KEY after runs with it (the preset without
    the adjudicator) checked every claim again; setting it again must check them, for the
    adjudicator has not seen them since."""
    svc = clean_services
    retriever = two_labs(svc, tmp_path)

    class Other(Spy):
        name = "other"

    graph, index = svc.graph(), svc.claim_index()
    assert Runner(graph, index, [Spy(), Other()], retriever).run().claims_checked == 2
    fewer = Runner(graph, index, [Spy()], retriever)
    assert fewer.pending() == 0
    report = fewer.run()
    assert report.claims_checked == 0 and report.rechecked == 0
    newer = Other()
    newer.version = "2"  # the same investigators, one at another version: all again
    assert Runner(graph, index, [Spy(), newer], retriever).pending() == 2
    (tmp_path / "c.md").write_text(B.replace("Lab B", "Lab C"))  # a claim only `fewer` saw
    svc.ingestor().ingest_paths([str(tmp_path / "c.md")])
    svc.claim_index().sync(graph)
    assert fewer.run().claims_checked > 0
    with graph.read() as s:
        checked = [r["v"] for r in s.run("MATCH (c:Claim) RETURN c.investigated_version AS v")]
    only_fewer = sum(1 for v in checked if v == "spy@1")
    assert only_fewer > 0 and checked.count("spy@1,other@1") == 2
    # with both again: the claims only `fewer` saw, not the first two
    assert Runner(graph, index, [Spy(), Other()], retriever).pending() == only_fewer


class Offline:
    """An investigator that concludes batch by batch (the offline judge's way)."""

    name = "offline"
    version = "1"

    def investigate(self, pairs: list[CandidatePair]) -> list[Verdict]:
        return []


def test_claims_left_by_the_adjudicator_count_as_checked_by_the_others(
    clean_services: Services, tmp_path: Path
) -> None:
    """Review: claims whose questions went unanswered (or whose adjudicator failed) lost the
    record of every investigator, so a run without the key judged them again."""
    svc = clean_services
    retriever = two_labs(svc, tmp_path, B + "\nWe also release the agent transcripts today.\n")
    graph, index = svc.graph(), svc.claim_index()
    with_key = Runner(graph, index, [Offline(), UnansweredSpy()], retriever)
    assert with_key.run().left_unchecked == 2 and with_key.pending() == 2
    assert Runner(graph, index, [Offline()], retriever).pending() == 0  # no key: nothing again
    failing = Runner(graph, index, [Offline(), FailingSpy()], retriever)
    assert failing.run(everything=True).left_unchecked == 3 and failing.pending() == 3
    assert Runner(graph, index, [Offline()], retriever).pending() == 0
    alone = Runner(graph, index, [UnansweredSpy()], retriever)  # nothing else concluded:
    alone.run(everything=True)  # its claims are unmarked, as before
    with graph.read() as s:
        rows = s.run("MATCH (c:Claim) RETURN c.investigated_version AS v").data()
    assert sorted(str(r["v"]) for r in rows) == ["None", "None", "spy@1"]


def test_failed_dimension_proposals_are_a_warning_and_the_run_concludes(
    clean_services: Services, tmp_path: Path
) -> None:
    """Proposed at the run's end, a failure there used to end the run in a traceback after
    its claims were marked checked (no line analysis, no report)."""
    svc = clean_services
    retriever = two_labs(svc, tmp_path)
    proposer = DimensionProposer(DownLLM(), GraphJudgementCache(svc.graph()))
    runner = Runner(svc.graph(), svc.claim_index(), [Spy()], retriever, proposer=proposer)
    report = runner.run()
    assert report.claims_checked == 2 and runner.pending() == 0
    assert any("Missing dimensions could not be proposed" in w for w in report.warnings)


def test_a_run_counts_all_its_claude_requests_against_one_cap(
    clean_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Red-teamed: the pair budget bounded the adjudicator alone; the retrieval channel's
    queries (up to 100 claims a batch of 400) and the dimension proposals went out with no
    estimate and no cap, and no run said what it had spent. Every channel of a run now
    shares one account: past the cap nothing is sent, the claims stay unchecked for the next
    run, and the report says what was spent from the answers' own token counts."""
    from io import StringIO

    from rich.console import Console

    from app.investigate import investigate
    from cli.report import render_investigation

    svc = clean_services
    two_labs(svc, tmp_path)
    queries = {"reasoning": "r", "contradicting": ["Monitoring misses hacking."]}
    queries["supporting"] = ["Monitoring catches hacking."]

    def keyed(cap: float, stub: MessagesStub, *, ask_pair: bool = True) -> None:
        # band 0..1: the one candidate pair is a question for Claude, whatever its score; with
        # an empty band and no find queue, none is
        band = (0.0, 1.0) if ask_pair else (1.0, 1.0)
        update = {"budget_usd": cap, "band_low": band[0], "band_high": band[1]}
        update["find_share"] = 0.5 if ask_pair else 0.0
        llm_settings = svc.settings.llm.model_copy(update=update)
        monkeypatch.setattr(svc, "settings", svc.settings.model_copy(update={"llm": llm_settings}))
        monkeypatch.setattr(
            svc, "llm", AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        )

    with MessagesStub() as stub:  # queries not sent: their claims stay unchecked (review:
        # they were marked checked, and only `--all` ever wrote their queries)
        keyed(0.0, stub, ask_pair=False)
        report, _ = investigate(svc, everything=True)
        assert stub.requests == []
    assert report.claude is not None and "adjudication" not in report.claude.not_sent_by
    assert report.claude.not_sent_by["retrieval queries"] == 2 and report.left_unchecked == 2
    assert any("did not read the retrieval queries for 2 claim(s)" in w for w in report.warnings)
    with MessagesStub() as stub:
        keyed(0.0, stub)
        report, _ = investigate(svc, everything=True)
        assert stub.requests == []  # nothing sent: not a token billed
    assert report.claude is not None and report.claude.requests == 0
    assert report.claude.not_sent_by["retrieval queries"] == 2
    assert report.claude.not_sent_by["adjudication"] == 1 and report.left_unchecked == 2
    (warning,) = [w for w in report.warnings if "were not sent" in w]
    assert "$0.00 cap" in warning and "adjudication ×1" in warning
    assert "the next `consilience investigate` (their claims stay unchecked)" in warning
    assert "--all" not in warning  # nothing held back is left to `--all`
    with MessagesStub() as stub:
        stub.tool_answer(queries, usage=(1000, 100))
        stub.tool_answer(queries, usage=(1000, 100))
        keyed(10.0, stub)
        report, _ = investigate(svc)  # the two claims left unchecked are taken up again
    assert report.claims_checked == 2 and report.claude is not None
    assert report.claude.requests >= 2 and report.claude.input_tokens >= 2000
    assert report.claude.usd >= 2 * (1000 * 3 + 100 * 15) / 1e6
    out = StringIO()
    render_investigation(Console(file=out, width=400), report)
    assert f"Claude this run: {report.claude.requests} answered request(s)" in out.getvalue()
    assert "of the run's $10.00 cap" in out.getvalue()


def test_each_use_of_claude_can_be_turned_off(
    clean_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stop 60's red-team: with a key, a run asked Claude for queries, adjudication and
    dimension proposals, with no way to keep one and not the others."""
    from app.investigate import build_runner
    from investigators.llm_adjudicator import LLMAdjudicator

    svc = clean_services
    with MessagesStub() as stub:
        monkeypatch.setattr(
            svc, "llm", AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        )
        for uses, adjudicates, queries, proposes in (
            (["queries", "adjudication", "dimensions"], True, True, True),
            (["adjudication"], True, False, False),
            ([], False, False, False),
        ):
            llm_settings = svc.settings.llm.model_copy(update={"uses": uses})
            monkeypatch.setattr(
                svc, "settings", svc.settings.model_copy(update={"llm": llm_settings})
            )
            runner = build_runner(svc)
            assert any(isinstance(i, LLMAdjudicator) for i in runner.investigators) is adjudicates
            assert (runner.retriever.query_writer is not None) is queries
            assert (runner.proposer is not None) is proposes
        assert stub.requests == []
