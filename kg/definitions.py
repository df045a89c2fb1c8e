"""Definitions: sentences that say what a term means or what a technique is for (pure text).

Two papers that define a term alike agree on vocabulary, not on a finding. On the corpus and
demo abstracts, six abstracts each open by defining membership inference attacks, and those
sentences made 14 of the main job's 37 convergence calls, the first 13 of its report among
them; the people who read them side by side labelled every one a restatement. So a claim
like this is filed as a definition at ingest (`ingest.claims.cues.kind_of`), and an
agreement in which one side is a definition is a restatement, never corroboration
(`investigators.nli.judge.decide`, `investigators.nli_judge`).

Three forms are recognised:
- explicit: "is defined as", "refers to", "known as", "we call", "Definition:" ...;
- purpose: a term, often introduced with its abbreviation, and what it is for: "Membership
  inference attacks (MIAs) aim to determine whether ...", "Machine unlearning methods try to
  remove ...". The subject must name a technique (an abbreviation, or a head noun such as
  attack, method or benchmark, or a two-word name ending in -ing: "machine unlearning"), so
  "Models try to deceive their evaluators" stays a claim about models;
- category: "Membership inference is a privacy attack that ...".
"""

from __future__ import annotations

import re

_EXPLICIT = re.compile(
    r"\b(?:is defined as|we define|i define|defined as|we'?ll say|i'?ll say|we call|"
    r"refers? to|we use the term|by [^,.]{1,40} i mean|when i say|is called|we'?ll refer|"
    r"(?:also |commonly |often |sometimes )?known as|referred to as|termed|dubbed)\b"
    r"|^(?:Definition|Concept)\s*:",
    re.I,
)

# the subject of a purpose or category definition: up to six words from the sentence's
# start, with an optional "(ABBR)" among them
_SUBJECT = r"(?P<subject>[A-Z][\w-]*(?:(?: \([A-Z][A-Za-z]*[A-Z]s?\))?[ -][\w-]+){0,5}?)"
_ABBR = r"(?P<abbr> \([A-Z][A-Za-z]*[A-Z]s?\))?"
_PURPOSE = re.compile(
    _SUBJECT + _ABBR + r" (?:aims?|attempts?|tr(?:y|ies)|seeks?|(?:is|are) designed|"
    r"(?:is|are) meant|(?:is|are) intended) to [\w-]+"
)
_CATEGORY = re.compile(
    _SUBJECT + _ABBR + r" (?:is|are) (?:a|an) (?:[\w-]+ ){0,3}(?:attack|method|technique|"
    r"approach|algorithm|task|framework|procedure|family|class|process|phenomenon|metric|"
    r"benchmark)s? (?:that|which|where|in which|whereby|for|of|to)\b"
)
# words that open a sentence about something particular (this paper's method, the people
# in it), not a term being defined
_PARTICULAR = frozenset(
    """we i you this these that those our my your it its they their there here he she his her
    the such each some many most recent prior previous existing current future other others
    both all several few if when while although so but and however thus then""".split()
)
# "Machine unlearning is a promising approach to ..." judges the technique: a claim, not a
# definition
_EVALUATIVE = re.compile(
    r"\b(?:promising|effective|ineffective|powerful|popular|important|key|crucial|useful|"
    r"successful|robust|reliable|unreliable|better|worse|best|worst|poor|strong|weak|good|bad|"
    r"flawed|dangerous|risky|safe|unsafe|misleading)\b",
    re.I,
)
# "MIAs aim to detect whether ..., but their effectiveness is undermined by ...": a finding
# follows the definition
_CONTRAST = re.compile(r"[,;] (?:but|yet|however|although|though|while|whereas)\b|\. However\b")
_TECHNIQUE = re.compile(
    r"(?:attack|method|technique|approach|algorithm|benchmark|metric|framework|task|defen[cs]e|"
    r"procedure|protocol|evaluation|probe|monitor)s?",
    re.I,
)


def _names_a_technique(subject: str, abbr: str | None, categorised: bool) -> bool:
    """Whether the subject names a technique in general: with its abbreviation, by its head
    noun, or (`categorised`) because the sentence says which kind of thing it is."""
    words = subject.split()
    if words[0].lower() in _PARTICULAR or "'s " in subject + " " or "’s " in subject + " ":
        return False  # "Anthropic's monitoring approaches": someone's own, not a term
    if categorised or abbr or "(" in subject:  # "Membership inference (MI) attacks"
        return True
    head = words[-1]
    # "Machine unlearning", "Activation steering": a name of two or more words ending in -ing
    return bool(_TECHNIQUE.fullmatch(head)) or (len(words) >= 2 and head.endswith("ing"))


def definition_cue(text: str) -> str | None:
    """The words that make this sentence a definition, or None when it is not one."""
    s = text.strip().lstrip("\"“'‘(")
    m = _EXPLICIT.search(s)
    if m:
        return m.group(0).strip()
    for pattern in (_PURPOSE, _CATEGORY):
        m = pattern.match(s)
        if (
            m
            and _names_a_technique(m.group("subject"), m.group("abbr"), pattern is _CATEGORY)
            and not _EVALUATIVE.search(m.group(0))
            and not _CONTRAST.search(s, m.end())
        ):
            return m.group(0).strip()
    return None


def is_definition(text: str) -> bool:
    """Whether the sentence defines a term (see the module's doc)."""
    return definition_cue(text) is not None
