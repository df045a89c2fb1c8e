"""Claude adjudicates the candidate pairs most worth a question, under a per-run budget.

Two queues share the budget (`investigators.llm_selection`): the judge's least certain
readings (inside the band, nearest its threshold), and the pairs the judge read as unrelated
that the retriever ranks most likely to be real relations — what the offline judge misses.
The judge's own finding stays as it is: Claude's graded label becomes a finding of its own
(investigator `llm-adjudicator`, kept beside the judge's), whose rationale says why Claude was
asked. Answers are cached in the graph, so nothing is asked twice; a cost estimate is
announced before any request is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from consilience.llm import LLM
from investigators.base import CandidatePair, FindingKind, Verdict
from investigators.llm_selection import (
    Question,
    allowance,
    askable,
    likely_missed,
    split_room,
    uncertain,
)
from investigators.nli.judge import Judge, Judgement
from investigators.nli_judge import side_of
from investigators.prompts import adjudicate as prompt
from kg.ids import sha256_text

# Rough token counts for the estimate: characters / 4, plus the answer's length.
_OUT_TOKENS = 350


class JudgementCache(Protocol):
    def get_many(self, ids: list[str]) -> dict[str, str]: ...

    def put_many(self, rows: list[dict[str, str]]) -> None: ...


class LLMAdjudicator:
    """Asks Claude about the run's most question-worthy pairs (see the module docstring), at
    most `budget` new questions per run, spread over the run's batches."""

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
        find_share: float = 0.5,
        usd_per_mtok: tuple[float, float] = (3.0, 15.0),
        announce: Callable[[str], None] | None = None,
    ) -> None:
        self.llm = llm
        self.cache = cache
        self.judge = judge
        self.budget = budget
        self.band = band
        self.find_share = find_share
        self.price = usd_per_mtok
        self.announce = announce
        self.model = llm.model
        self.asked = 0
        self._allowed = budget  # questions the run may have asked by the end of this batch

    def begin_batch(self, claims_done: int, claims_total: int) -> None:
        """Spread the budget over the run's batches (investigators.base.RunShared)."""
        self._allowed = allowance(self.budget, claims_done, claims_total)

    def estimate(self, questions: list[Question], prompts: list[str]) -> str:
        tin = sum(len(prompt.SYSTEM) + len(p) for p in prompts) / 4
        tout = _OUT_TOKENS * len(prompts)
        usd = tin / 1e6 * self.price[0] + tout / 1e6 * self.price[1]
        finds = sum(1 for q in questions if q.queue == "find")
        return (
            f"Claude ({self.model}) will adjudicate {len(prompts)} pair(s): "
            f"{len(prompts) - finds} the judge is least sure of (score band "
            f"{self.band[0]:.2f}-{self.band[1]:.2f}) and {finds} it read as unrelated that the "
            f"retriever ranks likely related ({self.budget - self.asked} of {self.budget} left "
            f"this run): about {tin:,.0f} input and {tout:,.0f} output tokens, roughly "
            f"${usd:.2f}."
        )

    def _key(self, p: CandidatePair) -> str:
        a, b = sorted((p.a.id, p.b.id))
        return "llm_" + sha256_text(f"{prompt.VERSION}:{self.model}:{a}:{b}")[:24]

    def _judged(self, pairs: list[CandidatePair]) -> list[Judgement]:
        return self.judge.judge([(side_of(p.a), side_of(p.b)) for p in pairs])

    def choose(
        self, pairs: list[CandidatePair]
    ) -> tuple[list[tuple[Question, str]], list[Question]]:
        """(answered before, with the cached answer; to ask now): every cached answer among
        the two queues' heads is used again for free; new questions fill what the run's
        allowance leaves, shared between the queues by `find_share`. Only `askable` pairs
        count (both claims with some content of their own)."""
        pairs = askable(pairs)
        if not pairs:
            return [], []
        check = uncertain(
            pairs, self._judged(pairs), self.band, self.judge.params.threshold_contradiction
        )
        find = likely_missed(pairs, self._judged, self.band, self.budget)
        cached = self.cache.get_many([self._key(q.pair) for q in check + find])
        reused = [(q, cached[k]) for q in check + find if (k := self._key(q.pair)) in cached]
        open_check = [q for q in check if self._key(q.pair) not in cached]
        open_find = [q for q in find if self._key(q.pair) not in cached]
        n_check, n_find = split_room(
            self._allowed - self.asked, self.find_share, len(open_check), len(open_find)
        )
        return reused, open_check[:n_check] + open_find[:n_find]

    def investigate(self, pairs: list[CandidatePair]) -> list[Verdict]:
        reused, todo = self.choose(pairs)
        prompts = [
            prompt.render(
                q.pair.a.text,
                q.pair.a.source_title,
                q.pair.a.speaker,
                q.pair.b.text,
                q.pair.b.source_title,
                q.pair.b.speaker,
            )
            for q in todo
        ]
        if todo and self.announce:
            self.announce(self.estimate(todo, prompts))
        answers = self.llm.structured_many(
            prompt.SYSTEM,
            prompts,
            prompt.Adjudication,
            max_tokens=1024,
        )
        self.asked += len(todo)
        fresh = [
            {
                "id": self._key(q.pair),
                "response": a.model_dump_json(),
                "model": self.model,
                "prompt_version": prompt.VERSION,
            }
            for q, a in zip(todo, answers, strict=True)
            if a is not None
        ]
        if fresh:
            self.cache.put_many(fresh)
        by_key = {f["id"]: f["response"] for f in fresh}
        answered = reused + [(q, by_key[k]) for q in todo if (k := self._key(q.pair)) in by_key]
        out: list[Verdict] = []
        for q, response in answered:
            verdict = self._verdict(
                q.pair, prompt.Adjudication.model_validate_json(response), q.reason
            )
            if verdict:
                out.append(verdict)
        return out

    def _verdict(self, p: CandidatePair, a: prompt.Adjudication, why: str) -> Verdict | None:
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
                f"B: “{a.quote_b}” — {p.b.source_title}. Reasoning: {a.reasoning} "
                f"(Asked because {why}.)"
            ),
            cues=[a.label],
            investigator=self.name,
            version=self.version,
            model=self.model,
            independent=p.independence.independent if p.independence else None,
            independence_reason=p.independence.reason if p.independence else None,
        )
