"""In-process LLMs for tests of the code around Claude (the client itself is tested against
the Messages stub): each decides one answer per prompt, the protocol's methods follow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from consilience.errors import LLMError
from consilience.llm import MissRow
from consilience.llm_spend import Spend

M = TypeVar("M", bound=BaseModel)


class ScriptedLLM:
    """`reply(prompt)`: the answer's fields, or None for a request that failed."""

    model = "claude-scripted"
    unread: set[int] = set()  # noqa: RUF012 - never written: every question is read
    answered_by: dict[int, str] = {}  # noqa: RUF012 - never written: the model asked for

    def reply(self, prompt: str) -> dict[str, Any] | None:
        return None

    def structured(
        self,
        system: str,
        prompt: str,
        schema: type[M],
        *,
        max_tokens: int = 4096,
        spend: Spend | None = None,
    ) -> M:
        data = self.reply(prompt)
        if data is None:
            raise LLMError("no answer", "retry")
        return schema.model_validate(data)

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
        return [None if (d := self.reply(p)) is None else schema.model_validate(d) for p in prompts]


class SilentLLM(ScriptedLLM):
    """Never gives a usable answer: every request failed (Claude read none of them)."""

    model = "claude-silent"

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
        self.unread = set(range(len(prompts)))
        return [None] * len(prompts)


class RefusingLLM(ScriptedLLM):
    """Reads every question and never gives a usable answer (a refusal, say)."""

    model = "claude-refusing"


class DownLLM(ScriptedLLM):
    """Every request raises: the service is down."""

    model = "claude-down"

    def reply(self, prompt: str) -> dict[str, Any] | None:
        raise LLMError("Claude request failed: 503", "Retry later.")


class MemoryCache:
    """The answer cache's protocol (consilience.llm.AnswerCache), in memory."""

    def __init__(self) -> None:
        self.rows: dict[str, str] = {}

    def get_many(self, ids: list[str]) -> dict[str, str]:
        return {i: self.rows[i] for i in ids if i in self.rows}

    def put_many(self, rows: list[dict[str, str]]) -> None:
        self.rows.update({r["id"]: r["response"] for r in rows})

    def replace(self, rows: list[MissRow]) -> dict[str, str | None]:
        for r in rows:
            if self.rows.get(r["id"]) in (None, r["expected"]):
                self.rows[r["id"]] = r["response"]
        return {r["id"]: self.rows.get(r["id"]) for r in rows}
