"""Claude adjudicates the pairs the judge is least sure about, under a per-run budget.

The judge's own finding stays as it is: Claude's graded label becomes a finding of its own
(investigator `llm-adjudicator`, kept beside the judge's). Answers are cached in the graph,
so nothing is asked twice; a cost estimate is announced before any request is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from consilience.llm import LLM
from investigators.base import CandidatePair, FindingKind, Verdict
from investigators.nli.judge import Judge
from investigators.nli_judge import side_of
from investigators.prompts import adjudicate as prompt
from kg.ids import sha256_text

# Rough token counts for the estimate: characters / 4, plus the answer's length.
_OUT_TOKENS = 350


class JudgementCache(Protocol):
    def get_many(self, ids: list[str]) -> dict[str, str]: ...

    def put_many(self, rows: list[dict[str, str]]) -> None: ...


class LLMAdjudicator:
    """Asks Claude about the pairs whose judge score is nearest the decision threshold
    (inside the band), at most `budget` new questions per run."""

    name = "llm-adjudicator"
    version = prompt.VERSION

    def __init__(
        self,
        llm: LLM,
        cache: JudgementCache,
        *,
        judge: Judge,
        budget: int = 200,
        band: tuple[float, float] = (0.2, 0.8),
        usd_per_mtok: tuple[float, float] = (3.0, 15.0),
        announce: Callable[[str], None] | None = None,
    ) -> None:
        self.llm = llm
        self.cache = cache
        self.judge = judge
        self.budget = budget
        self.band = band
        self.price = usd_per_mtok
        self.announce = announce
        self.model = llm.model
        self.asked = 0

    def estimate(self, prompts: list[str]) -> str:
        tin = sum(len(prompt.SYSTEM) + len(p) for p in prompts) / 4
        tout = _OUT_TOKENS * len(prompts)
        usd = tin / 1e6 * self.price[0] + tout / 1e6 * self.price[1]
        return (
            f"Claude ({self.model}) will adjudicate {len(prompts)} pair(s) the judge is least "
            f"sure of (score band {self.band[0]:.2f}-{self.band[1]:.2f}; {self.budget - self.asked}"
            f" of {self.budget} left this run): about {tin:,.0f} input and {tout:,.0f} output "
            f"tokens, roughly ${usd:.2f}."
        )

    def _key(self, p: CandidatePair) -> str:
        a, b = sorted((p.a.id, p.b.id))
        return "llm_" + sha256_text(f"{prompt.VERSION}:{self.model}:{a}:{b}")[:24]

    def _uncertain(self, pairs: list[CandidatePair]) -> list[CandidatePair]:
        """Pairs inside the band, nearest the contradiction threshold first."""
        if not pairs:
            return []
        js = self.judge.judge([(side_of(p.a), side_of(p.b)) for p in pairs])
        t = self.judge.params.threshold_contradiction
        lo, hi = self.band
        ranked = [
            (abs(j.contradiction_score - t), p)
            for p, j in zip(pairs, js, strict=True)
            if lo <= max(j.contradiction_score, j.convergence_score) <= hi
        ]
        ranked.sort(key=lambda x: x[0])
        return [p for _, p in ranked]

    def investigate(self, pairs: list[CandidatePair]) -> list[Verdict]:
        ranked = self._uncertain(pairs)
        keys_all = [self._key(p) for p in ranked]
        cached = self.cache.get_many(keys_all)
        room = max(0, self.budget - self.asked)
        todo = [(p, k) for p, k in zip(ranked, keys_all, strict=True) if k not in cached][:room]
        chosen = [p for p, k in zip(ranked, keys_all, strict=True) if k in cached] + [
            p for p, _ in todo
        ]
        keys = [self._key(p) for p in chosen]
        prompts = [
            prompt.render(
                p.a.text, p.a.source_title, p.a.speaker, p.b.text, p.b.source_title, p.b.speaker
            )
            for p, _ in todo
        ]
        if todo and self.announce:
            self.announce(self.estimate(prompts))
        answers = self.llm.structured_many(
            prompt.SYSTEM,
            prompts,
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
