"""Math lost before or during ingest: MathJax CSS inlined as text is replaced by a marker, and
a sentence whose inline math was dropped upstream is flagged, so neither reads as a claim with
nothing missing."""

from __future__ import annotations

from pathlib import Path

from ingest.claims.rules import RuleExtractor
from ingest.clean import MATH_PLACEHOLDER, dropped_math, strip_math
from ingest.pipeline import RecordBuilder

# MathJax CHTML as the corpus' 002 file has it: a glyph rule quotes a brace, a font rule a URL
CSS = (
    'mjx-container[jax="CHTML"] { line-height: 0; } mjx-c.mjx-c7B::before { padding: 0.75em '
    '0.5em 0.25em 0; content: "{"; } mjx-c.mjx-c7D::before { content: "}"; } @font-face /* 0 */ '
    '{ font-family: MJXZERO; src: url("https://cdn.jsdelivr.net/npm/mathjax@3/es5/output/chtml/'
    'fonts/woff-v2/MathJax_Zero.woff") format("woff"); }'
)


def test_mathjax_css_quoting_a_brace_is_replaced_whole() -> None:
    text, lost = strip_math(f"Frontier monitors do better but at roughly {CSS} higher cost.")
    assert lost and MATH_PLACEHOLDER in text
    assert "{" not in text and "}" not in text and "mjx" not in text and "font" not in text
    assert text.endswith("higher cost.")


def test_dropped_inline_math_is_recognised_by_what_it_leaves() -> None:
    for s in (
        "A reward equal to , and all other actions yield a reward of .",
        "It is stipulated that for all such that .",
        "The score bands are: : benign task pursuit; : suspicious behaviour.",
        "Given some random input , the output is a projection onto a direction , and more.",
        "The (-discounted) coins collected conditional on trajectory-length , and others.",
    ):
        assert dropped_math(s), s
    for s in (
        "There is lots of stuff you can judge companies on right now , and I would rather that.",
        "Monitors catch 80% of sabotage attempts (n = 120), far more than chance.",
        "The score bands are: benign; suspicious; malicious.",
        "Results improve (-3 points on the hard split) when the prompt is shorter.",
    ):
        assert not dropped_math(s), s


def test_such_a_sentence_becomes_a_claim_flagged_lost_content() -> None:
    text = (
        "# Coins\n\nAgents collecting a coin get a reward equal to , and all other actions yield "
        "a reward of . Agents trained this way prefer shorter trajectories in most runs.\n"
    )
    _, docs = RecordBuilder(RuleExtractor()).build_records(Path("coins.md"), text.encode())
    flags = {c.text.split()[0] + " " + c.text.split()[1]: c.lost_content for c in docs[0].claims}
    assert flags == {"Agents collecting": True, "Agents trained": False}
