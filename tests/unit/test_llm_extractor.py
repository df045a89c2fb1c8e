"""The Claude extractor through the real `anthropic` SDK against a local Messages stub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from consilience.llm import AnthropicLLM
from ingest.claims.llm import LLMExtractor, _verbatim
from ingest.claims.rules import RuleExtractor
from ingest.pipeline import RecordBuilder
from tests.llm_fakes import MemoryCache
from tests.messages_stub import MessagesStub

DOC = (
    b"# Results\n\nWe find that linear probes detect deception with AUROC 0.91.\n\n"
    b"Rob Wiblin: Do probes transfer to larger models?\n"
)


def test_llm_extractor_keeps_only_verbatim_quotes() -> None:
    with MessagesStub() as stub:
        stub.tool_answer(
            {
                "claims": [
                    {
                        "reasoning": "empirical result",
                        "kind": "finding",
                        "quote": "We find that linear probes detect deception with AUROC 0.91.",
                    },
                    {"reasoning": "made up", "kind": "opinion", "quote": "Probes always work."},
                ]
            }
        )
        stub.tool_answer({"claims": []})
        llm = AnthropicLLM("test-key", "claude-stub", base_url=stub.url, max_retries=0)
        extractor = LLMExtractor(llm)
        _, docs = RecordBuilder(extractor).build_records(Path("doc.md"), DOC)
    (claim,) = docs[0].claims
    assert claim.text == "We find that linear probes detect deception with AUROC 0.91."
    assert docs[0].source.text[claim.start : claim.end] == claim.text
    assert claim.kind.value == "finding" and claim.numbers[0].value == pytest.approx(0.91)
    assert claim.extractor == "claude@extract-2"
    assert extractor.rejected_quotes == 1
    first = stub.requests[0]
    assert first["path"] == "/v1/messages" and first["api_key"] == "test-key"
    assert first["body"]["tool_choice"] == {"type": "tool", "name": "record"}


def test_a_passage_whose_quotes_are_all_refused_is_read_by_the_rules() -> None:
    """Red-teamed: every quote of Claude's refused left the file stored with no claims (and
    the table said the text held none; later ingests skipped it as unchanged)."""
    with MessagesStub() as stub:
        stub.tool_answer({"claims": [{"reasoning": "r", "kind": "finding", "quote": "Made up."}]})
        stub.tool_answer({"claims": []})  # the second passage: Claude saw nothing, kept so
        llm = AnthropicLLM("test-key", "claude-stub", base_url=stub.url, max_retries=0)
        extractor = LLMExtractor(llm)
        _, docs = RecordBuilder(extractor).build_records(Path("doc.md"), DOC)
    texts = [c.text for c in docs[0].claims]
    assert texts == ["We find that linear probes detect deception with AUROC 0.91."]
    assert extractor.rejected_quotes == 1 and extractor.rules_passages == 1


def test_a_document_claude_finds_no_claim_in_is_read_by_the_rules() -> None:
    """Red-teamed: Claude answering no claim for every passage stored the file with none (exit
    0, and later ingests skipped it as unchanged); the rules now read it, and say so."""
    with MessagesStub() as stub:
        stub.tool_answer({"claims": []})
        stub.tool_answer({"claims": []})
        llm = AnthropicLLM("test-key", "claude-stub", base_url=stub.url, max_retries=0)
        extractor = LLMExtractor(llm)
        _, docs = RecordBuilder(extractor).build_records(Path("doc.md"), DOC)
        assert len(stub.requests) == 2  # both passages were asked
    texts = [c.text for c in docs[0].claims]
    assert "We find that linear probes detect deception with AUROC 0.91." in texts
    assert extractor.silent_documents == 1 and extractor.rules_passages == 0


def test_a_document_with_no_claim_for_claude_or_the_rules_is_not_counted_as_read_instead() -> None:
    """From review: the warning "the offline rules read it instead" was given even when the
    rules found nothing either (the ingest then also said "no claims found")."""
    with MessagesStub() as stub:
        stub.tool_answer({"claims": []})
        llm = AnthropicLLM("test-key", "claude-stub", base_url=stub.url, max_retries=0)
        extractor = LLMExtractor(llm)
        _, docs = RecordBuilder(extractor).build_records(
            Path("q.md"), b"# Open questions\n\nDo probes transfer to larger models?\n"
        )
        assert len(stub.requests) == 1
    assert docs[0].claims == [] and extractor.silent_documents == 0


def test_a_passage_the_rules_read_instead_keeps_the_interview_speaker_whose_turn_it_is() -> None:
    """Noted at stop 55: the rules read a refused passage alone, so a paragraph that
    continues an interviewee's answer lost its speaker (the rules alone gave it)."""
    doc = (
        b"# Interview transcript\n\n"
        b"Jan Leike: We find that linear probes detect deception with AUROC 0.91.\n\n"
        b"We also find that steering reduces sycophancy by 30% in every model we tried.\n"
    )
    with MessagesStub() as stub:
        stub.tool_answer({"claims": [{"reasoning": "r", "kind": "finding", "quote": (
            "We find that linear probes detect deception with AUROC 0.91."),
            "speaker": "Jan Leike"}]})  # fmt: skip
        stub.tool_answer({"claims": [{"reasoning": "r", "kind": "finding", "quote": "x y z"}]})
        llm = AnthropicLLM("test-key", "claude-stub", base_url=stub.url, max_retries=0)
        extractor = LLMExtractor(llm)
        _, docs = RecordBuilder(extractor).build_records(Path("interview.md"), doc)
    assert docs[0].source.kind == "interview" and extractor.rules_passages == 1
    speakers = {c.text[:20]: c.speaker for c in docs[0].claims}
    assert speakers == {"We find that linear ": "Jan Leike", "We also find that st": "Jan Leike"}
    rules_only = RecordBuilder(RuleExtractor()).build_records(Path("interview.md"), doc)[1]
    assert {c.text[:20]: c.speaker for c in rules_only[0].claims} == speakers


