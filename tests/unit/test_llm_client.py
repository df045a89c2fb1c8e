"""The Claude client (consilience.llm): the real anthropic SDK against a local stub of the
Messages API — errors, a failed request among few, and Message Batches that take too long."""

from __future__ import annotations

from pathlib import Path

import pytest

from consilience.errors import LLMError, UnusableAnswerError
from consilience.llm import AnthropicLLM
from ingest.claims.prompts.extract import LLMClaims
from investigators.prompts.adjudicate import Adjudication
from tests.messages_stub import MessagesStub

ANSWER = {"reasoning": "r", "label": "tension", "quote_a": "x", "quote_b": "y", "rationale": "z"}


def test_llm_errors_are_clear() -> None:
    """Each failure says what helps (red-teamed: a rate limit and an overload were told to
    check the key)."""
    with MessagesStub() as stub:  # empty queue: the stub answers 500
        stub.queue += [401, 429]
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        hints = []
        for _ in range(3):
            with pytest.raises(LLMError) as exc:
                llm.structured("system", "prompt", LLMClaims)
            hints.append(exc.value.hint)
    assert "ANTHROPIC_API_KEY" in hints[0]
    assert "Rate limited" in hints[1] and "CONSILIENCE_LLM__BUDGET_PAIRS" in hints[1]
    assert "run again later" in hints[2] and "ANTHROPIC_API_KEY" not in hints[2]


def test_an_answer_cut_off_or_refused_is_never_used() -> None:
    """Red-teamed: stop_reason was never read, so an extraction cut off at its token limit
    (its tool input cut to the first claim, which still validates) was used as the whole
    answer; a refusal read "no valid LLMClaims. Retry the request"."""
    claims = {"claims": [{"reasoning": "r", "kind": "finding", "quote": "We find X holds."}]}
    with MessagesStub() as stub:
        stub.tool_answer(claims, stop_reason="max_tokens")
        stub.tool_answer(claims, stop_reason="refusal")
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        for cause in ("an answer cut off at its token limit", "a refusal"):
            with pytest.raises(UnusableAnswerError) as exc:
                llm.structured("s", "p", LLMClaims)
            assert exc.value.cause == cause and "nothing of it is used" in exc.value.message
    with MessagesStub() as stub:  # among few: read by Claude, so no unread (they count)
        stub.tool_answer(ANSWER, stop_reason="refusal")
        stub.tool_answer(ANSWER)
        notes: list[str] = []
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        got = llm.structured_many("s", ["p1", "p2"], Adjudication, on_wait=notes.append)
        assert got[0] is None and got[1] is not None and llm.unread == set()
        assert notes == ["Claude: 1 of 2 question(s) got no usable answer (a refusal ×1)"]
    with MessagesStub() as stub:  # in a batch: said with its cause
        stub.tool_answer(ANSWER, stop_reason="max_tokens")
        stub.tool_answer(ANSWER)
        notes = []
        got = client(stub, poll_s=0.01).structured_many(
            "s", ["p1", "p2"], Adjudication, on_wait=notes.append
        )
        assert got[0] is None and got[1] is not None
        assert any("1 answer(s) of Message Batch msgbatch_1 cannot be used (an answer cut off "
                   "at its token limit ×1)" in n for n in notes), notes  # fmt: skip


def test_an_answer_that_is_not_json_is_a_clear_error_not_a_traceback() -> None:
    """Red-teamed: a 200 whose body was not JSON escaped as JSONDecodeError (a traceback)."""
    with MessagesStub() as stub:
        stub.queue.append(b'{"id": "msg_1", "content": [')
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        with pytest.raises(LLMError) as exc:
            llm.structured("system", "prompt", LLMClaims)
        assert "could not be read" in exc.value.message and "BASE_URL" in exc.value.hint
        stub.queue.append(b"<html>proxy error</html>")
        stub.tool_answer(ANSWER)  # among few: that one is None, the other is kept
        got = llm.structured_many("s", ["p1", "p2"], Adjudication)
        assert got[0] is None and got[1] is not None
    with MessagesStub() as stub:  # JSON, but no message: the SDK does not check its shape
        other_tool = {"type": "tool_use", "id": "t", "name": "other", "input": {"claims": []}}
        for shape in ({}, [], {"content": None}, {"content": [{"type": "tool_use"}]},
                      {"content": [other_tool]}):  # fmt: skip
            stub.queue.append(shape)
            with pytest.raises(LLMError, match="no valid LLMClaims"):
                AnthropicLLM("k", "m", base_url=stub.url).structured("s", "p", LLMClaims)
    with MessagesStub(malformed_batch=True) as stub:
        with pytest.raises(LLMError) as exc:
            client(stub).structured_many("s", ["p1", "p2"], Adjudication)
        assert "batch request could not be read" in exc.value.message


