"""LLM-written queries: what would contradict or support a claim (cached in the graph)."""

from __future__ import annotations

from collections.abc import Callable

from consilience.llm import LLM
from investigators.llm_adjudicator import JudgementCache
from investigators.prompts import counter_queries as prompt
from kg.ids import sha256_text


class LLMQueryWriter:
    """At most `max_claims` claims per call are sent; answers are cached by claim text."""

    def __init__(
        self,
        llm: LLM,
        cache: JudgementCache,
        *,
        max_claims: int = 100,
        announce: Callable[[str], None] | None = None,
    ) -> None:
        self.llm = llm
        self.cache = cache
        self.max_claims = max_claims
        self.announce = announce  # hears what a Message Batch is waiting for

    def _key(self, text: str) -> str:
        return "llmq_" + sha256_text(f"{prompt.VERSION}:{self.llm.model}:{text}")[:24]

    def __call__(self, claims: list[tuple[str, str]]) -> dict[str, list[str]]:
        chosen = claims[: self.max_claims]
        keys = [self._key(t) for _, t in chosen]
        cached = self.cache.get_many(keys)
        todo = [(cid, t, k) for (cid, t), k in zip(chosen, keys, strict=True) if k not in cached]
        answers = self.llm.structured_many(
            prompt.SYSTEM,
            [prompt.render(t) for _, t, _ in todo],
            prompt.Queries,
            max_tokens=600,
            on_wait=self.announce,
        )
        fresh = [
            {
                "id": k,
                "response": a.model_dump_json(),
                "model": self.llm.model,
                "prompt_version": prompt.VERSION,
            }
            for (_, _, k), a in zip(todo, answers, strict=True)
            if a is not None
        ]
        if fresh:
            self.cache.put_many(fresh)
        by_key = {**cached, **{f["id"]: f["response"] for f in fresh}}
        out: dict[str, list[str]] = {}
        for (cid, _), k in zip(chosen, keys, strict=True):
            if k in by_key:
                q = prompt.Queries.model_validate_json(by_key[k])
                out[cid] = [x for x in q.contradicting + q.supporting if x.strip()][:4]
        return out
