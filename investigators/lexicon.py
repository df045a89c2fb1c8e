"""Word lists for conflict cues: negation, antonymous predicates, quantifiers."""

from __future__ import annotations

import re

NEGATIONS = frozenset(
    {
        "not",
        "no",
        "never",
        "none",
        "cannot",
        "can't",
        "won't",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "shouldn't",
        "wouldn't",
        "couldn't",
        "nothing",
        "neither",
        "nor",
        "without",
        "lack",
        "lacks",
        "fails",
        "fail",
        "failed",
        "unable",
        "n't",
    }
)
_ANTONYM_GROUPS: tuple[tuple[str, str], ...] = (
    ("increase", "decrease"),
    ("increases", "decreases"),
    ("increased", "decreased"),
    ("increase", "reduce"),
    ("increases", "reduces"),
    ("increased", "reduced"),
    ("improve", "worsen"),
    ("improves", "worsens"),
    ("improved", "worsened"),
    ("improves", "degrades"),
    ("improve", "degrade"),
    ("raises", "lowers"),
    ("raise", "lower"),
    ("detect", "miss"),
    ("detects", "misses"),
    ("detected", "missed"),
    ("outperforms", "underperforms"),
    ("outperform", "underperform"),
    ("higher", "lower"),
    ("more", "less"),
    ("more", "fewer"),
    ("better", "worse"),
    ("larger", "smaller"),
    ("faster", "slower"),
    ("stronger", "weaker"),
    ("above", "below"),
    ("helps", "hurts"),
    ("help", "hurt"),
    ("safe", "unsafe"),
    ("safe", "dangerous"),
    ("feasible", "infeasible"),
    ("effective", "ineffective"),
    ("likely", "unlikely"),
    ("possible", "impossible"),
    ("succeeds", "fails"),
    ("succeed", "fail"),
    ("success", "failure"),
    ("supports", "undermines"),
    ("accept", "reject"),
    ("easy", "hard"),
    ("easy", "difficult"),
    ("easier", "harder"),
    ("large", "small"),
    ("strong", "weak"),
    ("true", "false"),
    ("always", "never"),
    ("gain", "loss"),
    ("gains", "losses"),
    ("enables", "prevents"),
    ("enable", "prevent"),
    ("robust", "brittle"),
    ("robust", "fragile"),
    ("reliable", "unreliable"),
    ("useful", "useless"),
    ("sufficient", "insufficient"),
    ("necessary", "unnecessary"),
    ("aligned", "misaligned"),
    ("honest", "deceptive"),
    ("positive", "negative"),
    ("benefits", "harms"),
    ("rises", "falls"),
    ("rise", "fall"),
    ("grows", "shrinks"),
    ("most", "few"),
    ("majority", "minority"),
    ("generalizes", "fails"),
    ("confident", "uncertain"),
    ("important", "unimportant"),
    ("relevant", "irrelevant"),
    ("works", "fails"),
    ("work", "fail"),
    ("transfer", "fail"),
    ("transfers", "fails"),
    ("overestimates", "underestimates"),
    ("overestimate", "underestimate"),
    ("before", "after"),
    ("early", "late"),
    ("cheap", "expensive"),
    ("cheaper", "costlier"),
    ("good", "bad"),
    ("high", "low"),
    ("many", "few"),
    ("best", "worst"),
    ("win", "lose"),
    ("correct", "incorrect"),
    ("accurate", "inaccurate"),
    ("increasing", "decreasing"),
    ("consistent", "inconsistent"),
    ("prevents", "causes"),
    ("prevent", "cause"),
    ("removes", "preserves"),
    ("remove", "preserve"),
    ("mitigate", "worsen"),
    ("mitigates", "worsens"),
)
ANTONYMS: dict[str, frozenset[str]] = {}
for _x, _y in _ANTONYM_GROUPS:
    ANTONYMS[_x] = ANTONYMS.get(_x, frozenset()) | {_y}
    ANTONYMS[_y] = ANTONYMS.get(_y, frozenset()) | {_x}

UNIVERSAL = frozenset({"all", "every", "always", "each", "everyone", "everything", "any"})
EXISTENTIAL_NONE = frozenset({"none", "no", "never", "nobody", "nothing"})
MOST = frozenset({"most", "majority", "usually", "mostly", "often", "many"})
FEW = frozenset({"few", "minority", "rarely", "seldom", "hardly"})

STOPWORDS = frozenset(
    """a an the of to in on for and or but is are was were be been being it its
this that these those with as by at from we our i you they their he she his her them us me my
can could will would should may might must do does did has have had so than then there here
which who whom what when where why how also just more most less very much many some any such
into over about after before not no never only other same own too again further once both each
""".split()
)

TOKEN = re.compile(r"[a-z][a-z0-9'’-]*")


def tokens(text: str) -> list[str]:
    return [t.replace("’", "'") for t in TOKEN.findall(text.lower())]


def content_words(text: str) -> set[str]:
    return {t for t in tokens(text) if len(t) > 3 and t not in STOPWORDS and t not in NEGATIONS}
