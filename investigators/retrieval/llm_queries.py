"""LLM-written queries: what would contradict or support a claim (cached in the graph)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from consilience.errors import LLMError
from consilience.llm import LLM
from investigators.llm_adjudicator import JudgementCache
from investigators.llm_cache import AnswerKeeper, count_misses, missed
from investigators.prompts import counter_queries as prompt
from kg.ids import sha256_text

# Runs in which Claude never read a claim's queries (a failed request, one past the cap) are
# counted in the cache under the queries' own key (an answer replaces the count): the claim
# stays unchecked for the next run, and after MAX_UNREAD_RUNS it is let go, checked by the
# other channels alone (red-teamed: with a key out of credit or a cap of 0 its pairs were
# judged again on every run, for ever). A later run that retrieves it again asks again.
UNREAD_RUNS = "unread_runs"
MAX_UNREAD_RUNS = 3


def _unread_runs(response: str) -> int:
    """The runs a cached entry counts unread (0: it is an answer)."""
    return missed(response, UNREAD_RUNS)


def _answers(stored: dict[str, str]) -> dict[str, str]:
    return {k: r for k, r in stored.items() if not _unread_runs(r)}


@dataclass
class Prefetched:
    """What a run's request for its queries left: the claims whose queries Claude never read,
    to leave unchecked for the next run; those let go (unread in MAX_UNREAD_RUNS runs now:
    checked by the other channels alone); and why the request failed, where it did."""

    unread: set[str] = field(default_factory=set)
    let_go: set[str] = field(default_factory=set)
    failed: str | None = None


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
        self._asked: set[str] = set()  # keys this run's prefetch asked about

    def _key(self, text: str) -> str:
        return "llmq_" + sha256_text(f"{prompt.VERSION}:{self.llm.model}:{text}")[:24]

    def prefetch(self, batches: list[list[tuple[str, str]]]) -> Prefetched:
        """Ask, in one request, about the claims each batch's call will choose: a run's
        batches then find their queries cached instead of each waiting on its own request
        (a Message Batch can take minutes). What this request leaves unanswered (or all of
        it, if it fails) is not asked again by the batches of the run: each would wait on a
        request of its own, the waits this saves. A request that fails leaves unread what
        was not answered before it failed (review: a batch refused, or a Message Batch never
        ended, raised past the count, and such claims were never let go)."""
        chosen = [c for batch in batches for c in batch[: self.max_claims]]
        self._asked = {self._key(t) for _, t in chosen}
        failed = None
        try:
            not_read = self._ask(chosen)[1]
        except LLMError as exc:
            failed = exc.message
            not_read = self._asked - set(_answers(self.cache.get_many(sorted(self._asked))))
        runs = self._count_unread(sorted(not_read))
        unread = {(cid, self._key(t)) for cid, t in chosen if self._key(t) in runs}
        return Prefetched(
            unread={cid for cid, k in unread if runs[k] < MAX_UNREAD_RUNS},
            let_go={cid for cid, k in unread if runs[k] >= MAX_UNREAD_RUNS},
            failed=failed,
        )

    def _count_unread(self, keys: list[str]) -> dict[str, int]:
        """One more run unread for each key; the runs each has been unread now. A key
        answered meanwhile (another run, or a job of a server) is left as it is, and out."""
        return count_misses(self.cache, keys, UNREAD_RUNS, self.llm.model, prompt.VERSION)

    def __call__(self, claims: list[tuple[str, str]]) -> dict[str, list[str]]:
        chosen = [(cid, text, self._key(text)) for cid, text in claims[: self.max_claims]]
        by_key = self._ask([(cid, t) for cid, t, k in chosen if k not in self._asked])[0]
        by_key |= _answers(self.cache.get_many([k for _, _, k in chosen if k in self._asked]))
        out: dict[str, list[str]] = {}
        for cid, _, k in chosen:
            if k in by_key:
                q = prompt.Queries.model_validate_json(by_key[k])
                out[cid] = [x for x in q.contradicting + q.supporting if x.strip()][:4]
        return out

    def _ask(self, chosen: list[tuple[str, str]]) -> tuple[dict[str, str], set[str]]:
        """{cache key: answer} for these claims: cached ones, the others asked together; and
        the keys of those Claude never read (their request failed or was not sent)."""
        keys = list(dict.fromkeys(self._key(t) for _, t in chosen))
        cached = _answers(self.cache.get_many(keys))
        todo = {self._key(t): t for _, t in chosen if self._key(t) not in cached}
        keys = list(todo)
        keep = AnswerKeeper(self.cache, keys, self.llm.model, prompt.VERSION)
        answers = self.llm.structured_many(
            prompt.SYSTEM,
            [prompt.render(t) for t in todo.values()],
            prompt.Queries,
            max_tokens=600,
            on_wait=self.announce,
            on_answer=keep,
        )
        not_read = {keys[i] for i in self.llm.unread if i < len(keys)}
        return {**cached, **keep.finish(answers)}, not_read
