"""The gsn2x export of an evaluated case: wrapped text, short quotes, supporting lines and
contested elements visible, and the structure gsn2x validates (no graph needed)."""

from __future__ import annotations

import json
import re

import yaml

from calibration.case.export import GSN_WRAP, QUOTE_WORDS, to_gsn, warnings_header
from calibration.case.load import parse_case
from calibration.case.result import (
    CaseEvaluation,
    Contradiction,
    Leaf,
    LineEvidence,
    NodeResult,
    Quote,
)

LONG_QUOTE = (
    "Linear probes trained on a small set of contrastive pairs detect deceptive behaviour in "
    "most of the agentic transcripts that we examined across four model families and two "
    "deployment settings, with false positive rates below one percent."
)
CASE = f"""
version: 1
title: Monitoring catches deception
nodes:
  G1:
    type: goal
    text: >
      Deceptive behaviour by the automated alignment researcher is caught before any of its
      research outputs are relied on in a deployment decision
    combine: all-of
    children: [G2, E2]
    assumptions: [A1]
  G2:
    type: goal
    text: Probes catch it
    children: [E1]
  E1:
    type: evidence
    quote: {LONG_QUOTE}
  E2:
    type: evidence
    quote: The logit monitor achieves AUROC 0.79 from a single rollout on our benchmark.
  A1:
    type: assumption
    text: The model is not sandbagging the monitors it is evaluated against during testing
"""


def _q(cid: str, quote: str, title: str) -> Quote:
    return Quote(claim_id=cid, quote=quote, source_id="src_" + cid, source_title=title)


def _evaluation() -> CaseEvaluation:
    probes = _q("clm_0123456789abcdef01234567", LONG_QUOTE, "Monitoring results")
    e1_leaf = Leaf(
        claim=probes,
        supporting_lines=[
            LineEvidence(
                line="line:replication",
                weight=0.8,
                quotes=[_q("clm_b", "Probes detect it too.", "An independent replication")],
            ),
            LineEvidence(line="source:src_x", weight=0.5, quotes=[]),
        ],
        opposing_lines=[],
        effective_lines=1.8,
        open_contradictions=[
            Contradiction(
                finding_id="fnd_abcdef0123456789",
                score=0.71,
                against=_q(
                    "clm_c",
                    "Linear probes do not detect deceptive behaviour in most of the agentic "
                    "transcripts that we examined, whatever the layer.",
                    "A reply from another lab with a title long enough to need cutting short",
                ),
                swing=-0.042,
            )
        ],
        derivation=[],
    )
    e2_leaf = Leaf(
        claim=_q("clm_d", "The logit monitor achieves AUROC 0.79.", "Logits"),
        supporting_lines=[],
        opposing_lines=[],
        effective_lines=0.0,
        open_contradictions=[],
        derivation=[],
    )
    nodes = [
        NodeResult(id="G1", type="goal", text="", depth=0, combine="all-of", p=0.41, low=0.2,
                   high=0.6, contested=True),
        NodeResult(id="G2", type="goal", text="", depth=1, parent="G1", combine="all-of",
                   p=0.62, low=0.4, high=0.8, contested=True),
        NodeResult(id="E1", type="evidence", text=LONG_QUOTE, depth=2, parent="G2", p=0.62,
                   low=0.4, high=0.8, contested=True, assumptions=["A1"], leaf=e1_leaf),
        NodeResult(id="E2", type="evidence", text="", depth=1, parent="G1", p=0.66, low=0.5,
                   high=0.8, leaf=e2_leaf),
    ]  # fmt: skip
    return CaseEvaluation(
        title="Monitoring catches deception",
        root="G1",
        p=0.41,
        low=0.2,
        high=0.6,
        evaluated_at="2026-01-01T00:00:00+00:00",
        nodes=nodes,
        assumptions=[
            NodeResult(
                id="A1",
                type="assumption",
                text="The model is not sandbagging",
                depth=1,
                parent="G1",
            )
        ],
        sensitivity=[],
        warnings=[],
    )


def _gsn() -> tuple[str, dict]:
    text = to_gsn(parse_case(CASE), _evaluation())
    return text, yaml.safe_load(text)


def test_gsn_text_is_wrapped_in_block_scalars() -> None:
    text, gsn = _gsn()
    for key, el in gsn.items():
        for line in el["text"].splitlines():
            assert len(line) <= GSN_WRAP + 2, f"{key}: {line!r}"
    assert "text: |" in text  # multi-line text as YAML block scalars, as gsn2x documents


