"""The LLM behind a narrow protocol returning validated pydantic models.

"No LLM" is a value chosen once at wiring time (`build_llm` returns None without a key).
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from consilience.errors import LLMError
from consilience.settings import Settings

M = TypeVar("M", bound=BaseModel)


class LLM(Protocol):
    model: str

    def structured(
        self, system: str, prompt: str, schema: type[M], *, max_tokens: int = 4096
    ) -> M: ...


class AnthropicLLM:
    """Claude via the `anthropic` SDK; structured output through a forced tool call."""

    def __init__(
        self,
        api_key: str,
        model: str,
        *,
        base_url: str | None = None,
        max_retries: int = 2,
        timeout_s: float = 60.0,
    ) -> None:
        import anthropic

        self.model = model
        self._client = anthropic.Anthropic(
            api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=timeout_s
        )

    def structured(self, system: str, prompt: str, schema: type[M], *, max_tokens: int = 4096) -> M:
        import anthropic

        tool = {
            "name": "record",
            "description": f"Record the {schema.__name__}.",
            "input_schema": schema.model_json_schema(),
        }
        try:
            msg = self._client.messages.create(
                model=self.model,
                max_tokens=max_tokens,
                system=system,
                messages=[{"role": "user", "content": prompt}],
                tools=[tool],
                tool_choice={"type": "tool", "name": "record"},
            )  # type: ignore[list-item]
        except anthropic.APIError as exc:
            raise LLMError(
                f"Claude request failed: {exc}",
                "Check ANTHROPIC_API_KEY and network access, or unset the key to run offline.",
            ) from exc
        for block in msg.content:
            if getattr(block, "type", None) == "tool_use":
                try:
                    return schema.model_validate(block.input)  # type: ignore[attr-defined]
                except ValidationError as exc:
                    raise LLMError(
                        f"Claude's answer did not match {schema.__name__}: {exc}",
                        "Retry; if it persists, report the prompt version.",
                    ) from exc
        raise LLMError("Claude returned no structured answer.", "Retry the request.")


def build_llm(settings: Settings) -> LLM | None:
    if settings.anthropic_api_key is None:
        return None
    return AnthropicLLM(
        settings.anthropic_api_key.get_secret_value(),
        settings.llm.model,
        base_url=settings.anthropic_base_url,
        max_retries=settings.llm.max_retries,
        timeout_s=settings.llm.timeout_s,
    )