def test_services_wire_the_llm_extractor_only_with_a_key(tmp_path: Path) -> None:
    from app.services import build_services
    from consilience.settings import Settings
    from ingest.claims.rules import RuleExtractor

    no_key = Settings(data_dir=tmp_path, anthropic_api_key=None)
    offline = build_services(no_key, use_llm_extractor=True)
    assert offline.llm is None and isinstance(offline.extractor, RuleExtractor)
    keyed = Settings(
        data_dir=tmp_path,
        anthropic_api_key=SecretStr("k"),
        anthropic_base_url="http://127.0.0.1:9",
    )
    assert isinstance(build_services(keyed).extractor, RuleExtractor)  # opt-in only
    assert isinstance(build_services(keyed, use_llm_extractor=True).extractor, LLMExtractor)


def test_llm_extracted_claims_are_flagged_when_their_math_was_lost() -> None:
    """The flag is set for Claude's quotes as for the rules' (both go through
    `RuleExtractor.structure`): a quoted sentence whose symbols were dropped upstream."""
    doc = (
        b"# Coins\n\nAgents collecting a coin get a reward equal to , and all other actions "
        b"yield a reward of . Agents trained this way prefer shorter trajectories in most runs.\n"
    )
    quotes = [
        "Agents collecting a coin get a reward equal to , and all other actions yield a "
        "reward of .",
        "Agents trained this way prefer shorter trajectories in most runs.",
    ]
    with MessagesStub() as stub:
        stub.tool_answer(
            {"claims": [{"reasoning": "result", "kind": "finding", "quote": q} for q in quotes]}
        )
        stub.tool_answer({"claims": []})
        llm = AnthropicLLM("test-key", "claude-stub", base_url=stub.url, max_retries=0)
        _, docs = RecordBuilder(LLMExtractor(llm)).build_records(Path("coins.md"), doc)
    flags = {c.text: c.lost_content for c in docs[0].claims}
    assert flags == {quotes[0]: True, quotes[1]: False}
    assert all(c.extractor.startswith("claude@") for c in docs[0].claims)


def test_claude_quotes_that_are_no_claim_are_left_out() -> None:
    """Red-teamed: any substring Claude quoted was stored as a claim: "the" became a file's
    only claim. A quote is three words at least, and whole words."""
    passage = "Linear probes detect deception. Steering reduced sandbagging."
    assert _verbatim(passage, "the") == -1 and _verbatim(passage, "Linear probes") == -1
    assert _verbatim(passage, "ear probes detect deception.") == -1  # starts inside a word
    assert _verbatim(passage, "Linear probes detect dec") == -1  # ends inside a word
    assert _verbatim(passage, "Steering reduced sandbagging.") == 32


