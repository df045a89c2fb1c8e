"""Lexical cues for claim kind, hedging and attribution (pure functions)."""

from __future__ import annotations

import re

from kg.definitions import is_definition
from kg.models import ClaimKind, Hedge

_W = r"(?<![\w-])"
HEDGE_CUES: tuple[tuple[Hedge, re.Pattern[str]], ...] = tuple(
    (level, re.compile(_W + "(?:" + "|".join(words) + r")(?![\w-])", re.I))
    for level, words in (
        (
            Hedge.STRONG,
            (
                "might",
                "may",
                "could",
                "possibly",
                "perhaps",
                "maybe",
                "speculative",
                "speculatively",
                "unclear",
                "uncertain",
                "not sure",
                "conceivably",
                "plausibly",
                "it'?s possible",
                "hard to say",
                "i'?m unsure",
                "i doubt",
                "harebrained",
            ),
        ),
        (
            Hedge.MODERATE,
            (
                "probably",
                "likely",
                "unlikely",
                "seems?",
                "appears?",
                "suggests?",
                "i think",
                "i believe",
                "i expect",
                "i guess",
                "i suspect",
                "we think",
                "we believe",
                "we expect",
                "tentatively",
                "roughly",
                r"\(mostly\)",
                "arguably",
                "potentially",
                "in my view",
                "my sense",
                "i feel",
                "i'?d guess",
                "my guess",
                "somewhat",
                "kind of",
                "sort of",
                "i'?m not confident",
                "i'?d say",
                "it'?s plausible",
            ),
        ),
        (
            Hedge.WEAK,
            (
                "generally",
                "typically",
                "often",
                "usually",
                "largely",
                "mostly",
                "fairly",
                "pretty confident",
                "relatively",
                "tends? to",
                "in many cases",
                "for the most part",
                "i'?m fairly confident",
                "i feel pretty confident",
            ),
        ),
    )
)
HEDGE_SCORE = {Hedge.NONE: 0.0, Hedge.WEAK: 0.25, Hedge.MODERATE: 0.5, Hedge.STRONG: 0.75}
_ORDER = (Hedge.NONE, Hedge.WEAK, Hedge.MODERATE, Hedge.STRONG)

_KIND_CUES: tuple[tuple[ClaimKind, re.Pattern[str]], ...] = (
    (
        ClaimKind.FINDING,
        re.compile(
            r"\b(?:we (?:find|found|show|showed|observe|observed|demonstrate|demonstrated|see|saw|"
            r"confirm|confirmed)|our results?|results? (?:show|suggest|indicate)|this shows)\b",
            re.I,
        ),
    ),
    (
        ClaimKind.METHOD,
        re.compile(
            r"^(?:we|i) (?:train|trained|fine-?tune|fine-?tuned|use|used|evaluate|evaluated|"
            r"measure|measured|sample|sampled|collect|collected|construct|build|built|run|ran|"
            r"compare|compared|generate|generated|apply|applied|assume|study|studied|test|tested)"
            r"\b|\bwe'?ll (?:\(mostly\) )?assume\b"
            r"|\bour (?:method|approach|setup|recipe|pipeline)\b",
            re.I,
        ),
    ),
    (
        ClaimKind.RECOMMENDATION,
        re.compile(
            r"\b(?:should|ought to|must|need to|needs to|have to|recommend|it'?s (?:best|safest|"
            r"important|crucial) to|we suggest|i suggest|it would be (?:good|better|wise)|"
            r"better to)\b|^(?:Use|Avoid|Defer|Don'?t|Do not|Focus|Prefer|Make sure|Consider|Keep|"
            r"Start|Stop|Try|Ensure|Invest|Prioriti[sz]e|Always|Never)\b",
            re.I,
        ),
    ),
    (
        ClaimKind.PREDICTION,
        re.compile(
            r"\b(?:will|won'?t|going to|expect|predict|forecast|by 20\d\d|in the (?:next|coming)|"
            r"within \d+ (?:years|months)|likely to|timelines?|chance of|probability of)\b",
            re.I,
        ),
    ),
    (
        ClaimKind.FINDING,
        re.compile(
            r"\b(?:outperform\w*|improv\w*|reduc\w*|increas\w*|decreas\w*|achiev\w*|leads? to|"
            r"caus\w*|correlat\w*|significant\w*|AUROC|accuracy|halves|doubles|exhibit\w*|"
            r"detect\w*|results? in)\b",
            re.I,
        ),
    ),
)
_REPORTED_VIEW = re.compile(
    r"^(?:some (?:people )?(?:argue|think|claim|believe|say)|it is (?:often|sometimes|commonly|"
    r"widely) (?:said|argued|claimed|believed)|(?:critics|skeptics|sceptics|proponents|others|"
    r"many) (?:argue|claim|say|think|believe)|one might (?:think|argue|object)|"
    r"you might (?:think|object)|the (?:common|standard|naive|usual) (?:view|story|argument)|"
    r"a common (?:view|objection|argument))\b",
    re.I,
)


def hedge_of(sentence: str) -> tuple[Hedge, list[str]]:
    level = Hedge.NONE
    cues: list[str] = []
    for lvl, pat in HEDGE_CUES:
        m = pat.search(sentence)
        if m:
            cues.append(m.group(0).lower())
            if _ORDER.index(lvl) > _ORDER.index(level):
                level = lvl
    return level, cues


# A view marked as the author's own; a sentence without any cue is a plain statement (it
# used to be filed as an opinion: two thirds of all claims).
_OPINION = re.compile(
    r"\b(?:i|we) (?:(?:really|still|strongly) )?(?:think|believe|feel|suspect|guess|doubt|argue|"
    r"claim|contend|worry)\b|\bin (?:my|our) (?:view|opinion|experience|judg(?:e)?ment)\b|"
    r"\b(?:i'?m|we'?re|i am|we are) (?:not )?(?:(?:fairly|pretty|very|quite) )?(?:confident|"
    r"sceptical|skeptical|optimistic|pessimistic|worried|convinced|unconvinced)\b|"
    r"\barguabl[ey]\b|\bimo\b|\bpersonally\b|\bi'?d (?:say|bet|guess)\b|"
    r"\bseems? (?:to me|like)\b|\bmy (?:guess|sense|take|bet|impression) is\b",
    re.I,
)


def kind_of(sentence: str, has_measurement: bool, label: str | None = None) -> ClaimKind:
    """The claim's kind from its cues, definitions first (`kg.definitions`); `label` is a
    short lead-in the sentence was stripped of ("Definition: ...")."""
    if is_definition(sentence) or (label and is_definition(f"{label}: {sentence}")):
        return ClaimKind.DEFINITION
    for kind, pat in _KIND_CUES:
        if pat.search(sentence):
            return kind
    if _OPINION.search(sentence):
        return ClaimKind.OPINION
    return ClaimKind.FINDING if has_measurement else ClaimKind.STATEMENT


def is_reported_view(sentence: str) -> bool:
    return bool(_REPORTED_VIEW.search(sentence))
