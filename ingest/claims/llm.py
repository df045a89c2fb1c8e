"""Claude extractor behind the same interface as the rules; quotes are verified."""

from __future__ import annotations

import contextlib
import json
from collections import Counter

from pydantic import ValidationError

from consilience.errors import UnusableAnswerError
from consilience.llm import CUT_OFF, LLM, REFUSAL, AnswerCache, MeteredLLM, MissRow
from consilience.llm_spend import Spend
from ingest.claims.base import ExtractedClaim
from ingest.claims.prompts import extract as prompt
from ingest.claims.rules import RuleExtractor
from ingest.document import PlacedBlock
from kg.ids import sha256_text
from kg.models import ClaimKind, SourceKind

# What is asked, besides the passage: the system prompt and the answer's schema
_ASKED = sha256_text(
    prompt.VERSION
    + prompt.SYSTEM
    + json.dumps(prompt.LLMClaims.model_json_schema(), sort_keys=True)
)[:16]
UNUSABLE, ATTEMPTS = "unusable", "attempts"  # an answer that could not be used, kept as such
MAX_ATTEMPTS = 2  # a refusal or an answer cut off tends to come back the same
COUNTED = frozenset({REFUSAL, CUT_OFF})


class LLMExtractor:
    """Asks Claude for claims per passage; keeps only quotes found verbatim in the passage,
    and fills hedges and numbers with the offline rules so both paths agree on structure."""

    name = "claude"
    version = prompt.VERSION

    def __init__(
        self,
        llm: LLM,
        rules: RuleExtractor | None = None,
        title: str = "",
        *,
        cache: AnswerCache | None = None,
        spend: Spend | None = None,
    ) -> None:
        self.llm = MeteredLLM(llm, spend) if spend is not None else llm
        self.rules = rules or RuleExtractor()
        self.title = title
        # each passage's answer is kept as it comes (red-teamed: a request failure, or the
        # run's cap, failed the file and every passage answered before it was paid for again
        # by the rerun, as was each unchanged passage of a revised document)
        self.cache = cache
        self.spend = spend  # the ingest run's account with Claude
        self.cached_passages = 0  # passages answered from the cache
        self._asked_now: set[str] = set()  # keys asked by this extractor (one ingest run)
        self.rejected_quotes = 0  # Claude's quotes not found verbatim (left out)
        self.rules_passages = 0  # passages the rules read instead (no quote of Claude's kept)
        self.silent_documents = 0  # documents Claude found no claim in, and the rules found some
        # passages whose answer could not be used (a refusal, one cut off at its token limit,
        # one not in the form asked), by why: the rules read them
        self.unusable: Counter[str] = Counter()

    def for_run(self, cache: AnswerCache, spend: Spend) -> LLMExtractor:
        """This extractor for one ingest run: its answers kept in `cache`, its requests on
        `spend` (the run's cap)."""
        inner = self.llm.inner if isinstance(self.llm, MeteredLLM) else self.llm
        return type(self)(inner, self.rules, self.title, cache=cache, spend=spend)

    def _key(self, rendered: str) -> str:
        # the system prompt and the answer's schema are in the key with the passage as asked:
        # a change to either asks again, whatever VERSION says
        return "ext_" + sha256_text(f"{_ASKED}:{self.llm.model}:{rendered}")[:24]

    def _answer(self, rendered: str, cached: dict[str, str]) -> prompt.LLMClaims:
        """The passage's answer: kept from an earlier run (or this one), or asked and kept.
        An answer that could not be used is kept as such with its attempts: after
        MAX_ATTEMPTS the passage is not asked again (red-teamed: a refusal was paid for by
        every rerun, revision and `--force`)."""
        key = self._key(rendered)
        tries = 0
        if key in cached:
            try:
                kept = json.loads(cached[key])
            except ValueError:  # a damaged row: asked again
                kept = None
            if isinstance(kept, dict) and UNUSABLE in kept:
                tries = int(kept.get(ATTEMPTS, 1))
                if tries >= MAX_ATTEMPTS or key in self._asked_now:
                    # (the same passage again in this document: asked once)
                    raise UnusableAnswerError(
                        str(kept[UNUSABLE]),
                        f"Claude's answer to this passage could not be used {tries} times "
                        f"({kept[UNUSABLE]}); it is not asked again.",
                        "A new model or prompt asks again.",
                    )
            elif kept is not None:
                with contextlib.suppress(ValidationError):  # kept in another form: ask again
                    answer = prompt.LLMClaims.model_validate(kept)
                    if key not in self._asked_now:
                        self._from_cache()
                    return answer
        self._asked_now.add(key)
        try:
            answer = self.llm.structured(prompt.SYSTEM, rendered, prompt.LLMClaims)
        except UnusableAnswerError as exc:
            if exc.cause in COUNTED:  # a refusal or a cut-off tends to come back the same;
                # an answer not in the form asked is the service's or a proxy's: asked again
                record = {UNUSABLE: exc.cause, ATTEMPTS: tries + 1}
                self._count(key, json.dumps(record), cached)
                with contextlib.suppress(ValidationError):  # another job's answer, kept
                    # meanwhile: this passage's (review: the rules read it instead)
                    answer = prompt.LLMClaims.model_validate_json(cached[key])
                    self._from_cache()
                    return answer
            raise
        self._keep(key, answer.model_dump_json(), cached)
        return answer

    def _from_cache(self) -> None:
        self.cached_passages += 1
        if self.spend is not None:
            self.spend.from_cache()

    def _keep(self, key: str, response: str, cached: dict[str, str]) -> None:
        """Kept at once (a later failure in the file loses nothing paid for), and for the
        rest of this document (the same passage twice is asked once)."""
        cached[key] = response
        if self.cache is not None:
            row = {"id": key, "response": response, "model": self.llm.model}
            self.cache.put_many([{**row, "prompt_version": prompt.VERSION}])

    def _count(self, key: str, record: str, cached: dict[str, str]) -> None:
        """An unusable answer's record, kept only where the entry is still the one this
        document read (or absent): an answer another job kept for the same passage meanwhile
        stays, and `cached` holds it (review: a count replaced it, and the passage was paid
        for again)."""
        expected = cached.get(key)
        cached[key] = record
        if self.cache is not None:
            row = MissRow(
                id=key,
                expected=expected,
                response=record,
                model=self.llm.model,
                prompt_version=prompt.VERSION,
            )
            if (now := self.cache.replace([row]).get(key)) is not None:
                cached[key] = now

    def extract(
        self, text: str, blocks: list[PlacedBlock], source_kind: SourceKind
    ) -> list[ExtractedClaim]:
        out: list[ExtractedClaim] = []
        asked: list[int] = []  # the blocks Claude was asked about, by index
        answered = False  # Claude named a claim somewhere in the document
        rendered = {
            i: prompt.render(self.title, pb.section, pb.block.text)
            for i, pb in enumerate(blocks)
            if pb.block.kind not in ("heading", "table")
        }
        cached = (
            self.cache.get_many([self._key(r) for r in rendered.values()]) if self.cache else {}
        )
        for i, pb in enumerate(blocks):
            if i not in rendered:
                continue
            try:
                answer = self._answer(rendered[i], cached)
            except UnusableAnswerError as exc:  # Claude read it and its answer cannot be used
                # (red-teamed: an answer cut off at its token limit kept its first claim, and
                # replaced the file's five; a refusal failed the whole file): the rules read it
                self.unusable[exc.cause] += 1
                out.extend(self.rules.extract(text, blocks, source_kind, only={i}))
                continue
            asked.append(i)
            answered = answered or bool(answer.claims)
            kept = 0
            for c in answer.claims:
                quote = c.quote.strip()
                pos = _verbatim(pb.block.text, quote)
                if pos < 0:
                    self.rejected_quotes += 1  # not verbatim: never stored as a quote
                    continue
                start = pb.start + pos
                end = start + len(quote)
                structured = self.rules.structure(text[start:end], pb, start, end, c.speaker)
                structured.kind = ClaimKind(c.kind)
                out.append(structured)
                kept += 1
            if answer.claims and not kept:  # Claude saw claims here, none of them verbatim:
                # the rules read the passage (red-teamed: a file whose quotes were all refused
                # was stored with no claims, and later ingests skipped it as unchanged)
                self.rules_passages += 1  # (all blocks given: the speaker's turn carries)
                out.extend(self.rules.extract(text, blocks, source_kind, only={i}))
        if asked and not answered:
            # not one claim in a whole document (red-teamed: stored with none, exit 0, and
            # later ingests skipped it as unchanged): the rules read it, and the file says so
            # when they find claims (when they find none either, the ingest's "no claims
            # found" is the whole story: "the rules read it instead" promised claims)
            found = self.rules.extract(text, blocks, source_kind, only=set(asked))
            self.silent_documents += bool(found)
            out.extend(found)
        return out


MIN_WORDS = 3  # a quote of fewer words is no claim (red-teamed: "the" became a file's claim)


def _verbatim(passage: str, quote: str) -> int:
    """Where `quote` stands in the passage as whole words (not inside a word), of at least
    MIN_WORDS words; -1 where it does not."""
    if len(quote.split()) < MIN_WORDS:
        return -1
    pos = passage.find(quote)
    while pos >= 0:
        end = pos + len(quote)
        before = passage[pos - 1] if pos > 0 else " "
        after = passage[end] if end < len(passage) else " "
        if not (before.isalnum() and quote[0].isalnum()) and not (
            after.isalnum() and quote[-1].isalnum()
        ):
            return pos
        pos = passage.find(quote, pos + 1)
    return -1
