"""Claude adjudicates the candidate pairs most worth a question, under a per-run budget.

Two queues share the budget (`investigators.llm_selection`): the judge's least certain
readings (inside the band, nearest its threshold), and the pairs the judge read as unrelated
that the retriever rates most likely to be real relations — what the offline judge misses.
Each batch of a run offers its questions; the run's best are asked once, when the run ends
(`finish`), in one request: a Message Batch at half price when there are enough. Answers
cached from earlier runs are used at once, for every pair of the batch. The judge's own
finding stays as it is: Claude's graded label becomes a finding of its own (investigator
`llm-adjudicator`, kept beside the judge's), whose rationale says why Claude was asked. A
cost estimate is announced before the request is sent. A run stopped before its end, or
whose request fails, asks nothing and leaves its claims unchecked: the next `investigate`
judges them again and asks then (cached answers cost nothing). Questions left unanswered (a
failed request among several, a Message Batch cancelled at its time limit) leave their
claims unchecked in the same way, up to three times for a question that fails while others
are answered (see MAX_ATTEMPTS).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Protocol

from consilience.llm import LLM, AnswerCache
from investigators.base import CandidatePair, Conclusion, FindingKind, Verdict
from investigators.llm_cache import count_misses, missed
from investigators.llm_selection import (
    Question,
    QuestionPool,
    askable,
    likely_missed,
    reader,
    split_room,
    uncertain,
)
from investigators.nli.judge import Judge, Side, definition_notes
from investigators.prompts import adjudicate as prompt
from kg.ids import sha256_text

# The estimate: characters / 4 for the system prompt, the question and the tool's schema, plus
# what the API adds for a forced tool call; an answer of _OUT_TOKENS typically, MAX_TOKENS at
# most (red-teamed: "at most" assumed the typical answer, and left the tool out).
_OUT_TOKENS = 350
MAX_TOKENS = 1024
_TOOL_OVERHEAD_TOKENS = 313  # Anthropic's tool-use system prompt with tool_choice "tool"
_TOOL_TOKENS = len(json.dumps(prompt.Adjudication.model_json_schema())) / 4
REASON = "asked_because"  # stored beside the answer in the cache
ANSWERED_BY = "answered_by"  # the model that gave the answer (the one asked for, if unknown)


# A question Claude gave no usable answer to, while it answered others of the same request, is
# cached as {"unanswered": attempts} under the answer's own key (a later answer replaces it);
# after MAX_ATTEMPTS it is not asked again until the prompt or model changes, so a question
# that always fails (a malformed answer, an invalid request) is not paid for on every run.
UNANSWERED = "unanswered"
MAX_ATTEMPTS = 3


_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def _folded(text: str) -> str:
    return " ".join(text.translate(_FOLD).casefold().split()).strip(" .\"'")


def _in_claim(quote: str, claim: str) -> bool:
    """Whether the claim holds Claude's quote of it (case, spaces, curly quotes and an
    ellipsis at either end aside)."""
    parts = [_folded(p) for p in re.split(r"…|\.\.\.", quote)]
    parts = [p for p in parts if p]
    text, at = _folded(claim), 0
    for part in parts:  # each piece of a quote shortened with ellipses, in order
        at = text.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return bool(parts)


def _quoted(side: str, quote: str, claim: str, title: str) -> str:
    """Claude's quote of one side, as a quote where the claim holds those words; else shown as
    Claude's words, never as the source's (red-teamed: a made-up sentence was shown as a quote
    from the paper)."""
    if _in_claim(quote, claim):
        return f"{side}: “{quote}” — {title}."
    return f"{side}: Claude's words, not found in the claim: “{quote}” (claim of {title})."


# An answer whose quote of one side is not in that claim: its score at most this (a tension),
# and it says so first. One that quotes neither claim is not filed (red-teamed: a document's
# prompt injection had every pair it was in filed as an explicit contradiction at 0.95, with
# words found in neither claim; the report's rationale cut off the sign).
UNQUOTED_CAP = 0.5


def _attempts(response: str) -> int:
    """How many times the question went unanswered (0: the response is an answer)."""
    return missed(response, UNANSWERED)


def _cached_answer(response: str) -> tuple[prompt.Adjudication, str, str | None]:
    """A cached answer, the note its finding carries (why it was first asked) and the model
    that gave it (None in an answer cached before that was kept)."""
    raw = json.loads(response)
    why = raw.pop(REASON, None)
    model = raw.pop(ANSWERED_BY, None)
    note = f"Asked because {why} (answered in an earlier run)." if why else "Answered earlier."
    return prompt.Adjudication.model_validate(raw), note, model if isinstance(model, str) else None


class JudgementCache(AnswerCache, Protocol):
    """The answer cache the investigators keep Claude's answers in."""


