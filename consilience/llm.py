"""The LLM behind a narrow protocol returning validated pydantic models.

"No LLM" is a value chosen once at wiring time (`build_llm` returns None without a key).
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, TypeVar

from pydantic import BaseModel, ValidationError

from consilience.errors import LLMError, NotSentError, UnusableAnswerError, first_line
from consilience.llm_spend import ADJUDICATION, EXTRACTION, QUERIES, Spend, usage_of
from consilience.settings import Settings

if TYPE_CHECKING:  # the SDK itself is imported only when Claude is used
    from anthropic.types import ToolParam
    from anthropic.types.message_create_params import MessageCreateParamsNonStreaming
    from anthropic.types.messages import MessageBatch
    from anthropic.types.messages.batch_create_params import Request

M = TypeVar("M", bound=BaseModel)
_HINT = "Check ANTHROPIC_API_KEY and network access, or unset the key to run offline."
_NO_CREDIT = "no credit left"
_CREDIT_HINT = (
    "The Anthropic account has no credit left: add credit (Console, Plans & Billing), or "
    "unset ANTHROPIC_API_KEY to run offline."
)
_BODY_HINT = (
    "Check ANTHROPIC_BASE_URL: it must reach the Messages API, or a proxy that passes its "
    "answers on unchanged. Unset ANTHROPIC_API_KEY to run offline."
)


class LLM(Protocol):
    @property
    def model(self) -> str: ...

    @property
    def unread(self) -> set[int]:
        """Positions in the last `structured_many` call whose question Claude never read: its
        request failed or was not sent. A miss there is the service's, not the question's."""
        ...

    @property
    def answered_by(self) -> dict[int, str]:
        """Positions in the last `structured_many` call that Claude answered, with the model
        its answer names (a requested alias is answered by a dated model; a proxy may answer
        with another): what a finding records."""
        ...

    def structured(
        self,
        system: str,
        prompt: str,
        schema: type[M],
        *,
        max_tokens: int = 4096,
        spend: Spend | None = None,
    ) -> M: ...

    def structured_many(
        self,
        system: str,
        prompts: list[str],
        schema: type[M],
        *,
        max_tokens: int = 4096,
        on_wait: Callable[[str], None] | None = None,
        on_answer: Callable[[int, M], None] | None = None,
        spend: Spend | None = None,
    ) -> list[M | None]: ...


# What each kind of question is for, in the run's notes (by the answer's schema)
_PURPOSE = {
    "Queries": QUERIES,
    "Dimensions": "missing-dimension proposals",
    "Adjudication": ADJUDICATION,
    "LLMClaims": EXTRACTION,
}


class MeteredLLM:
    """One run's view of a client: every request it sends goes on the run's `spend` (the
    client is shared by a server's jobs; each run has its own account and cap)."""

    def __init__(self, inner: LLM, spend: Spend) -> None:
        self.inner = inner
        self.spend = spend

    @property
    def model(self) -> str:
        return self.inner.model

    @property
    def unread(self) -> set[int]:
        return self.inner.unread

    @property
    def answered_by(self) -> dict[int, str]:
        return self.inner.answered_by

    @property
    def batch_threshold(self) -> int | None:
        threshold = getattr(self.inner, "batch_threshold", None)
        return threshold if isinstance(threshold, int) else None

    def structured(
        self,
        system: str,
        prompt: str,
        schema: type[M],
        *,
        max_tokens: int = 4096,
        spend: Spend | None = None,
    ) -> M:
        account = spend or self.spend
        before = account.use().not_sent
        try:
            return self.inner.structured(
                system, prompt, schema, max_tokens=max_tokens, spend=account
            )
        finally:
            account.held_back(_purpose(schema), account.use().not_sent - before)

    def structured_many(
        self,
        system: str,
        prompts: list[str],
        schema: type[M],
        *,
        max_tokens: int = 4096,
        on_wait: Callable[[str], None] | None = None,
        on_answer: Callable[[int, M], None] | None = None,
        spend: Spend | None = None,
    ) -> list[M | None]:
        account = spend or self.spend
        if on_wait is not None and prompts:
            worst = sum(_worst(account, system, p, schema, max_tokens) for p in prompts)
            on_wait(
                f"Claude: {len(prompts)} question(s) for {_purpose(schema)}, at most "
                f"${worst:.2f} at full price; ${account.left_usd:.2f} of the run's "
                f"${account.cap_usd:.2f} cap left (CONSILIENCE_LLM__BUDGET_USD)"
            )
        before = account.use().not_sent
        try:
            return self.inner.structured_many(
                system,
                prompts,
                schema,
                max_tokens=max_tokens,
                on_wait=on_wait,
                on_answer=on_answer,
                spend=account,
            )
        finally:
            account.held_back(_purpose(schema), account.use().not_sent - before)


def _purpose(schema: type[BaseModel]) -> str:
    return _PURPOSE.get(schema.__name__, schema.__name__)


def _worst(
    spend: Spend, system: str, prompt: str, schema: type[BaseModel], max_tokens: int
) -> float:
    return spend.worst(system, prompt, len(json.dumps(schema.model_json_schema())), max_tokens)


def _over_cap(spend: Spend) -> LLMError:
    return LLMError(
        f"Not sent: its worst case would take the run past its ${spend.cap_usd:.2f} cap on "
        f"Claude (${spend.left_usd:.2f} left).",
        "Run again to go on (the answers so far are kept and cost nothing again); "
        "CONSILIENCE_LLM__BUDGET_USD raises the cap.",
    )


class MissRow(TypedDict):
    """A record of a question left without a usable answer, for `AnswerCache.replace`."""

    id: str
    expected: str | None  # the entry read before (None: there was none)
    response: str
    model: str
    prompt_version: str


class AnswerCache(Protocol):
    """Claude's answers kept by key (in the graph: `investigators.llm_cache`), so nothing
    paid for is asked twice."""

    def get_many(self, ids: list[str]) -> dict[str, str]: ...

    def put_many(self, rows: list[dict[str, str]]) -> None: ...

    def replace(self, rows: list[MissRow]) -> dict[str, str | None]:
        """Each row's response where its entry is still `expected` or is absent, in one
        step: an answer kept by another job after `expected` was read is never replaced by
        a record of a miss. Every row's entry after it."""
        ...


def _tool(schema: type[BaseModel]) -> ToolParam:
    return {
        "name": "record",
        "description": f"Record the {schema.__name__}.",
        "input_schema": schema.model_json_schema(),
    }


def _unusable(message: object) -> str | None:
    """Why an answer cannot be used whatever it holds, in words: cut off at its token limit (a
    tool input cut short can still validate: red-teamed, an extraction cut to its first claim
    replaced a file's five), or a refusal; None for an answer that ended as asked."""
    stop = getattr(message, "stop_reason", None)
    if stop == "max_tokens":
        return CUT_OFF
    if stop == "refusal":
        return REFUSAL
    return None


# Why an answer cannot be used whatever it holds (`UnusableAnswerError.cause`)
CUT_OFF = "an answer cut off at its token limit"
REFUSAL = "a refusal"


def _parse(message: object, schema: type[M]) -> M | None:
    """The tool call's input as `schema`; None where the message has none that fits (the SDK
    does not check an answer's shape: a body of `{}` or `[]` is no message at all) or cannot
    be used as it stands (`_unusable`)."""
    if _unusable(message):
        return None
    content = getattr(message, "content", None)
    for block in content if isinstance(content, list) else []:
        if getattr(block, "type", None) == "tool_use" and getattr(block, "name", "") == "record":
            try:
                return schema.model_validate(block.input)
            except ValidationError:
                return None
    return None


class AnthropicLLM:
    """Claude via the `anthropic` SDK; structured output through a forced tool call, retries
    of transient failures (each attempt held against the run's cap), and the Message Batches
    API for large runs."""

    def __init__(
        self,
        api_key: str,
        model: str,
        *,
        base_url: str | None = None,
        max_retries: int = 2,
        timeout_s: float = 60.0,
        batch_threshold: int = 20,
        poll_s: float = 10.0,
        batch_wait_s: float = 3600.0,
        cancel_wait_s: float = 600.0,
        note_every_s: float = 300.0,
    ) -> None:
        import anthropic

        self.model = model
        self.batch_threshold = batch_threshold
        self.poll_s = poll_s
        self.batch_wait_s = batch_wait_s
        self.cancel_wait_s = cancel_wait_s
        self.note_every_s = note_every_s
        self._client = anthropic.Anthropic(
            api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=timeout_s
        )
        self._down: tuple[str, float] | None = None  # (why, until when) no request is sent
        # the last call's, per thread: a server's jobs share the client (red-teamed: job B's
        # call reset job A's `unread` while A's batch ran, so A's questions never sent were
        # counted as attempts)
        self._calls = threading.local()
        self.timeout_s = timeout_s
        self.max_retries = max_retries  # messages are retried here (`_send`), not by the SDK
        self._once = self._client.with_options(max_retries=0)
        self._abandoned = threading.Event()  # set by `abandon`: nothing more is asked

    @property
    def unread(self) -> set[int]:
        return self._last().setdefault("unread", set())

    @unread.setter
    def unread(self, value: set[int]) -> None:
        self._last()["unread"] = value

    @property
    def answered_by(self) -> dict[int, str]:
        return self._last().setdefault("answered_by", {})

    @answered_by.setter
    def answered_by(self, value: dict[int, str]) -> None:
        self._last()["answered_by"] = value

    def _last(self) -> dict[str, Any]:
        if not hasattr(self._calls, "state"):
            self._calls.state = {}
        return self._calls.state

    def abandon(self) -> None:
        """Stop asking, from any thread: the process is shutting down (a server stopped with
        Ctrl-C or SIGTERM waits for its jobs; red-teamed, a job waiting for a Message Batch
        held `consilience serve` for up to an hour, and kill -9 left the batch running and
        billed). A batch awaited is cancelled at once, no request is sent after, and the
        questions go unanswered (asked again by the next run)."""
        self._abandoned.set()

    def _pause(self, seconds: float) -> None:
        """Sleep between polls; raise at once when abandoned."""
        if self._abandoned.wait(seconds):
            raise NotSentError(
                "Stopped waiting for Claude: the process is shutting down.",
                "The questions not answered are asked again by the next run.",
            )

    def _answered_by(self, message: object) -> str:
        """The model an answer names; the one asked for where it names none."""
        model = getattr(message, "model", None)
        return model if isinstance(model, str) and model.strip() else self.model

    def _timeout(self, max_tokens: int) -> float:
        """Time for an answer `max_tokens` long (red-teamed: 60 s cut off long extractions,
        and each retry of a timeout may be billed)."""
        return max(self.timeout_s, 30.0 + max_tokens / 25)

    def _params(
        self, system: str, prompt: str, schema: type[BaseModel], max_tokens: int
    ) -> MessageCreateParamsNonStreaming:
        return {
            "model": self.model,
            "max_tokens": max_tokens,
            "system": system,
            "messages": [{"role": "user", "content": prompt}],
            "tools": [_tool(schema)],
            "tool_choice": {"type": "tool", "name": "record"},
        }

    def _stopped(self) -> bool:
        """Whether the client is within DOWN_FOR_S of stopping (nothing is sent)."""
        return self._down is not None and time.monotonic() < self._down[1]

    def _refuse_while_down(self) -> None:
        if self._abandoned.is_set():
            raise NotSentError(
                "Not sent: the process is shutting down.",
                "The question is asked again by the next run.",
            )
        if self._down is not None and self._stopped():
            raise NotSentError(
                f"Not sent: Claude failed with {self._down[0]} less than "
                f"{_minutes(DOWN_FOR_S)} ago.",
                _CREDIT_HINT if self._down[0].endswith(_NO_CREDIT) else _HINT,
            )

    def structured(
        self,
        system: str,
        prompt: str,
        schema: type[M],
        *,
        max_tokens: int = 4096,
        spend: Spend | None = None,
    ) -> M:
        self._refuse_while_down()
        held = 0.0
        if spend is not None:
            n, held = spend.admit(
                [_worst(spend, system, prompt, schema, max_tokens)], batched=False
            )
            if not n:
                raise _over_cap(spend)
        return self._structured(system, prompt, schema, max_tokens, spend, held)[0]

    def _structured(
        self,
        system: str,
        prompt: str,
        schema: type[M],
        max_tokens: int,
        spend: Spend | None = None,
        held: float = 0.0,
    ) -> tuple[M, str]:
        """The answer and the model that gave it; under `spend`, admitted by the caller with
        `held` (its worst case), settled here with what the answer says it cost."""
        try:
            msg, held = self._send(system, prompt, schema, max_tokens, spend, held)
        except ValueError as exc:  # a 200 whose body is not a message (JSON, or its shape)
            raise LLMError(
                f"Claude's answer could not be read: {first_line(exc, 200)}", _BODY_HINT
            ) from exc
        self._down = None  # it answers again
        if spend is not None:  # billed, usable or not
            spend.settle(held, [usage_of(msg)], batched=False)
        why = _unusable(msg)
        if why is not None:
            raise UnusableAnswerError(
                why,
                f"Claude gave {why} (stop_reason {getattr(msg, 'stop_reason', '?')!r}, "
                f"max_tokens {max_tokens}); nothing of it is used.",
                "Asking the same again may end the same way: shorter input helps.",
            )
        answer = _parse(msg, schema)
        if answer is None:
            raise UnusableAnswerError(
                "an answer not in the expected form",
                f"Claude returned no valid {schema.__name__} (an answer not in the requested "
                "form).",
                "Asking again may help; if it keeps happening, check ANTHROPIC_BASE_URL "
                "reaches the Messages API itself and CONSILIENCE_LLM__MODEL names a model "
                "that uses tools.",
            )
        return answer, self._answered_by(msg)

    def _send(
        self,
        system: str,
        prompt: str,
        schema: type[BaseModel],
        max_tokens: int,
        spend: Spend | None,
        held: float,
    ) -> tuple[Any, float]:
        """The message, and the worst case held for the attempt that brought it. Transient
        failures are retried here, not by the SDK (red-teamed: each of the SDK's retries of a
        timeout may be billed, and the cap held one worst case for all of them): an attempt
        that may have been billed stays held, and the next must fit in what is left of the
        cap or is not sent; one refused with an HTTP error hands its hold to the next."""
        import anthropic

        create = self._once.messages.create
        params = self._params(system, prompt, schema, max_tokens)
        attempt = timeouts = 0
        while True:
            try:
                self._refuse_while_down()
                return create(**params, timeout=self._timeout(max_tokens)), held
            except anthropic.APIError as exc:
                billed = _maybe_billed(exc)
                if spend is not None and not billed:
                    spend.release(held)  # else (a timeout, a connection lost after sending)
                    # its worst case stays held against the cap
                    held = 0.0
                # a timeout once only: an answer longer than its time fails every time,
                # each attempt perhaps billed
                timeouts += isinstance(exc, anthropic.APITimeoutError)
                if attempt >= self.max_retries or not _retryable(exc) or timeouts > 1:
                    raise LLMError(f"Claude request failed: {exc}", _hint_for(exc)) from exc
                if spend is not None:
                    n, held = spend.admit(
                        [_worst(spend, system, prompt, schema, max_tokens)],
                        batched=False,
                        counted=False,
                    )
                    if not n:
                        raise LLMError(
                            f"Claude request failed: {exc}; not sent again: its worst case "
                            f"no longer fits in the run's ${spend.cap_usd:.2f} cap "
                            f"(${spend.left_usd:.2f} left)",
                            _hint_for(exc),
                        ) from exc
                attempt += 1
                self._wait_to_retry(exc, attempt, spend, held)
            except LLMError:  # not sent
                if spend is not None:
                    spend.release(held)
                raise

    def _one_by_one(
        self,
        system: str,
        prompts: list[str],
        schema: type[M],
        max_tokens: int,
        say: Callable[[str], None],
        on_answer: Callable[[int, M], None] | None = None,
        spend: Spend | None = None,
    ) -> list[M | None]:
        """Each prompt its own request; one that fails is None. The user hears why (red-teamed:
        a bad key, a rate limit and a malformed answer all read "no usable answer"), and after
        an authentication error, or STREAK_STOP requests in a row that failed, the rest are not
        sent: for DOWN_FOR_S this client sends nothing more, and the first success after it
        clears the record (a run went on asking for minutes after every request had failed)."""
        out: list[M | None] = []
        causes: Counter[str] = Counter()
        streak = 0
        capped = 0  # not sent: past the run's cap
        for i, prompt in enumerate(prompts):
            if self._stopped() or self._abandoned.is_set():
                out.append(None)
                self.unread.add(i)
                continue
            held = 0.0
            if spend is not None:
                n, held = spend.admit(
                    [_worst(spend, system, prompt, schema, max_tokens)], batched=False
                )
                if not n:
                    out.append(None)
                    self.unread.add(i)
                    capped += 1
                    continue
            try:
                answer, self.answered_by[i] = self._structured(
                    system, prompt, schema, max_tokens, spend, held
                )
                out.append(answer)
                streak = 0
                if on_answer is not None:
                    on_answer(i, answer)
            except LLMError as exc:
                out.append(None)
                cause, request_failed, fatal = _cause(exc)
                causes[cause] += 1
                streak = streak + 1 if request_failed else 0
                if request_failed:
                    self.unread.add(i)
                if fatal or streak >= STREAK_STOP:
                    self._down = (cause, time.monotonic() + DOWN_FOR_S)
                    say(
                        f"Claude: stopped asking after {cause}"
                        + ("" if fatal else f" ({streak} requests in a row)")
                        + "; the questions not sent are asked again by the next run"
                    )
        missing = sum(1 for a in out if a is None)
        if missing:
            parts = [f"{c} ×{n}" for c, n in causes.most_common()]
            if capped:
                parts.append(f"not sent ×{capped}, past the run's cap")
            if missing > sum(causes.values()) + capped and self._down is not None:
                parts.append(
                    f"not sent ×{missing - sum(causes.values()) - capped}, after {self._down[0]}"
                )
            say(
                f"Claude: {missing} of {len(prompts)} question(s) got no usable answer "
                f"({'; '.join(parts)})"
            )
        return out

    def structured_many(
        self,
        system: str,
        prompts: list[str],
        schema: type[M],
        *,
        max_tokens: int = 4096,
        on_wait: Callable[[str], None] | None = None,
        on_answer: Callable[[int, M], None] | None = None,
        spend: Spend | None = None,
    ) -> list[M | None]:
        """Independent requests: one by one when few, else one Message Batch (half the
        price, no rate-limit fan-out). Under `spend`, a request is sent only while its worst
        case fits in what is left of the run's cap (the others are None, and unread). A
        request that could not be answered is None (the others' answers, already paid for,
        are kept). One by one, `on_answer` hears each
        answer (its position, the answer) as it comes, so a caller can keep what was paid for
        before an interruption.

        A batch is awaited at most `batch_wait_s`; then it is cancelled and the answers it
        has are kept (the rest are None). `on_wait` hears what is being waited for: once
        when the batch is sent, every `note_every_s` after, and on cancelling."""
        say = on_wait or (lambda _message: None)  # this call's (a server's jobs share the client)
        self.unread = set()
        self.answered_by = {}
        if len(prompts) < self.batch_threshold:
            return self._one_by_one(system, prompts, schema, max_tokens, say, on_answer, spend)
        self.unread = set(range(len(prompts)))  # until the batch's results are read
        self._refuse_while_down()
        import anthropic

        sent, held = len(prompts), 0.0
        if spend is not None:
            worst = [_worst(spend, system, p, schema, max_tokens) for p in prompts]
            sent, held = spend.admit(worst, batched=True)
            if sent < len(prompts):
                say(
                    f"Claude: {len(prompts) - sent} of {len(prompts)} question(s) not sent, past "
                    f"the run's ${spend.cap_usd:.2f} cap"
                )
            if not sent:
                return [None] * len(prompts)
        requests: list[Request] = [
            {"custom_id": f"r{i}", "params": self._params(system, p, schema, max_tokens)}
            for i, p in enumerate(prompts[:sent])
        ]
        try:
            batch = self._create_batch(requests, spend, held)
        except anthropic.APIError as exc:
            if spend is not None and not _maybe_billed(exc):
                spend.release(held)
            raise LLMError(f"Claude batch request failed: {exc}", _hint_for(exc)) from exc
        except anthropic.AnthropicError as exc:
            raise LLMError(f"Claude batch request failed: {exc}", _hint_for(exc)) from exc
        except ValueError as exc:  # a 200 whose body is not a batch
            raise LLMError(
                f"Claude's answer to the batch request could not be read: {first_line(exc, 200)}",
                _BODY_HINT,
            ) from exc
        try:  # from here on, an abandoned batch is cancelled (a SIGTERM just after the note
            # below reached the line before this `try` and left the batch running: flaky test)
            say(
                f"sent {sent} question(s) as Message Batch {batch.id}; waiting for the "
                f"answers (at most {_minutes(self.batch_wait_s)}, then the batch is cancelled "
                "and the answers it has are kept)"
            )
            batch = self._await(batch, say)
            answers = self._results(batch.id, schema, say, spend, held)
        except BaseException as exc:
            # abandoned (an error, Ctrl-C): cancel it, so what it has not done is not billed;
            # quickly, without the client's retries (Ctrl-C must not wait minutes)
            if batch.processing_status != "ended":
                with contextlib.suppress(Exception):
                    quick = self._client.with_options(max_retries=0, timeout=10.0)
                    quick.messages.batches.cancel(batch.id)
            if isinstance(exc, Exception) and not isinstance(exc, LLMError):
                # the SDK's errors, and its transport's (httpx2) while reading the results
                raise LLMError(f"Claude batch request failed: {exc}", _hint_for(exc)) from exc
            raise
        self.unread = {i for i in range(len(prompts)) if f"r{i}" not in answers}
        self.answered_by = {
            i: answers[f"r{i}"][1]
            for i in range(len(prompts))
            if answers.get(f"r{i}", (None,))[0] is not None
        }
        n = batch.request_counts
        if n.succeeded < sent:
            say(
                f"Message Batch {batch.id} ended: {n.succeeded} of {sent} answered, "
                f"{n.errored} errored, {n.canceled} cancelled, {n.expired} expired"
            )
        return [answers[f"r{i}"][0] if f"r{i}" in answers else None for i in range(len(prompts))]

    def _create_batch(
        self, requests: list[Request], spend: Spend | None, held: float
    ) -> MessageBatch:
        """The batch created; a transient failure retried only where it cannot have created
        one: a rate limit, an overload, no connection (red-teamed: the SDK retried a timed-out
        create, and a batch the first attempt may have made runs unseen, billed, never
        cancelled)."""
        import anthropic

        create = self._once.messages.batches.create
        attempt = 0
        while True:
            try:
                return create(requests=requests)
            except anthropic.APIError as exc:
                if attempt >= self.max_retries or not _never_created(exc):
                    raise
                attempt += 1
                self._wait_to_retry(exc, attempt, spend, held)

    def _wait_to_retry(
        self, exc: Exception, attempt: int, spend: Spend | None, held: float
    ) -> None:
        """Wait before attempt `attempt`; abandoned meanwhile, the hold for the attempt not
        sent is released (NotSentError)."""
        try:
            self._pause(_retry_after(exc, attempt))
        except LLMError:
            if spend is not None:
                spend.release(held)
            raise

    def _results(
        self,
        batch_id: str,
        schema: type[M],
        say: Callable[[str], None],
        spend: Spend | None = None,
        held: float = 0.0,
    ) -> dict[str, tuple[M | None, str]]:
        """The ended batch's answers by custom id, each with the model that gave it; read
        again once if the stream breaks. The answers' tokens settle the batch's `held` worst
        case on `spend` (results never read leave it held: those answers were billed)."""
        unusable: dict[str, str] = {}  # why each answer that cannot be used cannot, by id
        billed: dict[str, tuple[int, int]] = {}  # tokens by id (a second read counts once)

        def read() -> dict[str, tuple[M | None, str]]:
            """Answers of the requests that succeeded (parsed; None where malformed); the
            others (errored, cancelled, expired: never read by Claude) are left out."""
            out: dict[str, tuple[M | None, str]] = {}
            for item in self._client.messages.batches.results(batch_id):
                if item.result.type == "succeeded":
                    message = getattr(item.result, "message", None)
                    billed[item.custom_id] = usage_of(message)
                    answer = _parse(message, schema)
                    if answer is None:
                        unusable[item.custom_id] = (
                            _unusable(message) or "an answer not in the expected form"
                        )
                    out[item.custom_id] = (answer, self._answered_by(message))
            return out

        try:
            out = read()
        except Exception:  # noqa: BLE001 - a broken stream (any transport): read once more
            unusable.clear()
            out = read()
        if spend is not None:
            spend.settle(held, list(billed.values()), batched=True)
        if unusable:  # said, not only counted (red-teamed: a refusal was never called one)
            parts = [f"{c} ×{n}" for c, n in Counter(unusable.values()).most_common()]
            say(
                f"Claude: {len(unusable)} answer(s) of Message Batch {batch_id} cannot be used "
                f"({'; '.join(parts)})"
            )
        return out

    def _await(self, batch: MessageBatch, say: Callable[[str], None]) -> MessageBatch:
        """Poll until the batch ends; cancel it after `batch_wait_s`. A status read or a
        cancel that fails transiently (rate limit, overload, connection) is tried again at
        the next poll."""
        import anthropic

        batch_id = batch.id
        started = noted = time.monotonic()
        cancel_by: float | None = None  # set once the batch is cancelled
        while batch.processing_status != "ended":
            now = time.monotonic()
            if cancel_by is None and now - started >= self.batch_wait_s:
                try:
                    batch = self._cancel(batch_id)
                except anthropic.APIError as exc:
                    if not _transient(exc):
                        raise
                    self._pause(self.poll_s)
                    continue
                if batch.processing_status == "ended":
                    break  # it ended just before the cancel: nothing was cancelled
                cancel_by = noted = now
                cancel_by += self.cancel_wait_s
                say(
                    f"Message Batch {batch_id} is still running after "
                    f"{_minutes(self.batch_wait_s)}: cancelled; the answers it has are kept, "
                    "the others are asked again next time (CONSILIENCE_LLM__BATCH_WAIT_S waits "
                    "longer)"
                )
                continue
            if cancel_by is not None and now >= cancel_by:
                raise LLMError(
                    f"Claude's Message Batch {batch_id} was cancelled but had not ended "
                    f"{_minutes(self.cancel_wait_s)} later; its answers cannot be read.",
                    "Run `consilience investigate` again later; the run's claims stay "
                    "unchecked, so its questions are asked again.",
                )
            if now - noted >= self.note_every_s:
                noted = now
                state = "being cancelled" if cancel_by is not None else "still running"
                say(f"Message Batch {batch_id}: {state} after {_minutes(now - started)}")
            self._pause(self.poll_s)
            try:
                batch = self._client.messages.batches.retrieve(batch_id)
            except anthropic.APIError as exc:
                if not _transient(exc):
                    raise
        return batch

    def _cancel(self, batch_id: str) -> MessageBatch:
        """Cancel; a batch that ended meanwhile (cancelling it fails) is returned as it is."""
        import anthropic

        try:
            return self._client.messages.batches.cancel(batch_id)
        except anthropic.APIError:
            batch = self._client.messages.batches.retrieve(batch_id)
            if batch.processing_status == "ended":
                return batch
            raise


STREAK_STOP = 3  # requests in a row that failed (each after its retries)
DOWN_FOR_S = 600.0


def _hint_for(exc: Exception) -> str:
    """What to do about a failed request, by what failed (red-teamed: a rate limit and an
    overload were told to check the key)."""
    import anthropic

    if isinstance(exc, anthropic.APITimeoutError):
        return (
            "Claude did not answer in time: run again, or allow longer with "
            "CONSILIENCE_LLM__TIMEOUT_S (seconds)."
        )
    if isinstance(exc, anthropic.APIConnectionError):
        return "Check network access to the Messages API (and ANTHROPIC_BASE_URL if set)."
    if isinstance(exc, anthropic.APIStatusError):
        if _out_of_credit(exc):
            return _CREDIT_HINT
        if exc.status_code in (401, 403):
            return "Check ANTHROPIC_API_KEY (and its permissions), or unset it to run offline."
        if exc.status_code == 404:
            return "Check CONSILIENCE_LLM__MODEL names a model your key can use."
        if exc.status_code == 429:
            return (
                "Rate limited: run again in a while (what was answered is kept), or ask less "
                "per run with CONSILIENCE_LLM__BUDGET_PAIRS."
            )
        if exc.status_code >= 500:
            return (
                "The service failed or is overloaded: run again later (what was answered is kept)."
            )
    return _HINT


def _cause(exc: LLMError) -> tuple[str, bool, bool]:
    """(what went wrong, in words; whether the request itself failed; whether asking again
    cannot help: a key refused, a model not found)."""
    import anthropic

    if isinstance(exc, UnusableAnswerError):
        return exc.cause, False, False
    if isinstance(exc, NotSentError):
        return "not sent", True, False
    raw = exc.__cause__
    if isinstance(raw, anthropic.APIStatusError):
        broke = _out_of_credit(raw)
        kind = _NO_CREDIT if broke else _api_error(raw, "type")
        fatal = raw.status_code in (401, 403, 404) or broke
        return f"HTTP {raw.status_code}{' ' + kind if kind else ''}", True, fatal
    if isinstance(raw, anthropic.APITimeoutError):
        return "a timeout", True, False
    if isinstance(raw, anthropic.APIConnectionError):
        return "no connection to the Messages API", True, False
    if isinstance(raw, ValueError):
        return "an answer that could not be read", True, False
    return "an answer not in the expected form", False, False


def _out_of_credit(exc: Exception) -> bool:
    """Whether the account has no credit left: HTTP 402, or the 400 the Messages API answers
    then (red-teamed: read as one bad question, every other request was still sent)."""
    import anthropic

    if not isinstance(exc, anthropic.APIStatusError):
        return False
    if exc.status_code == 402:
        return True
    return exc.status_code == 400 and "credit balance" in _api_error(exc, "message").casefold()


def _api_error(exc: Exception, field: str) -> str:
    """A field of the API's error body ({"error": {"type": …, "message": …}}); "" if none."""
    body = getattr(exc, "body", None)
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get(field, "")) if isinstance(error, dict) else ""


