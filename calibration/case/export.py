"""Exports of an evaluated case: flat rows (CSV, pandas) and GSN YAML for gsn2x."""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING, Any

import yaml

from calibration.case.model import SafetyCase
from calibration.case.result import CaseEvaluation

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = [
    "id", "type", "depth", "parent", "combine", "p", "low", "high", "contested",
    "effective_lines", "supporting_lines", "open_contradictions", "assumptions", "text",
    "claim_id", "source_title",
]  # fmt: skip


def to_rows(ev: CaseEvaluation) -> list[dict[str, Any]]:
    """One row per node (assumptions included, unscored)."""
    rows = []
    for n in [*ev.nodes, *ev.assumptions]:
        leaf = n.leaf
        rows.append(
            {
                "id": n.id,
                "type": n.type,
                "depth": n.depth,
                "parent": n.parent,
                "combine": n.combine,
                "p": n.p,
                "low": n.low,
                "high": n.high,
                "contested": n.contested,
                "effective_lines": leaf.effective_lines if leaf else None,
                "supporting_lines": len(leaf.supporting_lines) if leaf else None,
                "open_contradictions": len(leaf.open_contradictions) if leaf else None,
                "assumptions": ";".join(dict.fromkeys(n.assumptions)),  # each once, in order
                "text": n.text,
                "claim_id": leaf.claim.claim_id if leaf else None,
                "source_title": leaf.claim.source_title if leaf else None,
            }
        )
    return rows


def to_csv(ev: CaseEvaluation) -> str:
    """The rows as CSV, probabilities rounded to 4 places (the DataFrame keeps full floats)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS)
    w.writeheader()
    for row in to_rows(ev):
        w.writerow({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()})
    return buf.getvalue()


def to_dataframe(ev: CaseEvaluation) -> pd.DataFrame:
    """The evaluation as a pandas DataFrame, one row per node (for notebooks)."""
    import pandas as pd

    return pd.DataFrame(to_rows(ev), columns=COLUMNS).set_index("id")


def _key(prefix: str, nid: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9_.-]", "_", nid)


def _wrap(text: str, width: int = 60) -> str:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    return "\n".join([*lines, cur])


def _acp(n_p: float | None, low: float | None, high: float | None) -> str:
    return f"p={n_p:.2f} [{low:.2f}, {high:.2f}]" if n_p is not None else "p=?"


def to_gsn(case: SafetyCase, ev: CaseEvaluation) -> str:
    """gsn2x YAML: goals (G), strategies (S) for how children combine, solutions (Sn) for
    evidence, assumptions (A), context (C); confidences as assurance claim points (acp); each
    open contradiction against a leaf as a counter-goal (CG) that `challenges` it."""
    out: dict[str, dict[str, Any]] = {}
    results = {n.id: n for n in ev.nodes}
    for n in ev.nodes:
        node = case.nodes[n.id]
        if n.type == "evidence" and n.leaf:
            key = _key("Sn_", n.id)
            out[key] = {
                "text": _wrap(f'"{n.leaf.claim.quote}" ({n.leaf.claim.source_title})'),
                "acp": {f"ACP_{n.id} {_acp(n.p, n.low, n.high)}": key},
            }
            for c in n.leaf.open_contradictions:
                out[_key("CG_", c.finding_id[:12])] = {
                    "text": _wrap(
                        f'Open contradiction: "{c.against.quote}" ({c.against.source_title})'
                    ),
                    "nodeType": "CounterGoal",  # explicit: older gsn2x read "C…" as context
                    "challenges": key,
                    "undeveloped": True,
                }
            continue
        key = _key("G_", n.id)
        entry: dict[str, Any] = {
            "text": _wrap(node.text or ""),
            "acp": {f"ACP_{n.id} {_acp(n.p, n.low, n.high)}": key},
        }
        ctx = [_key("A_", a) for a in node.assumptions] + [_key("C_", c) for c in node.context]
        if ctx:
            entry["inContextOf"] = ctx
        if node.children:
            skey = _key("S_", n.id)
            entry["supportedBy"] = [skey]
            how = "all of" if node.combine == "all-of" else "any one of (independent alternatives)"
            out[skey] = {
                "text": f"Argue over {how} the subclaims",
                "supportedBy": [
                    _key("Sn_" if case.nodes[c].type == "evidence" else "G_", c)
                    for c in node.children
                    if c in results
                ],
            }
        else:
            entry["undeveloped"] = True
        out[key] = entry
    for a in ev.assumptions:
        out[_key("A_", a.id)] = {"text": _wrap(a.text)}
    for cid, node in case.nodes.items():
        if node.type == "context":
            out[_key("C_", cid)] = {"text": _wrap(node.text or "")}
    header = f"# GSN for gsn2x: {ev.title}\n# evaluated {ev.evaluated_at}\n"
    return header + yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=1000)
