"""Summary distortion: a summary's claim against the source claim it restates."""

from __future__ import annotations

import re
from collections.abc import Collection

from investigators.base import CandidatePair, ClaimView, FindingKind, Verdict
from investigators.cues import number_cue
from investigators.lexicon import MOST, tokens
from kg.models import Quantity

_RANK = {"none": 0, "weak": 1, "moderate": 2, "strong": 3}
# a finding about part of the cases in the source ("most transcripts", "often"), about all of
# them in the summary ("all transcripts", "always"): the overgeneralisation summaries are known
# for ("any" is left out: "in any case" widens nothing)
_PARTIAL = MOST | {"some", "several", "sometimes", "frequently", "typically", "generally"}
_ALL = frozenset({"all", "every", "always", "each", "everyone", "everything"})


# "almost all", "not all", "at all", "after all", "above all", "all but one", "all in all",
# ... qualify or idiomatise "all" (review)
_BEFORE_QUALIFIED = frozenset({"not", "nearly", "almost", "virtually", "practically", "at",
                               "above", "after"})  # fmt: skip
_AFTER_QUALIFIED = frozenset({"but", "in"})  # "all of the runs" is universal


def _universals(words: list[str]) -> set[str]:
    """The universal quantifiers of a text that claim all cases outright."""
    out: set[str] = set()
    for i, w in enumerate(words):
        if w not in _ALL:
            continue
        before = words[i - 1] if i else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        if before in _BEFORE_QUALIFIED or after in _AFTER_QUALIFIED:
            continue
        if words[max(0, i - 2) : i] == ["all", "in"]:  # the second "all" of "all in all"
            continue
        out.add(w)
    return out


def _widened(src: str, summ: str) -> tuple[str, str] | None:
    """(the source's partial quantifier, the summary's universal one), when the summary says
    of all cases what the source says of part of them."""
    ws, wm = tokens(src), tokens(summ)
    partial, universal = (set(ws) & _PARTIAL) - set(wm), _universals(wm) - set(ws)
    if partial and universal:
        return sorted(partial)[0], sorted(universal)[0]
    return None


def _decimals(text: str) -> int:
    m = re.search(r"\d(?:[\d,]*)\.(\d+)", text)
    return len(m.group(1)) if m else 0


def _rounded(src: list[Quantity], summ: list[Quantity]) -> tuple[str, str] | None:
    """A summary number that is the source's number with fewer decimals (0.297 -> 0.30)."""
    for x in src:
        for y in summ:
            if (x.unit or "") != (y.unit or "") or x.value == y.value:
                continue
            dx, dy = _decimals(x.text), _decimals(y.text)
            if dy < dx and round(x.value, dy) == y.value:
                return x.text, y.text
    return None


class DistortionInvestigator:
    """Only for pairs where one source summarises the other: lost hedges, changed or
    rounded numbers, certainty inflation, a finding about part of the cases widened to all."""

    name = "summary-distortion"
    # 2: a partial quantifier made universal ("most" -> "all") is a distortion
    # 3: was a fold of the judge's contradictions, reverted (graphs checked by it exist)
    # 4: the summary side is the one the SUMMARISES link starts from, not the one whose source
    #    is of kind "summary" (a link between two papers was read the wrong way round)
    # 5: the offline judge's contradiction on a distorted pair is folded into the distortion
    #    (`fold_contradictions`; the runner withdraws the unreviewed one filed before)
    version = "5"

    def __init__(self, min_similarity: float = 0.7) -> None:
        self.min_similarity = min_similarity

    def investigate(self, pairs: list[CandidatePair]) -> list[Verdict]:
        # each summary claim vs its best-aligned source claim
        best: dict[str, tuple[ClaimView, ClaimView, CandidatePair]] = {}
        for p in pairs:
            summary = p.independence.summary_source if p.independence else None
            if summary is None or p.similarity < self.min_similarity:
                continue
            summ, src = (p.a, p.b) if p.a.source_id == summary else (p.b, p.a)
            if summ.source_id != summary:  # neither side is the link's summary
                continue
            if summ.id not in best or best[summ.id][2].similarity < p.similarity:
                best[summ.id] = (summ, src, p)
        out = []
        for summ, src, p in best.values():
            problems: list[str] = []
            cues: list[str] = []
            if _RANK.get(src.hedge, 0) >= 2 and _RANK.get(summ.hedge, 0) <= 1:
                problems.append(
                    f"hedge lost ({src.hedge} in the source, {summ.hedge} in the summary)"
                )
                cues.append("lost-hedge")
            src_q = [n for n in src.numbers if n.hedged]
            if src_q and not any(n.hedged for n in summ.numbers):
                problems.append(
                    f"the source's number '{src_q[0].text}' is hedged; the summary states it firmly"
                )
                cues.append("lost-hedge")
            nc = number_cue(src.numbers, summ.numbers, src.normalized, summ.normalized)
            if nc:
                problems.append(f"numbers changed: {nc.detail}")
                cues.append("changed-number")
            rounded = _rounded(src.numbers, summ.numbers)
            if rounded:
                problems.append(
                    f"number rounded: '{rounded[0]}' in the source, '{rounded[1]}' in the summary"
                )
                cues.append("rounded-number")
            widened = _widened(src.text, summ.text)
            if widened:
                problems.append(
                    f"scope widened: '{widened[0]}' in the source, '{widened[1]}' in the summary"
                )
                cues.append("overgeneralised")
            illus = [n for n in src.numbers if n.illustrative]
            if illus and any(
                not n.illustrative and n.value == illus[0].value for n in summ.numbers
            ):
                problems.append(f"example number '{illus[0].text}' presented as a finding")
                cues.append("illustrative-as-fact")
            if not problems:
                continue
            score = min(1.0, 0.45 + 0.2 * len(problems) + 0.3 * (p.similarity - 0.6))
            out.append(
                Verdict(
                    kind=FindingKind.DISTORTS,
                    a_id=summ.id,
                    b_id=src.id,
                    score=round(score, 4),
                    rationale=(
                        f"{'; '.join(problems)}. Summary: “{summ.text}” — "
                        f"{summ.source_title}. Source: “{src.text}” — {src.source_title}."
                    ),
                    cues=sorted(set(cues)),
                    investigator=self.name,
                    version=self.version,
                    independent=False,
                    independence_reason=p.independence.reason if p.independence else None,
                )
            )
        return out