def _maybe_billed(exc: Exception) -> bool:
    """Whether a failed request may have been billed: not one refused with an HTTP error
    (but a gateway's 502 or 504), nor one that never reached the service (no connection); a
    timeout, or a connection lost after the request went out, may have been."""
    import anthropic

    if isinstance(exc, anthropic.APIStatusError):  # a gateway's 502 or 504: the service
        return exc.status_code in (502, 504)  # may have had it, and answered too late
    if isinstance(exc, anthropic.APITimeoutError):
        return True
    # by name: the SDK's transport is httpx or its fork httpx2, whose classes differ
    return type(exc.__cause__).__name__ not in ("ConnectError", "ConnectTimeout")


def _transient(exc: Exception) -> bool:
    import anthropic

    if isinstance(exc, anthropic.APIConnectionError):  # includes timeouts
        return True
    return isinstance(exc, anthropic.APIStatusError) and (
        exc.status_code == 429 or exc.status_code >= 500
    )


def _retryable(exc: Exception) -> bool:
    """Whether a failed request is worth sending again (what the SDK retries): no
    connection, a timeout, HTTP 408, 409, 429 or a server error, unless the service says."""
    import anthropic

    if isinstance(exc, anthropic.APIStatusError):
        said = exc.response.headers.get("x-should-retry")
        if said in ("true", "false"):
            return said == "true"
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return isinstance(exc, anthropic.APIConnectionError)


