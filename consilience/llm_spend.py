"""What a run spends on Claude, and the run's cap on it.

One `Spend` per run (an `investigate`, an ingest's follow-up, an API job), shared by every
channel that asks Claude in that run: the retrieval channel's queries, the adjudicator, the
missing-dimension proposals. Before a request is sent its worst case is counted (input at
two characters a token, an answer as long as its token limit); a request whose worst case
would take the run past its cap is not sent, and its questions are asked by the next run
(red-teamed: the adjudicator's pair budget bounded one channel of three; a run over the
corpus could send 1,400 query requests with no estimate and no cap). What was spent is
counted from each answer's `usage` as it comes, at half price in a Message Batch.
"""

from __future__ import annotations

import threading

from pydantic import BaseModel, Field

# What the API adds to a request with one forced tool call (its tool-use system prompt); the
# tool's own schema is counted with the prompt's characters by the caller.
TOOL_OVERHEAD_TOKENS = 313


class ClaudeUse(BaseModel):
    """What a run asked of Claude and what it cost, from the answers' own token counts."""

    requests: int = Field(default=0, description="Requests Claude answered (batched included)")
    batched: int = Field(default=0, description="Of those, answered in a Message Batch")
    input_tokens: int = Field(default=0, description="Input tokens billed")
    output_tokens: int = Field(default=0, description="Output tokens billed")
    usd: float = Field(default=0.0, description="Their price at the configured rates (estimate)")
    cap_usd: float = Field(description="The run's cap (CONSILIENCE_LLM__BUDGET_USD)")
    not_sent: int = Field(
        default=0,
        description="Questions not sent because their worst case would pass the cap",
    )
    not_sent_by: dict[str, int] = Field(
        default_factory=dict, description="Of those, how many by what they were for"
    )
    unsettled_usd: float = Field(
        default=0.0,
        description="Worst cases of requests whose cost could not be read (a timeout after "
        "the request went out, a Message Batch whose results were lost): counted against the "
        "cap as if spent",
    )
    cached: int = Field(
        default=0, description="Questions answered from answers kept by earlier runs (free)"
    )


class Spend:
    """A run's account with Claude: its cap, what it has spent, what it held back."""

    def __init__(self, cap_usd: float, usd_per_mtok: tuple[float, float]) -> None:
        self.cap_usd = max(0.0, cap_usd)
        self.price = usd_per_mtok
        self._use = ClaudeUse(cap_usd=self.cap_usd)
        # worst cases of requests sent whose cost is not known yet; those never known (a
        # timeout after sending, a batch whose results were lost) stay held: the cap holds
        self._held = 0.0
        self._lock = threading.Lock()

    def worst(self, system: str, prompt: str, tool_chars: int, max_tokens: int) -> float:
        """The most one request can cost at full price: a token a character in (CJK text
        and emoji can run near one; English runs near four characters a token), an answer
        `max_tokens` long."""
        tokens_in = len(system) + len(prompt) + tool_chars + TOOL_OVERHEAD_TOKENS
        return (tokens_in * self.price[0] + max_tokens * self.price[1]) / 1e6

    def admit(
        self, worst: list[float], *, batched: bool, counted: bool = True
    ) -> tuple[int, float]:
        """How many of these requests, in order, may be sent: those whose worst cases together
        (halved in a Message Batch) fit in what is left of the cap; and their worst cases
        together, held against the cap until `settle` (or `release`) says what they cost.
        The rest are counted as not sent (not a retry, `counted=False`: its question was
        sent once)."""
        share = 0.5 if batched else 1.0
        with self._lock:
            room = self.cap_usd - self._use.usd - self._held
            n, held = 0, 0.0
            for cost in worst:
                if cost * share > room:
                    break
                room -= cost * share
                held += cost * share
                n += 1
            self._held += held
            self._use.not_sent += (len(worst) - n) if counted else 0
            return n, held

    def settle(self, held: float, usages: list[tuple[int, int]], *, batched: bool) -> None:
        """Requests admitted with `held` came back: their answers' billed tokens (a refusal
        or an answer cut off is billed too) replace their worst case."""
        share = 0.5 if batched else 1.0
        with self._lock:
            self._held = max(0.0, self._held - held)
            u = self._use
            for tin, tout in usages:
                u.requests += 1
                u.batched += int(batched)
                u.input_tokens += max(0, tin)
                u.output_tokens += max(0, tout)
                u.usd += max(0.0, (tin * self.price[0] + tout * self.price[1]) / 1e6 * share)

    def release(self, held: float) -> None:
        """Requests admitted with `held` were refused before any answer (an HTTP error):
        nothing was billed."""
        with self._lock:
            self._held = max(0.0, self._held - held)

    def held_back(self, what: str, n: int) -> None:
        """Say what the last `n` questions not sent were for."""
        if n > 0:
            with self._lock:
                self._use.not_sent_by[what] = self._use.not_sent_by.get(what, 0) + n

    def from_cache(self, n: int = 1) -> None:
        with self._lock:
            self._use.cached += n

    @property
    def left_usd(self) -> float:
        with self._lock:
            return max(0.0, self.cap_usd - self._use.usd - self._held)

    def use(self) -> ClaudeUse:
        with self._lock:
            return self._use.model_copy(deep=True, update={"unsettled_usd": self._held})


