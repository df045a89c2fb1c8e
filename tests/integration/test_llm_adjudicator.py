"""The Claude adjudicator through the real SDK against the local Messages stub."""

from __future__ import annotations

from pathlib import Path

from consilience.llm import AnthropicLLM
from consilience.services import Services
from investigators.llm_cache import GraphJudgementCache
from investigators.registry import preset
from investigators.runner import Runner
from queries.findings import list_findings
from tests.messages_stub import MessagesStub

A = "# Lab A\n\nChain-of-thought monitoring catches most reward hacking in our agents.\n"
B = "# Lab B\n\nChain-of-thought monitoring misses most reward hacking in our agents.\n"


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
    svc.claim_index().sync(svc.driver())
    with MessagesStub() as stub:
        stub.tool_answer(answer("explicit_contradiction"))
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        investigators = preset("with-llm", llm=llm, cache=GraphJudgementCache(svc.driver()))
        runner = Runner(svc.driver(), svc.claim_index(), investigators)
        runner.run()
        assert len(stub.requests) == 1
        prompt = stub.requests[0]["body"]["messages"][0]["content"]
        assert "catches most reward hacking" in prompt and "misses most" in prompt
        runner.run(everything=True)  # cached in the graph: the stub (now empty) is not asked
        assert len(stub.requests) == 1
    llm_findings = [
        f
        for f in list_findings(svc.driver(), kind="contradicts").items
        if f.investigator == "llm-adjudicator"
    ]
    (f,) = llm_findings
    assert f.model == "claude-stub" and f.version == "adjudicate-1" and f.score == 0.95
    assert "explicit_contradiction" in f.rationale and f.independent is True
