from __future__ import annotations

from investigators.base import FindingKind
from investigators.lines import PairFinding, evidence_concentration, line_disagreements


def pf(kind: str, a: str, b: str, la: str, lb: str, score: float = 0.8) -> PairFinding:
    return PairFinding(
        id=f"{a}{b}",
        kind=kind,
        score=score,
        a_id=a,
        b_id=b,
        a_text=f"text {a}",
        b_text=f"text {b}",
        a_line=la,
        b_line=lb,
        a_line_name=f"Line {la}",
        b_line_name=f"Line {lb}",
    )


def test_contradictions_across_lines_make_a_line_disagreement() -> None:
    found = [
        pf("contradicts", "a1", "b1", "L1", "L2", 0.6),
        pf("contradicts", "a2", "b2", "L2", "L1", 0.7),
        pf("contradicts", "c1", "c2", "L3", "L3", 0.9),
    ]  # within one line: not a line split
    (v,) = line_disagreements(found)
    assert v.kind == FindingKind.LINE_DISAGREES and {v.a_id, v.b_id} == {"L1", "L2"}
    assert abs(v.score - (1 - 0.4 * 0.3)) < 1e-6 and "2 contradiction(s)" in v.rationale


def test_support_from_one_line_is_concentrated_independent_support_is_not() -> None:
    found = [
        pf("converges_with", "x", "s1", "LX", "L9"),
        pf("restates", "x", "s2", "LX", "L9"),
        pf("converges_with", "y", "t1", "LY", "L1"),
        pf("converges_with", "y", "t2", "LY", "L2"),
    ]
    (v,) = evidence_concentration(found)
    assert v.a_id == "x" and v.b_id == "L9" and "count as one line" in v.rationale