def usage_of(message: object) -> tuple[int, int]:
    """(input, output) tokens an answer says it was billed; (0, 0) where it says none."""
    usage = getattr(message, "usage", None)
    tokens = [getattr(usage, name, 0) for name in ("input_tokens", "output_tokens")]
    tin, tout = (t if isinstance(t, int) else 0 for t in tokens)
    return tin, tout


def use_line(use: ClaudeUse, what: str = "this run") -> str:
    """The run's spend, in one sentence."""
    batched = f", {use.batched} in Message Batches at half price" if use.batched else ""
    cached = f" ({use.cached} more answered from earlier runs, free)" if use.cached else ""
    unknown = (
        f"; up to ${use.unsettled_usd:.2f} more for requests whose cost could not be read "
        "(counted at their worst case)"
        if use.unsettled_usd > 0
        else ""
    )
    return (
        f"Claude {what}: {use.requests} answered request(s){batched}{cached}, "
        f"{use.input_tokens:,} input and {use.output_tokens:,} output tokens, about "
        f"${use.usd:.2f}{unknown}, of the run's ${use.cap_usd:.2f} cap "
        "(CONSILIENCE_LLM__BUDGET_USD)."
    )


# Where questions not sent are asked again, by what they were for
ADJUDICATION = "adjudication"
QUERIES = "retrieval queries"
EXTRACTION = "claim extraction"
_AGAIN = {
    ADJUDICATION: "the next `consilience investigate` (their claims stay unchecked)",
    QUERIES: "the next `consilience investigate` (their claims stay unchecked)",
    EXTRACTION: "the same ingest again (the files that needed them were not stored; the "
    "passages answered are kept and cost nothing again)",
}
_AGAIN_DEFAULT = "`consilience investigate --all` (the claims were checked without them)"


def not_sent_warning(use: ClaudeUse) -> str:
    by = ", ".join(  # extraction stops a file at its first passage past the cap
        f"{what}: {n} file(s) stopped there" if what == EXTRACTION else f"{what} ×{n}"
        for what, n in sorted(use.not_sent_by.items())
    )
    again = sorted({_AGAIN.get(what, _AGAIN_DEFAULT) for what in use.not_sent_by})
    return (
        f"{use.not_sent} question(s) to Claude were not sent{f' ({by})' if by else ''}: their "
        f"worst case would have taken the run past its ${use.cap_usd:.2f} cap. Asked again by "
        + (" and ".join(f"{w}" for w in again) or "the next run")
        + "; CONSILIENCE_LLM__BUDGET_USD raises the cap."
    )
