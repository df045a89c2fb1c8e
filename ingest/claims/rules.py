"""The offline extractor: decides which sentences are claims and gives them structure."""

from __future__ import annotations

import re
from collections.abc import Collection

from consilience.vocabulary import REPORTED_VIEW
from ingest.claims.base import ExtractedClaim
from ingest.claims.cues import hedge_of, is_reported_view, kind_of
from ingest.claims.numbers import extract_numbers
from ingest.clean import MATH_PLACEHOLDER, lost_math
from ingest.document import PlacedBlock
from ingest.segment import Segmenter
from kg.models import Hedge, SourceKind

LABEL_WORDS = frozenset(
    w.casefold()
    for w in (
        "Definition",
        "Goal",
        "Concept",
        "Note",
        "TL;DR",
        "TLDR",
        "Type",
        "Paper",
        "Authors",
        "Author",
        "Source",
        "Claim",
        "Update",
        "Edit",
        "Example",
        "Question",
        "Answer",
        "Figure",
        "Table",
        "Step",
        "Phase",
        "Summary",
        "Key",
        "Published",
        "Field",
        "Approach",
        "Audience",
        "Maturity",
        "Dependencies",
        "Warning",
        "Caveat",
        "Result",
        "Results",
        "Takeaway",
        "Overview",
    )
)
_LABEL = re.compile(r"^([^:.!?]{2,60}):\s+(?=\S)")
_SPEAKER = re.compile(
    r"^(?P<name>(?:[A-Z][\w.'’-]+|[a-z][\w-]{1,30}(?= \())(?: [A-Z][\w.'’-]+){0,3})"
    r"(?: \((?P<org>[^)]{1,40})\))?:\s"
)
_VERBISH = re.compile(
    r"\b(?:is|are|was|were|be|been|being|has|have|had|do|does|did|can|could|will|would|"
    r"should|shall|may|might|must|seems?|shows?|showed|finds?|found|suggests?|makes?|"
    r"gives?|needs?|leads?|helps?|works?|fails?|remains?|becomes?|uses?|requires?|"
    r"allows?|means|think|believe|expect|want|get|gets|got|take|takes|[a-z]{3,}(?:ed|es))\b"
)
_STRICT_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|does|did|can|could|will|would|should|may|"
    r"might|must|seems?|shows?|finds?|found|makes?|needs?|leads?|helps?|works?|fails?|"
    r"remains?|becomes?|requires?|allows?|means|causes?|improves?|reduces?|increases?)\b"
)
_NAVIGATION = re.compile(
    r"^(?:see|click|read|subscribe|sign up|follow|join|apply|register|"
    r"watch|listen|download)\b.{0,80}\b(?:here|below|link|now)\b",
    re.I,
)
# a sentence whose content is elsewhere: "For details, see Appendix E.", "Our evaluation tasks
# can be found here." (the main job judged that one as entailed by an abstract's finding); a
# claim that ends "(see Figure 5)" is kept
_POINTER = re.compile(
    r"^(?:(?:for|in) (?:more |full |further |additional )?(?:details|information|implementation "
    r"details|examples?|an example|results)[^.;]{0,80}?, )?see (?:the )?(?:appendix|appendices|"
    r"section|sec\.|figure|fig\.|table|supplementary)\b"
    r"|^[^.;]{0,80}?\b(?:can|may) be found (?:here|below|in (?:the |our )?(?:appendix|appendices|"
    r"supplementary|repository|repo|github|paper|section)|at\s+(?:https?://|www\.|github))"
    r"|\bclick here\b",
    re.I,
)
_URLISH = re.compile(r"https?://|www\.")
_STIMULUS = re.compile(r"^(?:you are|your task|you will be|assistant:|user:|system:|human:)", re.I)
_PROB = re.compile(
    r"(?P<cmp>>|<|~)?\s*(?P<p>\d{1,3}(?:\.\d+)?)\s*%\s*(?P<q>\?)?\)?\s*"
    r"(?:chance|probability|likely|confiden)|(?:chance|probability)[^.]{0,40}?"
    r"(?P<cmp2>>|<|~)?\s*(?P<p2>\d{1,3}(?:\.\d+)?)\s*%(?P<q2>\?)?",
    re.I,
)


