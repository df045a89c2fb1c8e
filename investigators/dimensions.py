"""Missing-dimension proposals for safety-critical claims (needs the LLM; cached)."""

from __future__ import annotations

from collections.abc import Callable

from consilience.llm import LLM
from investigators.base import ClaimView
from investigators.llm_adjudicator import JudgementCache
from investigators.llm_cache import AnswerKeeper
from investigators.prompts import dimensions as prompt
from kg.criticality import is_safety_critical as kg_is_safety_critical
from kg.ids import sha256_text


def is_safety_critical(c: ClaimView) -> bool:
    """Findings, predictions and recommendations about safety-relevant behaviour."""
    return kg_is_safety_critical(c.kind, c.text, c.speaker)


class DimensionProposer:
    name = "missing-dimensions"
    version = prompt.VERSION

    def __init__(
        self,
        llm: LLM,
        cache: JudgementCache,
        *,
        max_claims: int = 20,
        announce: Callable[[str], None] | None = None,
    ) -> None:
        self.llm = llm
        self.cache = cache
        self.max_claims = max_claims
        self.announce = announce  # hears what a Message Batch is waiting for

    def _key(self, c: ClaimView) -> str:
        return "dim_" + sha256_text(f"{prompt.VERSION}:{self.llm.model}:{c.id}")[:24]

    def propose(
        self,
        claims: list[ClaimView],
        support: dict[str, list[str]],
        opposition: dict[str, list[str]],
        *,
        limit: int | None = None,
    ) -> dict[str, prompt.Dimensions]:
        """{claim id: proposals} for up to `limit` (default max_claims) safety-critical
        claims, asked in one request."""
        chosen = [c for c in claims if is_safety_critical(c)][: limit or self.max_claims]
        keys = [self._key(c) for c in chosen]
        cached = self.cache.get_many(keys)
        todo = [(c, k) for c, k in zip(chosen, keys, strict=True) if k not in cached]
        keep = AnswerKeeper(self.cache, [k for _, k in todo], self.llm.model, prompt.VERSION)
        answers = self.llm.structured_many(
            prompt.SYSTEM,
            [
                prompt.render(
                    c.text, c.source_title, support.get(c.id, []), opposition.get(c.id, [])
                )
                for c, _ in todo
            ],
            prompt.Dimensions,
            max_tokens=1500,
            on_wait=self.announce,
            on_answer=keep,
        )
        by_key = {**cached, **keep.finish(answers)}
        return {
            c.id: prompt.Dimensions.model_validate_json(by_key[k])
            for c, k in zip(chosen, keys, strict=True)
            if k in by_key
        }
