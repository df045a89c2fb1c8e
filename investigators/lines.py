"""Line-level analysis over claim findings (pure): disagreement and evidence concentration."""

from __future__ import annotations

from dataclasses import dataclass

from investigators.base import FindingKind, Verdict

NAME = "line-analysis"
VERSION = "1"
# The claim findings line-level findings are derived from (FINDINGS_BETWEEN_LINES): a verdict
# on one of these recomputes them
INPUT_KINDS = frozenset(
    k.value for k in (FindingKind.CONTRADICTS, FindingKind.CONVERGES_WITH, FindingKind.RESTATES)
)


@dataclass(frozen=True)
class PairFinding:
    id: str
    kind: str
    score: float
    a_id: str
    b_id: str
    a_text: str
    b_text: str
    a_line: str
    b_line: str
    a_line_name: str
    b_line_name: str


def line_disagreements(findings: list[PairFinding], min_score: float = 0.5) -> list[Verdict]:
    """Two lines of research take different positions when claims across them contradict."""
    by_pair: dict[tuple[str, str], list[PairFinding]] = {}
    for f in findings:
        if f.kind == FindingKind.CONTRADICTS.value and f.a_line != f.b_line:
            low, high = sorted((f.a_line, f.b_line))
            by_pair.setdefault((low, high), []).append(f)
    out = []
    for (la, lb), items in by_pair.items():
        p_none = 1.0
        for f in items:
            p_none *= 1.0 - f.score
        score = round(1.0 - p_none, 4)
        if score < min_score:
            continue
        items.sort(key=lambda f: -f.score)
        names = {items[0].a_line: items[0].a_line_name, items[0].b_line: items[0].b_line_name}
        examples = " | ".join(f"“{f.a_text[:120]}” vs “{f.b_text[:120]}”" for f in items[:3])
        out.append(
            Verdict(
                kind=FindingKind.LINE_DISAGREES,
                a_id=la,
                b_id=lb,
                score=score,
                rationale=(
                    f"{len(items)} contradiction(s) between the line “{names.get(la, la)}” "
                    f"and the line “{names.get(lb, lb)}”: {examples}"
                ),
                cues=["contradictions"],
                investigator=NAME,
                version=VERSION,
                independent=True,
                independence_reason="different lines of research",
            )
        )
    return out


def evidence_concentration(findings: list[PairFinding], min_support: int = 2) -> list[Verdict]:
    """Claims whose agreeing evidence all comes from one line (their own or another)."""
    support: dict[str, list[tuple[str, str, str]]] = {}
    own_line: dict[str, str] = {}
    for f in findings:
        if f.kind not in (FindingKind.CONVERGES_WITH.value, FindingKind.RESTATES.value):
            continue
        support.setdefault(f.a_id, []).append((f.b_line, f.b_line_name, f.b_text))
        support.setdefault(f.b_id, []).append((f.a_line, f.a_line_name, f.a_text))
        own_line[f.a_id], own_line[f.b_id] = f.a_line, f.b_line
    out = []
    for claim, items in support.items():
        lines = {line for line, _, _ in items}
        if len(items) < min_support or len(lines) != 1:
            continue
        (line,) = lines
        name = items[0][1]
        same = " (the claim's own line)" if line == own_line[claim] else ""
        out.append(
            Verdict(
                kind=FindingKind.CONCENTRATED,
                a_id=claim,
                b_id=line,
                score=round(1.0 - 1.0 / len(items), 4),
                rationale=(
                    f"All {len(items)} agreeing claims come from one line of research, "
                    f"“{name}”{same}: they count as one line of evidence, not "
                    f"{len(items)}."
                ),
                cues=["one-line-support"],
                investigator=NAME,
                version=VERSION,
                independent=False,
                independence_reason="single line of research",
            )
        )
    return out