def test_a_failed_request_among_few_is_none_and_the_others_are_kept() -> None:
    answer = {"reasoning": "r", "label": "tension", "quote_a": "x", "quote_b": "y"}
    answer["rationale"] = "z"
    with MessagesStub() as stub:
        stub.tool_answer(answer)  # the first request is answered, the second finds nothing
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0, timeout_s=2)
        got = llm.structured_many("s", ["p1", "p2"], Adjudication)
    assert got[0] is not None and got[0].label == "tension" and got[1] is None
    assert llm.answered_by == {0: "claude-stub"}  # the model the answer names


def test_the_model_that_answered_is_known_for_each_answer() -> None:
    """A finding recorded the model asked for (an alias, or whatever a proxy was sent), not
    the one the answer names."""
    answer = {"reasoning": "r", "label": "tension", "quote_a": "x", "quote_b": "y",
              "rationale": "z"}  # fmt: skip
    with MessagesStub() as stub:
        stub.tool_answer(answer, model="claude-dated-20261101")
        stub.tool_answer(answer, model="")  # names none: the one asked for
        llm = AnthropicLLM("k", "claude-alias", base_url=stub.url, max_retries=0, timeout_s=2)
        got = llm.structured_many("s", ["p1", "p2", "p3"], Adjudication)
    assert [a is not None for a in got] == [True, True, False]
    assert llm.answered_by == {0: "claude-dated-20261101", 1: "claude-alias"}
    with MessagesStub() as stub:
        for model in ("claude-a-1", "claude-b-2"):
            stub.tool_answer(answer, model=model)
        llm = client(stub, poll_s=0.01)
        llm.structured_many("s", ["p1", "p2"], Adjudication)
    assert llm.answered_by == {0: "claude-a-1", 1: "claude-b-2"}  # a batch's too


def test_failures_are_named_and_asking_stops_when_it_cannot_help() -> None:
    """Red-teamed: a bad key, a rate limit and malformed answers all read "no usable answer",
    and a run went on sending requests for minutes after every one had failed."""
    with MessagesStub() as stub:  # the queue empty: every request after it is a 500
        stub.tool_answer(ANSWER)
        stub.queue.append(b"junk")
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        notes: list[str] = []
        got = llm.structured_many("s", [f"p{i}" for i in range(8)], Adjudication,
                                  on_wait=notes.append)  # fmt: skip
        assert [g is not None for g in got] == [True] + [False] * 7
        assert len(stub.requests) == 4  # three failures in a row, then nothing more is sent
        assert "stopped asking after HTTP 500 (3 requests in a row)" in notes[0]
        assert notes[-1] == (
            "Claude: 7 of 8 question(s) got no usable answer (HTTP 500 ×2; an answer that "
            "could not be read ×1; not sent ×4, after HTTP 500)"
        )
        assert llm.unread == set(range(1, 8))  # Claude read none of these: not their fault
        llm.structured_many("s", ["again"], Adjudication, on_wait=notes.append)
        assert len(stub.requests) == 4  # the same client, at once: still nothing sent
        with pytest.raises(LLMError, match="Not sent"):  # nor by a single request
            llm.structured("s", "p", Adjudication)
    with MessagesStub() as stub:  # the stop lapses, and a success clears it
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        llm.structured_many("s", ["p1", "p2", "p3"], Adjudication)
        assert llm._down is not None and len(stub.requests) == 3
        llm._down = (llm._down[0], 0.0)  # its time is up
        stub.tool_answer(ANSWER)
        (got,) = llm.structured_many("s", ["p4"], Adjudication)
        assert got is not None and llm._down is None and llm.unread == set()
    with MessagesStub() as stub:
        stub.queue.append(401)  # a key refused: one request is enough to know
        llm = AnthropicLLM("bad", "claude-stub", base_url=stub.url, max_retries=0)
        notes = []
        llm.structured_many("s", ["p1", "p2", "p3"], Adjudication, on_wait=notes.append)
        assert len(stub.requests) == 1 and "HTTP 401 authentication_error" in notes[0]
    credit = "Your credit balance is too low to access the Anthropic API. Please go to Plans"
    with MessagesStub() as stub:  # red-teamed: read as one bad question, all others were sent
        stub.queue.append((400, credit))
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        notes = []
        llm.structured_many("s", ["p1", "p2", "p3"], Adjudication, on_wait=notes.append)
        assert len(stub.requests) == 1 and "HTTP 400 no credit left" in notes[0]
        with pytest.raises(LLMError, match="Not sent") as raised:
            llm.structured("s", "p", Adjudication)
        assert "add credit (Console, Plans & Billing)" in raised.value.hint
    with MessagesStub() as stub:
        stub.queue.append((400, credit))
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        with pytest.raises(LLMError, match="credit balance") as raised:
            llm.structured("s", "p", Adjudication)
        assert "add credit" in raised.value.hint
    with MessagesStub() as stub:
        stub.queue.append(402)
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=2)
        llm.structured_many("s", ["p1", "p2"], Adjudication, on_wait=notes.append)
        assert len(stub.requests) == 1 and "HTTP 402 no credit left" in notes[-2]