def _never_created(exc: Exception) -> bool:
    """Whether a failed Message Batch create surely made no batch and is worth sending again:
    a rate limit, an overload, or no connection at all."""
    import anthropic

    if isinstance(exc, anthropic.APIStatusError):
        return _retryable(exc) and exc.status_code in (429, 529)
    return isinstance(exc, anthropic.APIConnectionError) and not _maybe_billed(exc)


RETRY_AFTER_MAX_S = 600.0  # the longest wait a service's retry-after is followed for


def _retry_after(exc: Exception, attempt: int) -> float:
    """Seconds to wait before attempt `attempt` (1, 2, ...): what the service asks for (in
    milliseconds, seconds or as a date; at most RETRY_AFTER_MAX_S), else 0.5 s doubling to 8
    s, less up to a quarter at random (as the SDK does)."""
    import anthropic

    if isinstance(exc, anthropic.APIStatusError):
        headers = exc.response.headers
        wait = float("nan")
        with contextlib.suppress(ValueError):
            wait = float(headers.get("retry-after-ms") or "nan") / 1000
        if wait != wait:  # nan: no milliseconds given
            said = headers.get("retry-after") or ""
            with contextlib.suppress(ValueError):
                wait = float(said)
            if wait != wait and (when := email.utils.parsedate_tz(said)) is not None:
                wait = email.utils.mktime_tz(when) - time.time()
        if wait > 0:
            return min(wait, RETRY_AFTER_MAX_S)
    return min(0.5 * 2 ** (attempt - 1), 8.0) * (1 - 0.25 * random.random())


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


def build_llm(settings: Settings) -> LLM | None:
    if settings.anthropic_api_key is None:
        return None
    return AnthropicLLM(
        settings.anthropic_api_key.get_secret_value(),
        settings.llm.model,
        base_url=settings.anthropic_base_url,
        max_retries=settings.llm.max_retries,
        timeout_s=settings.llm.timeout_s,
        batch_wait_s=settings.llm.batch_wait_s,
    )