def _title_case(s: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", s) if len(w) > 3]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) / len(words) >= 0.75


def is_claim_sentence(sentence: str, block_kind: str) -> bool:
    s = sentence.strip()
    body = s.replace(MATH_PLACEHOLDER, "").strip()
    words = body.split()
    if block_kind in ("heading", "table") or len(words) < 5 or len(words) > 220:
        return False
    if s.rstrip("\"”’')]*").endswith("?") or _NAVIGATION.match(s) or _STIMULUS.match(s):
        return False
    if _POINTER.search(s):
        return False
    if _URLISH.search(s) and len(words) < 12:
        return False
    terminal = bool(re.search(r"[.!:;\"”’)]$", s))
    if not terminal and _title_case(s):
        return False  # list of titles / headings merged into text
    if not terminal:  # list items and fragments need clear verb evidence to be a claim
        verbish = _VERBISH.search(body.lower())
        if not verbish or (
            verbish.group(0).endswith(("ed", "es")) and not _STRICT_VERB.search(body.lower())
        ):
            return False
    letters = sum(c.isalpha() for c in body)
    return letters / max(1, len(body)) > 0.55


def _stated_probability(sentence: str) -> tuple[float | None, bool]:
    m = _PROB.search(sentence)
    if not m:
        return None, False
    p = float(m.group("p") or m.group("p2")) / 100.0
    hedged = bool(m.group("q") or m.group("q2"))
    return (p if 0.0 <= p <= 1.0 else None), hedged


class RuleExtractor:
    """Offline, deterministic claim extraction (spaCy sentencizer + lexical rules)."""

    name = "rules"
    # 2: definitions of a technique by its purpose or category (kg.definitions); sentences that
    # only point elsewhere ("For details, see Appendix E.") are not claims
    # 3: a sentence whose inline math was dropped before ingest is flagged lost_content
    # (ingest.clean.dropped_math); MathJax CSS quoting a brace no longer leaks into claims
    # 4: a number after a label ("Study 3", "Table 2": kg.labels) is not a measurement; ms,
    # milliseconds, GB, MB and TB are units
    # 5: bounds in words ("above", "below", "greater than", "no more than", ...) and at a
    # sentence's start ("About 5%") are comparators
    version = "5"

    def __init__(self, segmenter: Segmenter | None = None) -> None:
        self.segmenter = segmenter or Segmenter()

    def extract(
        self,
        text: str,
        blocks: list[PlacedBlock],
        source_kind: SourceKind,
        *,
        only: Collection[int] | None = None,
    ) -> list[ExtractedClaim]:
        """The claims of `blocks` (with `only`, of the blocks at those indices: the speaker
        whose turn it is still follows every block before them, so a passage read alone
        keeps an interview's speaker)."""
        claims: list[ExtractedClaim] = []
        turn_speaker: str | None = None
        speakers_allowed = source_kind in (SourceKind.INTERVIEW, SourceKind.NEWS_DIGEST)
        last = len(blocks) - 1 if only is None else max(only, default=-1)
        for i, pb in enumerate(blocks[: last + 1]):  # none after the last block asked for
            block_text = text[pb.start : pb.end]
            assert block_text == pb.block.text
            offset = 0
            speaker = pb.block.speaker
            sm = _SPEAKER.match(block_text)
            if (
                sm
                and (speakers_allowed or sm.group("org"))
                and sm.group("name").split()[0].casefold() not in LABEL_WORDS
            ):
                speaker = sm.group("name")
                turn_speaker = speaker if speakers_allowed else turn_speaker
                offset = sm.end()
            elif speakers_allowed and pb.block.kind == "paragraph":
                speaker = speaker or turn_speaker
            if pb.block.kind == "heading":
                turn_speaker = None if not speakers_allowed else turn_speaker
                continue
            if only is not None and i not in only:
                continue
            for s, e in self.segmenter.spans(block_text[offset:]):
                s, e = s + offset, e + offset
                sentence = block_text[s:e]
                if not is_claim_sentence(sentence, pb.block.kind):
                    continue
                claims.append(self.structure(sentence, pb, pb.start + s, pb.start + e, speaker))
        return claims

    def structure(
        self, sentence: str, pb: PlacedBlock, start: int, end: int, speaker: str | None
    ) -> ExtractedClaim:
        normalized, label = sentence, None
        lm = _LABEL.match(sentence)
        if lm and len(lm.group(1).split()) <= 6 and not _VERBISH.search(lm.group(1).lower()):
            normalized, label = sentence[lm.end() :], lm.group(1)
        normalized = " ".join(normalized.replace(MATH_PLACEHOLDER, "…").split())
        numbers = extract_numbers(sentence)
        hedge, cues = hedge_of(sentence)
        prob, prob_hedged = _stated_probability(sentence)
        if prob_hedged or any(n.hedged for n in numbers):
            hedge = Hedge.STRONG if hedge == Hedge.STRONG else Hedge.MODERATE
            cues.append("?")
        if is_reported_view(sentence):
            speaker = speaker or REPORTED_VIEW
        real_measure = any(not n.illustrative and n.measured != "year" for n in numbers)
        return ExtractedClaim(
            start=start,
            end=end,
            kind=kind_of(normalized, real_measure, label),
            normalized=normalized,
            hedge=hedge,
            hedge_cues=sorted(set(cues)),
            speaker=speaker,
            stated_probability=prob,
            numbers=numbers,
            lost_content=lost_math(sentence, pb.block.lost_content),
            in_footnote=pb.block.kind == "footnote",
        )