def client(stub: MessagesStub, **timing: float) -> AnthropicLLM:
    return AnthropicLLM(
        "k", "claude-stub", base_url=stub.url, max_retries=0, batch_threshold=2, **timing
    )


def test_a_batch_is_awaited_with_notes_and_all_its_answers_kept() -> None:
    notes: list[str] = []
    with MessagesStub(batch_polls=3) as stub:
        for _ in range(3):
            stub.tool_answer(ANSWER)
        llm = client(stub, poll_s=0.01, note_every_s=0.0)
        got = llm.structured_many("s", ["p1", "p2", "p3"], Adjudication, on_wait=notes.append)
    assert [a is not None and a.label == "tension" for a in got] == [True, True, True]
    assert not stub.cancelled
    assert "sent 3 question(s) as Message Batch msgbatch_1" in notes[0]
    assert any("still running after" in n for n in notes[1:])  # the wait is not silent


def test_a_batch_past_its_time_limit_is_cancelled_and_its_answers_kept() -> None:
    """It used to be polled forever: a run could hang for the batch's 24 hours."""
    notes: list[str] = []
    with MessagesStub(batch_polls=None, answered_when_cancelled=2) as stub:
        for _ in range(2):
            stub.tool_answer(ANSWER)
        llm = client(stub, poll_s=0.01, batch_wait_s=0.05)
        got = llm.structured_many("s", ["p1", "p2", "p3", "p4"], Adjudication, on_wait=notes.append)
    assert stub.cancelled
    assert [a is not None for a in got] == [True, True, False, False]
    assert any("cancelled; the answers it has are kept" in n for n in notes)
    assert "2 of 4 answered, 0 errored, 2 cancelled" in notes[-1]
    assert stub.requests[-1]["path"] == "/v1/messages/batches/msgbatch_1/cancel"


def test_a_cancelled_batch_that_never_ends_is_a_clear_error() -> None:
    with MessagesStub(batch_polls=None, cancel_ends=False) as stub:
        llm = client(stub, poll_s=0.01, batch_wait_s=0.02, cancel_wait_s=0.05)
        with pytest.raises(LLMError) as exc:
            llm.structured_many("s", ["p1", "p2"], Adjudication)
    assert "msgbatch_1 was cancelled but had not ended" in exc.value.message
    assert "stay unchecked" in exc.value.hint


def test_a_status_read_that_fails_transiently_is_retried_at_the_next_poll() -> None:
    with MessagesStub(batch_polls=1, failed_polls=2) as stub:
        for _ in range(2):
            stub.tool_answer(ANSWER)
        got = client(stub, poll_s=0.01).structured_many("s", ["p1", "p2"], Adjudication)
    assert [a is not None for a in got] == [True, True] and stub.polls > 2


def test_a_batch_that_ends_as_it_is_cancelled_keeps_all_its_answers() -> None:
    notes: list[str] = []
    with MessagesStub(batch_polls=None, cancel_refused=True) as stub:
        for _ in range(2):
            stub.tool_answer(ANSWER)
        llm = client(stub, poll_s=0.01, batch_wait_s=0.02)
        got = llm.structured_many("s", ["p1", "p2"], Adjudication, on_wait=notes.append)
    assert [a is not None for a in got] == [True, True] and not stub.cancelled
    assert not any(": cancelled;" in n for n in notes)  # nothing was