def test_solutions_show_short_quotes_claim_ids_and_supporting_lines() -> None:
    _, gsn = _gsn()
    sn = " ".join(gsn["Sn_E1"]["text"].split())
    quoted = re.search(r"“(.+?)”", sn)
    assert quoted and quoted.group(1).endswith("…")
    assert len(quoted.group(1).split()) <= QUOTE_WORDS
    assert LONG_QUOTE not in sn and "clm_0123456789abcdef01234567" in sn
    assert "Supported by 2 independent lines" in sn and "An independent replication" in sn
    assert "p = 0.62 [0.40–0.80]" in sn
    e2 = " ".join(gsn["Sn_E2"]["text"].split())
    assert "stands on its prior" in e2 and "CONTESTED" not in e2
    cg = next(v for k, v in gsn.items() if k.startswith("CG_"))
    assert cg["challenges"] == "Sn_E1" and "…" in cg["text"] and "-0.042" in cg["text"]
    assert "cutting short" not in cg["text"]  # long source titles are cut


def test_contested_goals_and_solutions_are_marked() -> None:
    _, gsn = _gsn()
    for key in ("G_G1", "G_G2", "Sn_E1"):
        assert "*CONTESTED*" in gsn[key]["text"] and gsn[key]["classes"] == ["contested"]
    assert "classes" not in gsn["Sn_E2"] and "CONTESTED" not in gsn["Sn_E2"]["text"]
    assert "1 open contradiction" in gsn["Sn_E1"]["text"]
    assert "p = 0.41 [0.20–0.60]" in gsn["G_G1"]["text"]


def test_gsn_structure_is_what_gsn2x_validates() -> None:
    _, gsn = _gsn()
    assert all("text" in el for el in gsn.values())
    assert gsn["G_G1"]["supportedBy"] == ["S_G1"] and gsn["G_G1"]["inContextOf"] == ["A_A1"]
    assert set(gsn["S_G1"]["supportedBy"]) == {"G_G2", "Sn_E2"}
    for key, el in gsn.items():
        for ref in el.get("supportedBy", []) + el.get("inContextOf", []):
            assert ref in gsn, f"{key} -> {ref}"
        assert not (el.get("undeveloped") and el.get("supportedBy")), key  # gsn2x V03
        if key.startswith("Sn_"):
            assert "supportedBy" not in el  # solutions support nothing (gsn2x V04)
        if "challenges" in el:
            assert el["nodeType"] == "CounterGoal" and el["challenges"] in gsn
        for refs in el.get("acp", {}).values():  # an ACP points at its own element (V09)
            assert refs == key


def test_node_ids_that_clean_alike_stay_apart() -> None:
    """Red-teamed: "E 1" and "E_1" (or any two Chinese ids) became one gsn2x element, and the
    diagram lost a piece of evidence without a word."""
    from calibration.case.export import _key

    ids = ["E_1", "E 1", "E:1", "证据一", "证据二", "目标"]
    keys = [_key("Sn_", i) for i in ids]
    assert len(set(keys)) == len(ids)
    assert keys[0] == "Sn_E_1"  # an id that is already clean stays as written
    assert all(re.fullmatch(r"Sn_[A-Za-z0-9_.-]+", k) for k in keys)
    assert _key("Sn_", "E 1") == keys[1]  # the same id always gives the same element


def test_warnings_reach_the_formats_that_have_no_field_for_them() -> None:
    """The CSV and the GSN diagram lost the evaluation's warnings (red-teamed): the diagram
    carries them as comments, the API's CSV in a header that stays a few KB, ASCII only."""
    ev = _evaluation().model_copy(
        update={"warnings": ["Goal G9 is\nundeveloped (no children).", "Ünïcode “quoted”"]}
    )
    text = to_gsn(parse_case(CASE), ev)
    assert "# warning: Goal G9 is undeveloped (no children).\n" in text
    assert yaml.safe_load(text) == yaml.safe_load(to_gsn(parse_case(CASE), _evaluation()))
    header = warnings_header(ev)
    assert header.isascii() and json.loads(header)[1] == "Ünïcode “quoted”"
    many = ev.model_copy(update={"warnings": [f"warning {i} " + "x" * 200 for i in range(100)]})
    cut = warnings_header(many)
    items = json.loads(cut)
    assert len(cut) <= 4000 and items[0].startswith("warning 0 ")
    assert items[-1] == f"{100 - len(items) + 1} more warning(s): format=json lists them all"