class LLMAdjudicator:
    """Offers each batch's question-worthy pairs to the run's two queues and asks the best
    `budget` of them when the run ends (see the module docstring)."""

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
        ranker: bool = True,
        usd_per_mtok: tuple[float, float] = (3.0, 15.0),
        announce: Callable[[str], None] | None = None,
    ) -> None:
        self.llm = llm
        self.cache = cache
        self.judge = judge
        self.budget = max(0, budget)
        self.band = band
        self.find_share = find_share
        self.ranker = ranker
        self.price = usd_per_mtok
        self.announce = announce
        self.model = llm.model
        self.asked = 0
        self.unquoted = 0  # answers of this run that quoted neither claim (not filed)
        self._check = QuestionPool(self.budget)
        self._find = QuestionPool(self.budget)
        self._read = reader(judge)

    def estimate(self, questions: list[Question], prompts: list[str]) -> str:
        per_call = _TOOL_OVERHEAD_TOKENS + _TOOL_TOKENS
        tin = sum((len(prompt.SYSTEM) + len(p)) / 4 + per_call for p in prompts)
        tout = _OUT_TOKENS * len(prompts)
        # at most: two characters a token (CJK text, numbers and code run denser than four)
        tin_most = sum((len(prompt.SYSTEM) + len(p)) / 2 + per_call for p in prompts)
        most = tin_most / 1e6 * self.price[0] + MAX_TOKENS * len(prompts) / 1e6 * self.price[1]
        usd = tin / 1e6 * self.price[0] + tout / 1e6 * self.price[1]
        finds = sum(1 for q in questions if q.queue == "find")
        threshold = getattr(self.llm, "batch_threshold", None)
        batched = isinstance(threshold, int) and len(prompts) >= threshold
        return (
            f"Claude ({self.model}) will adjudicate {len(prompts)} pair(s) of this run "
            f"(budget {self.budget}): {len(prompts) - finds} the judge is least sure of (score "
            f"band {self.band[0]:.2f}-{self.band[1]:.2f}) and {finds} it read as unrelated that "
            f"the retriever rates likely related; about {tin:,.0f} input and {tout:,.0f} output "
            f"tokens, about ${usd:.2f} and at most ${most:.2f} if every answer is "
            f"{MAX_TOKENS:,} tokens long"
            + (" (half that: they go as one Message Batch)" if batched else "")
            + " (prices: CONSILIENCE_LLM__USD_PER_MTOK_IN and _OUT). The retrieval channel's "
            "queries and the missing-dimension proposals are asked separately, under the same "
            "run cap."
        )

    def _key(self, p: CandidatePair) -> str:
        a, b = sorted((p.a.id, p.b.id))
        return "llm_" + sha256_text(f"{prompt.VERSION}:{self.model}:{a}:{b}")[:24]

    def investigate(self, pairs: list[CandidatePair]) -> list[Verdict]:
        """Findings from answers cached earlier, for any pair of this batch; the batch's
        open questions go to the run's queues (asked by `finish`)."""
        pairs = askable(pairs)
        if not pairs:
            return []
        keys = {id(p): self._key(p) for p in pairs}
        stored = self.cache.get_many(list(dict.fromkeys(keys.values())))
        tries = {k: _attempts(r) for k, r in stored.items()}
        cached = {k: r for k, r in stored.items() if not tries[k]}
        open_pairs = [p for p in pairs if tries.get(keys[id(p)], 0) < MAX_ATTEMPTS]
        open_pairs = [p for p in open_pairs if keys[id(p)] not in cached]
        if open_pairs and self.find_share < 1:
            readings = self._read(open_pairs)
            threshold = self.judge.params.threshold_contradiction
            self._check.offer(uncertain(open_pairs, readings, self.band, threshold))
        if open_pairs and self.find_share > 0:
            self._find.offer(
                likely_missed(open_pairs, self._read, self.band, self.budget, ranker=self.ranker)
            )
        out: list[Verdict] = []
        for p in pairs:
            if keys[id(p)] in cached:
                verdict = self._verdict(p, *_cached_answer(cached[keys[id(p)]]))
                if verdict:
                    out.append(verdict)
        return out

    def choose(self) -> list[Question]:
        """The run's questions: the best of each queue, `find_share` of the room for the
        find queue (what one queue cannot use goes to the other)."""
        check, find = self._check.best(), self._find.best()
        n_check, n_find = split_room(self.budget, self.find_share, len(check), len(find))
        return check[:n_check] + find[:n_find]

    def finish(self) -> Conclusion:
        """Ask the run's chosen questions in one request. The pools are emptied either way
        (the next run starts afresh); the claims of unanswered questions stay unchecked."""
        out = self._ask()
        if self.unquoted:
            out.warnings.append(
                f"{self.unquoted} of Claude's answers quoted words found in neither claim: not "
                "filed (a misreading, or a document's text steering the answer: check the "
                "documents of those claims for instructions to the model)."
            )
            self.unquoted = 0
        return out

    def _ask(self) -> Conclusion:
        todo = self.choose()
        self._check, self._find = QuestionPool(self.budget), QuestionPool(self.budget)
        self.asked = 0
        if not todo:
            return Conclusion()
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
        if self.announce:
            self.announce(self.estimate(todo, prompts))

        def row(q: Question, a: prompt.Adjudication, model: str) -> dict[str, str]:
            # the reason and the model travel with the answer, for findings re-made
            return {
                "id": self._key(q.pair),
                "response": json.dumps({**a.model_dump(), REASON: q.reason, ANSWERED_BY: model}),
                "model": model,
                "prompt_version": prompt.VERSION,
            }

        kept: set[int] = set()  # answers cached as they came (asked one by one)

        def keep(i: int, a: prompt.Adjudication) -> None:
            """Each answer cached as it comes: one paid for before a Ctrl-C is not asked again
            (red-teamed: all were lost and asked, and paid for, again)."""
            self.cache.put_many([row(todo[i], a, self.llm.answered_by.get(i, self.model))])
            kept.add(i)

        answers = self.llm.structured_many(
            prompt.SYSTEM,
            prompts,
            prompt.Adjudication,
            max_tokens=MAX_TOKENS,
            on_wait=self.announce,
            on_answer=keep,
        )
        self.asked = len(todo)
        by = {id(todo[i]): m for i, m in self.llm.answered_by.items() if i < len(todo)}
        answered = [
            (q, a, by.get(id(q), self.model))
            for q, a in zip(todo, answers, strict=True)
            if a is not None
        ]
        done = {id(todo[i]) for i in kept}
        if rows := [row(q, a, model) for q, a, model in answered if id(q) not in done]:
            self.cache.put_many(rows)
        out = [
            v
            for q, a, model in answered
            if (v := self._verdict(q.pair, a, f"Asked because {q.reason}.", model))
        ]
        unanswered = [q for q, a in zip(todo, answers, strict=True) if a is None]
        if not unanswered:
            return Conclusion(verdicts=out)
        again, meanwhile = unanswered, 0
        unread = {id(todo[i]) for i in self.llm.unread if i < len(todo)}
        misses = [q for q in unanswered if id(q) not in unread]
        if misses:  # a question Claude read and gave no usable answer to (a refusal, one cut
            # off, one not in the form asked) counts an attempt, also when no answer of the
            # request was usable (red-teamed: then the same questions were paid for on every
            # run, forever); one Claude never read (its request failed, was not sent, or the
            # batch ended without it: `unread`) is the service's miss, not the question's
            keys = list(dict.fromkeys(self._key(q.pair) for q in misses))
            tries = count_misses(self.cache, keys, UNANSWERED, self.model, prompt.VERSION)
            again = [q for q in unanswered if tries.get(self._key(q.pair), 0) < MAX_ATTEMPTS]
            # answered by another job since: left unsettled, and read from the cache next run
            meanwhile = sum(self._key(q.pair) not in tries for q in misses)
        warnings = [
            f"Claude gave no usable answer to {len(unanswered)} of {len(todo)} question(s) "
            "(request errors, malformed answers, or a Message Batch cancelled at its time "
            f"limit); asked again by the next `consilience investigate`: {len(again) - meanwhile}"
            " (their claims stay unchecked)"
            + (
                f"; {meanwhile} answered meanwhile by another job (read from the cache then)"
                if meanwhile
                else ""
            )
            + (
                f"; {len(unanswered) - len(again)} went unanswered {MAX_ATTEMPTS} times and are "
                "not asked again"
                if len(again) < len(unanswered)
                else ""
            )
            + "."
        ]
        unsettled = {c for q in again for c in (q.pair.a.id, q.pair.b.id)}
        return Conclusion(verdicts=out, warnings=warnings, unsettled=unsettled)

    def _verdict(
        self, p: CandidatePair, a: prompt.Adjudication, note: str, model: str | None = None
    ) -> Verdict | None:
        """The finding an answer makes, recording the model that gave it (`model`; the one
        asked for where unknown)."""
        dependent = p.independence is not None and not p.independence.independent
        if a.label in prompt.CONTRADICTION_SCORE:
            kind, score = FindingKind.CONTRADICTS, prompt.CONTRADICTION_SCORE[a.label]
        elif a.label in prompt.AGREEMENT_SCORE:
            # as the offline judge files it: agreeing with a definition is no corroboration
            defines = definition_notes(Side(p.a.text), Side(p.b.text))
            kind = FindingKind.RESTATES if dependent or defines else FindingKind.CONVERGES_WITH
            score = prompt.AGREEMENT_SCORE[a.label]
            note = " ".join([note, *(f"{d}." for d in defines)]).strip()
        else:
            return None
        found = [_in_claim(a.quote_a, p.a.text), _in_claim(a.quote_b, p.b.text)]
        if not all(found) and _in_claim(a.quote_a, p.b.text) and _in_claim(a.quote_b, p.a.text):
            # each quote from the other claim: the sides swapped, the words Claude's to trust
            a = a.model_copy(update={"quote_a": a.quote_b, "quote_b": a.quote_a})
            found = [True, True]
        if not any(found):
            self.unquoted += 1
            return None
        cues, warn = [a.label], ""
        if not all(found):
            score = min(score, UNQUOTED_CAP)
            cues.append("unverified-quote")
            side = "A" if not found[0] else "B"
            warn = f"Unverified: Claude's quote of {side} is not in that claim. "
        return Verdict(
            kind=kind,
            a_id=p.a.id,
            b_id=p.b.id,
            score=score,
            rationale=(
                f"{warn}{a.label}: {a.rationale} "
                f"{_quoted('A', a.quote_a, p.a.text, p.a.source_title)} "
                f"{_quoted('B', a.quote_b, p.b.text, p.b.source_title)} "
                f"Reasoning: {a.reasoning} {note}"
            ),
            cues=cues,
            investigator=self.name,
            version=self.version,
            model=model or self.model,
            independent=p.independence.independent if p.independence else None,
            independence_reason=p.independence.reason if p.independence else None,
        )
