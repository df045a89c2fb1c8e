"""The Claude adjudicator through the real SDK against the local Messages stub."""

from __future__ import annotations

from pathlib import Path

from consilience.llm import AnthropicLLM
from consilience.services import Services
from investigators.dimensions import DimensionProposer
from investigators.llm_cache import GraphJudgementCache
from investigators.registry import preset
from investigators.runner import Runner
from queries.findings import list_findings
from tests.messages_stub import MessagesStub

A = "# Lab A\n\nWe find that chain-of-thought monitoring catches most reward hacking in agents.\n"
B = "# Lab B\n\nWe find that chain-of-thought monitoring misses most reward hacking in agents.\n"


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
        stub.tool_answer(dims)
        stub.tool_answer(dims)
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        cache = GraphJudgementCache(svc.driver())
        investigators = preset("with-llm", llm=llm, cache=cache)
        runner = Runner(
            svc.driver(), svc.claim_index(), investigators, proposer=DimensionProposer(llm, cache)
        )
        report = runner.run()
        assert len(stub.requests) == 3 and report.dimensions_proposed == 2
        prompt = stub.requests[0]["body"]["messages"][0]["content"]
        assert "catches most reward hacking" in prompt and "misses most" in prompt
        runner.run(everything=True)  # cached in the graph: the stub (now empty) is not asked
        assert len(stub.requests) == 3
    with svc.driver().session() as s:
        dims_stored = [r["d"] for r in s.run("MATCH (c:Claim) RETURN c.missing_dimensions AS d")]
    assert dims_stored == [["other model families"]] * 2
    llm_findings = [
        f
        for f in list_findings(svc.driver(), kind="contradicts").items
        if f.investigator == "llm-adjudicator"
    ]
    (f,) = llm_findings
    assert f.model == "claude-stub" and f.version == "adjudicate-1" and f.score == 0.95
    assert "explicit_contradiction" in f.rationale and f.independent is True