def test_a_cancel_that_fails_transiently_is_tried_again() -> None:
    with MessagesStub(batch_polls=None, answered_when_cancelled=1, failed_cancels=2) as stub:
        stub.tool_answer(ANSWER)
        llm = client(stub, poll_s=0.01, batch_wait_s=0.02)
        got = llm.structured_many("s", ["p1", "p2"], Adjudication)
    assert stub.cancelled and [a is not None for a in got] == [True, False]


def test_results_are_read_again_once_and_then_fail_clearly() -> None:
    with MessagesStub(batch_polls=0, failed_results=1) as stub:
        for _ in range(2):
            stub.tool_answer(ANSWER)
        got = client(stub, poll_s=0.01).structured_many("s", ["p1", "p2"], Adjudication)
    assert [a is not None for a in got] == [True, True]
    with (
        MessagesStub(batch_polls=0, failed_results=2) as stub,
        pytest.raises(LLMError, match="Claude batch request failed"),
    ):
        client(stub, poll_s=0.01).structured_many("s", ["p1", "p2"], Adjudication)


def test_a_batch_abandoned_by_ctrl_c_is_cancelled() -> None:
    def interrupt(note: str) -> None:
        if "still running" in note:
            raise KeyboardInterrupt

    with MessagesStub(batch_polls=None) as stub:
        llm = client(stub, poll_s=0.01, note_every_s=0.0, batch_wait_s=5.0)
        with pytest.raises(KeyboardInterrupt):
            llm.structured_many("s", ["p1", "p2"], Adjudication, on_wait=interrupt)
    assert stub.cancelled  # what it had not done is not billed


def test_a_batch_abandoned_by_sigterm_is_cancelled() -> None:
    """Red-teamed: `kill`, `timeout` or a cancelled CI job ended the process at once and the
    Message Batch ran on, billed; the CLI's SIGTERM handler unwinds as Ctrl-C does."""
    import signal
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import signal, sys
        from cli.main import _terminated
        from consilience.llm import AnthropicLLM
        from investigators.prompts.adjudicate import Adjudication
        from tests.messages_stub import MessagesStub

        signal.signal(signal.SIGTERM, _terminated)
        with MessagesStub(batch_polls=None) as stub:
            llm = AnthropicLLM("k", "m", base_url=stub.url, max_retries=0, batch_threshold=2,
                               poll_s=0.05)
            try:
                llm.structured_many("s", ["p1", "p2"], Adjudication,
                                    on_wait=lambda note: print(note, flush=True))
            finally:
                print("cancelled" if stub.cancelled else "not cancelled", flush=True)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],  # the repository: its packages import
    )
    assert proc.stdout is not None
    assert "sent 2 question(s)" in proc.stdout.readline()  # the batch is being awaited
    proc.send_signal(signal.SIGTERM)
    rest = proc.stdout.read()
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert rest.strip().endswith("cancelled") and "not cancelled" not in rest


def test_a_batch_awaited_when_the_server_shuts_down_is_cancelled_at_once() -> None:
    """Red-teamed: `consilience serve` stopped with Ctrl-C or SIGTERM waited for a job that
    waited for a Message Batch, up to an hour; kill -9 then left the batch running and billed.
    `abandon` (the server's shutdown) stops the wait at once and cancels the batch, and
    nothing more is sent."""
    import threading

    with MessagesStub(batch_polls=None) as stub:
        llm = client(stub, poll_s=0.05)
        failed: list[BaseException] = []

        def wait() -> None:
            try:
                llm.structured_many("s", ["p1", "p2"], Adjudication)
            except LLMError as exc:
                failed.append(exc)

        worker = threading.Thread(target=wait)
        worker.start()
        for _ in range(500):  # until the batch is sent and awaited
            if stub.batch_requests:
                break
            worker.join(0.01)
        llm.abandon()
        worker.join(5)
        assert not worker.is_alive() and stub.cancelled
        assert "shutting down" in str(failed[0])
        sent = len(stub.requests)
        assert llm.structured_many("s", ["p3"], Adjudication) == [None] and llm.unread == {0}
        with pytest.raises(LLMError, match="shutting down"):
            llm.structured("s", "p4", Adjudication)
        assert len(stub.requests) == sent
