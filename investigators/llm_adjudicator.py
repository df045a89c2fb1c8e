"""Claude adjudicates the top candidate pairs; answers are cached so nothing is asked twice."""

from __future__ import annotations

from typing import Protocol

from consilience.llm import LLM
from investigators.base import CandidatePair, FindingKind, Verdict
from investigators.contradiction import cue_score
from investigators.prompts import adjudicate as prompt
from kg.ids import sha256_text


class JudgementCache(Protocol):
    def get_many(self, ids: list[str]) -> dict[str, str]: ...

    def put_many(self, rows: list[dict[str, str]]) -> None: ...


class LLMAdjudicator:
    """Asks Claude about the `max_pairs` most suspicious or most similar pairs per batch."""

    name = "llm-adjudicator"
    version = prompt.VERSION

    def __init__(self, llm: LLM, cache: JudgementCache, *, max_pairs: int = 25) -> None:
        self.llm = llm
        self.cache = cache
        self.max_pairs = max_pairs
        self.model = llm.model
        self.asked = 0

    def _key(self, p: CandidatePair) -> str:
        a, b = sorted((p.a.id, p.b.id))
        return "llm_" + sha256_text(f"{prompt.VERSION}:{self.model}:{a}:{b}")[:24]

    def investigate(self, pairs: list[CandidatePair]) -> list[Verdict]:
        ranked = sorted(
            pairs,
            key=lambda p: max(cue_score(p.a, p.b, p.similarity)[0], p.similarity - 0.3),
            reverse=True,
        )
        chosen = ranked[: self.max_pairs]
        keys = [self._key(p) for p in chosen]
        cached = self.cache.get_many(keys)
        todo = [(p, key) for p, key in zip(chosen, keys, strict=True) if key not in cached]
        answers = self.llm.structured_many(
            prompt.SYSTEM,
            [
                prompt.render(
                    p.a.text, p.a.source_title, p.a.speaker, p.b.text, p.b.source_title, p.b.speaker
                )
                for p, _ in todo
            ],
            prompt.Adjudication,
            max_tokens=1024,
        )
        self.asked += len(todo)
        fresh = [
            {
                "id": key,
                "response": a.model_dump_json(),
                "model": self.model,
                "prompt_version": prompt.VERSION,
            }
            for (_, key), a in zip(todo, answers, strict=True)
            if a is not None
        ]
        if fresh:
            self.cache.put_many(fresh)
        by_key = {**cached, **{f["id"]: f["response"] for f in fresh}}
        out: list[Verdict] = []
        for p, key in zip(chosen, keys, strict=True):
            if key in by_key:
                verdict = self._verdict(p, prompt.Adjudication.model_validate_json(by_key[key]))
                if verdict:
                    out.append(verdict)
        return out

    def _verdict(self, p: CandidatePair, a: prompt.Adjudication) -> Verdict | None:
        dependent = p.independence is not None and not p.independence.independent
        if a.label in prompt.CONTRADICTION_SCORE:
            kind, score = FindingKind.CONTRADICTS, prompt.CONTRADICTION_SCORE[a.label]
        elif a.label in prompt.AGREEMENT_SCORE:
            kind = FindingKind.RESTATES if dependent else FindingKind.CONVERGES_WITH
            score = prompt.AGREEMENT_SCORE[a.label]
        else:
            return None
        return Verdict(
            kind=kind,
            a_id=p.a.id,
            b_id=p.b.id,
            score=score,
            rationale=(
                f"{a.label}: {a.rationale} A: “{a.quote_a}” — {p.a.source_title}. "
                f"B: “{a.quote_b}” — {p.b.source_title}. Reasoning: {a.reasoning}"
            ),
            cues=[a.label],
            investigator=self.name,
            version=self.version,
            model=self.model,
            independent=p.independence.independent if p.independence else None,
            independence_reason=p.independence.reason if p.independence else None,
        )