def test_an_answer_that_cannot_be_used_is_asked_at_most_twice_and_the_same_passage_once() -> None:
    """Red-teamed (review): only usable answers were kept, so a refusal was paid for by every
    rerun, revision and `--force`; and a passage twice in one document was asked twice."""
    from ingest.claims.llm import MAX_ATTEMPTS

    same = b"# A\n\nProbes detect deception in agents.\n\nProbes detect deception in agents.\n"
    cache = MemoryCache()
    with MessagesStub() as stub:
        for _ in range(MAX_ATTEMPTS):
            stub.tool_answer({"claims": []}, stop_reason="refusal")
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        for _ in range(MAX_ATTEMPTS + 2):  # reruns: the refusal is asked MAX_ATTEMPTS times
            extractor = LLMExtractor(llm, cache=cache)
            RecordBuilder(extractor).build_records(Path("doc.md"), DOC[: DOC.index(b"Rob")])
            assert extractor.unusable["a refusal"] == 1
        assert len(stub.requests) == MAX_ATTEMPTS
        stub.tool_answer({"claims": []})
        extractor = LLMExtractor(llm, cache=cache)
        RecordBuilder(extractor).build_records(Path("same.md"), same)
        assert len(stub.requests) == MAX_ATTEMPTS + 1  # the same passage twice: asked once
    assert extractor.cached_passages == 0  # not from an earlier run: this one asked it


def test_an_answer_kept_under_another_prompt_or_form_is_not_used() -> None:
    """The key holds the system prompt and the answer's schema, and an answer kept in a form
    that no longer validates is asked again rather than failing the file."""
    cache = MemoryCache()
    with MessagesStub() as stub:
        stub.tool_answer({"claims": []})
        stub.tool_answer({"claims": []})
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        one = DOC[: DOC.index(b"Rob")]
        RecordBuilder(LLMExtractor(llm, cache=cache)).build_records(Path("d.md"), one)
        (key,) = cache.rows
        cache.rows[key] = '{"claims": [{"no": "such field"}]}'
        RecordBuilder(LLMExtractor(llm, cache=cache)).build_records(Path("d.md"), one)
        assert len(stub.requests) == 2
    import ingest.claims.llm as extract_llm

    assert extract_llm.sha256_text(extract_llm.prompt.SYSTEM)[:16] != extract_llm._ASKED


def test_an_answer_not_in_the_form_asked_is_asked_again_and_a_damaged_row_too() -> None:
    """Review: an answer not in the form asked (a proxy's fault, say) counted toward the
    attempts and left the passage to the rules for good; a damaged cached row failed the
    file; a passage given up on was counted as answered from the cache."""
    one = DOC[: DOC.index(b"Rob")]
    cache = MemoryCache()
    with MessagesStub() as stub:
        for _ in range(3):
            stub.tool_answer({"not": "claims"})  # validates as no LLMClaims
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        for _ in range(3):
            extractor = LLMExtractor(llm, cache=cache)
            RecordBuilder(extractor).build_records(Path("d.md"), one)
            assert extractor.unusable["an answer not in the expected form"] == 1
        assert len(stub.requests) == 3 and cache.rows == {}
        stub.tool_answer({"claims": []})
        extractor = LLMExtractor(llm, cache=cache)
        key = extractor._key(
            next(iter([r["body"]["messages"][0]["content"] for r in stub.requests]))
        )
        cache.rows[key] = "{not json"
        RecordBuilder(extractor).build_records(Path("d.md"), one)
        assert len(stub.requests) == 4 and extractor.cached_passages == 0


def test_an_answer_another_job_kept_meanwhile_is_not_replaced_by_a_refusals_count() -> None:
    """Review: the refusal's count was written over the entry the document had read, so an
    answer another ingest kept for the same passage in between was lost and paid for again;
    and the rules read the passage instead of that answer."""

    class AnsweredMeanwhile(MemoryCache):
        def get_many(self, ids: list[str]) -> dict[str, str]:
            read = super().get_many(ids)
            self.rows.update(dict.fromkeys(ids, answer))  # another job's answer lands now
            return read

    quote = "We find that linear probes detect deception with AUROC 0.91."
    answer = json.dumps({"claims": [{"reasoning": "a view", "quote": quote, "kind": "opinion"}]})
    cache = AnsweredMeanwhile()
    with MessagesStub() as stub:
        stub.tool_answer({"claims": []}, stop_reason="refusal")
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        extractor = LLMExtractor(llm, cache=cache)
        _, docs = RecordBuilder(extractor).build_records(Path("doc.md"), DOC[: DOC.index(b"Rob")])
        assert len(stub.requests) == 1
    assert list(cache.rows.values()) == [answer]
    assert not extractor.unusable and extractor.cached_passages == 1  # the other job's answer
    assert [(c.text, c.kind.value) for c in docs[0].claims] == [(quote, "opinion")]