def foldable(verdicts: list[Verdict], keep_from: frozenset[str]) -> list[tuple[Verdict, Verdict]]:
    """(distortion, contradiction) on the same two claims, the contradiction not by one of the
    investigators in `keep_from` (a paid adjudicator's own label stays a finding of its own)."""
    distorts = {frozenset((v.a_id, v.b_id)): v for v in verdicts if v.kind == FindingKind.DISTORTS}
    if not distorts:
        return []
    return [
        (d, v)
        for v in verdicts
        if v.kind == FindingKind.CONTRADICTS
        and v.investigator not in keep_from
        and (d := distorts.get(frozenset((v.a_id, v.b_id)))) is not None
    ]


def fold_contradictions(
    verdicts: list[Verdict],
    keep_from: frozenset[str],
    held: Collection[frozenset[str]] = frozenset(),
) -> tuple[list[Verdict], list[Verdict]]:
    """One finding per summary claim and source claim: where an offline investigator also
    reads a distorted pair as a contradiction, the distortion takes that reading (named in its
    rationale, with the cue `contradicts-source`; its score stays its own, on its own scale) and
    the contradiction is not filed beside it. A summary's contradiction of its source is its
    distortion: two findings on one pair read as two problems, and the contradiction never
    counted against the source's claims. Not folded: the pairs in `held` (the caller's: a
    human verdict bears on one of the two findings, so each is filed as itself) and the
    contradictions of the investigators in `keep_from`. Returns (the verdicts to file, in
    order, with the distortions replaced; the contradictions folded)."""
    pairs = [(d, c) for d, c in foldable(verdicts, keep_from)
             if frozenset((c.a_id, c.b_id)) not in held]  # fmt: skip
    if not pairs:
        return verdicts, []
    replaced: dict[int, Verdict] = {}
    for d, v in pairs:
        current = replaced.get(id(d), d)
        reading = v.rationale.split(". A: “")[0]  # the judge's probabilities and evidence
        if v.independence_reason:
            reading = reading.removesuffix(f"; {v.independence_reason}")
        # before the quotes, where a one-line display (the report's) cuts the rationale
        problems, sep, quotes = current.rationale.partition(". Summary: “")
        also = (
            f"; the {v.investigator} investigator also reads the two as contradicting each "
            f"other ({v.score:.2f}: {reading})"
        )
        replaced[id(d)] = current.model_copy(
            update={
                "rationale": f"{problems}{also}{sep}{quotes}"
                if sep
                else f"{current.rationale}{also}.",
                "cues": sorted({*current.cues, "contradicts-source"}),
            }
        )
    dropped = {id(c) for _, c in pairs}
    kept = [replaced.get(id(v), v) for v in verdicts if id(v) not in dropped]
    return kept, [c for _, c in pairs]
