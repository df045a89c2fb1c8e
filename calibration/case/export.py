"""Exports of an evaluated case: flat rows (CSV, pandas) and GSN YAML for gsn2x."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import textwrap
from typing import TYPE_CHECKING, Any

import yaml

from calibration.case.model import SafetyCase
from calibration.case.result import CaseEvaluation, Contradiction, Leaf, NodeResult

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


def warning_lines(ev: CaseEvaluation) -> list[str]:
    """The evaluation's warnings, one line each (a file format with no place for them carries
    them as comments or headers: red-teamed, the CSV and the diagram lost them)."""
    return [" ".join(w.split()) for w in ev.warnings]


def warnings_header(ev: CaseEvaluation, room: int = 4000) -> str:
    """The warnings as a JSON array of ASCII text for an HTTP header: the first that fit in
    `room` characters (a client reads a header of a few KB at most), then, where some did not
    fit, how many more and where all of them are."""
    lines = warning_lines(ev)
    kept: list[str] = []
    for i, w in enumerate(lines):
        more = f"{len(lines) - i} more warning(s): format=json lists them all"
        if len(json.dumps([*kept, w, more])) > room:
            return json.dumps([*kept, more])
        kept.append(w)
    return json.dumps(kept)


def to_dataframe(ev: CaseEvaluation) -> pd.DataFrame:
    """The evaluation as a pandas DataFrame, one row per node (for notebooks)."""
    import pandas as pd

    return pd.DataFrame(to_rows(ev), columns=COLUMNS).set_index("id")


def _key(prefix: str, nid: str) -> str:
    """A gsn2x element id for a case node id: the id itself where it is letters, digits, '_',
    '.' and '-' only; else cleaned, with a short hash of the id as written, so ids that clean
    alike stay apart (red-teamed: "E 1" and "E_1", or any two Chinese ids, became one
    element, and the diagram lost a piece of evidence without a word)."""
    clean = re.sub(r"[^A-Za-z0-9_.-]", "_", nid)
    if clean == nid:
        return prefix + nid
    return f"{prefix}{clean}_{hashlib.sha256(nid.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


GSN_WRAP = 40  # characters per line of element text (gsn2x sizes each box to its text)
QUOTE_WORDS = 12  # a solution shows this much of its quote, then an ellipsis
TITLE_CHARS = 60  # source titles longer than this are cut
MAX_LINES_SHOWN = 3  # supporting lines listed on a solution, the rest counted


def _wrap(text: str, width: int = GSN_WRAP) -> str:
    """Wrap each paragraph to `width` (long words are broken, so no line is wider); a
    bullet's continuation lines are indented under its text, as gsn2x draws them."""
    out: list[str] = []
    for para in text.splitlines():
        bullet = para.startswith("- ")
        out.append(
            textwrap.fill(
                para, width, subsequent_indent="  " if bullet else "", break_on_hyphens=False
            )
            if para.strip()
            else ""
        )
    return "\n".join(out)


def _short(text: str, words: int = QUOTE_WORDS) -> str:
    """The first `words` words, with an ellipsis when there were more."""
    ws = text.split()
    if len(ws) <= words:
        return " ".join(ws)
    return " ".join(ws[:words]).rstrip(",;:.") + "…"


def _cut(text: str, chars: int = TITLE_CHARS) -> str:
    """At most `chars` characters, cut at a word boundary where there is one."""
    text = " ".join(text.split())
    if len(text) <= chars:
        return text
    head = text[: chars - 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip(",;:.") + "…"


def _acp(n_p: float | None, low: float | None, high: float | None) -> str:
    return f"p={n_p:.2f} [{low:.2f}, {high:.2f}]" if n_p is not None else "p=?"


def _confidence(n: NodeResult) -> str:
    if n.p is None or n.low is None or n.high is None:
        return "p = ? (not evaluated)"
    return f"p = {n.p:.2f} [{n.low:.2f}–{n.high:.2f}]"


def _contested(k: int | None = None) -> str:
    """The marker on contested elements (gsn2x renders *…* bold): a leaf says how many open
    contradictions it has, a goal that they lie in the evidence under it."""
    if k is None:
        return "*CONTESTED*: open contradictions in the evidence below"
    return f"*CONTESTED*: {k} open contradiction{'s' if k != 1 else ''}"


def _solution_text(n: NodeResult, leaf: Leaf) -> str:
    q = leaf.claim
    parts = [
        f"“{_short(q.quote)}”",
        f"— {_cut(q.source_title)}",
        f"claim {q.claim_id}",
        _confidence(n),
    ]
    lines = leaf.supporting_lines
    if lines:
        k = len(lines)
        parts.append(f"Supported by {k} independent line{'s' if k != 1 else ''}:")
        for line in lines[:MAX_LINES_SHOWN]:
            src = line.quotes[0].source_title if line.quotes else line.line
            parts.append(f"- {_cut(src, 50)} (w {line.weight:.2f})")
        if k > MAX_LINES_SHOWN:
            parts.append(f"- and {k - MAX_LINES_SHOWN} more")
    else:
        parts.append("No other line of research bears on it: it stands on its prior.")
    if leaf.opposing_lines:
        k = len(leaf.opposing_lines)
        parts.append(f"Opposed by {k} independent line{'s' if k != 1 else ''}.")
    if n.contested:
        parts.append(_contested(len(leaf.open_contradictions)))
    return "\n".join(_wrap(x) for x in parts)


def _counter_text(c: Contradiction) -> str:
    move = (
        "does not move the top goal"
        if abs(c.swing) < 0.0005
        else f"moves the top goal {c.swing:+.3f}"
    )
    parts = [
        "Open contradiction (unreviewed):",
        f"“{_short(c.against.quote)}”",
        f"— {_cut(c.against.source_title)}",
        f"claim {c.against.claim_id}; score {c.score:.2f}",
        f"If confirmed it {move}.",
    ]
    return "\n".join(_wrap(x) for x in parts)


class _GsnDumper(yaml.SafeDumper):
    """Multi-line text as YAML block scalars (`text: |`), as the gsn2x docs write it."""


def _str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_GsnDumper.add_representer(str, _str)


def to_gsn(case: SafetyCase, ev: CaseEvaluation) -> str:
    """gsn2x YAML: goals (G), strategies (S) for how children combine, solutions (Sn) for
    evidence, assumptions (A), context (C); confidences as assurance claim points (acp) and
    in the text; each open contradiction against a leaf as a counter-goal (CG) that
    `challenges` it. Text is wrapped to GSN_WRAP columns; a solution shows the start of its
    quote, its claim id, and the independent lines that support it; contested elements say
    so in bold and carry the CSS class `contested`."""
    out: dict[str, dict[str, Any]] = {}
    results = {n.id: n for n in ev.nodes}
    for n in ev.nodes:
        node = case.nodes[n.id]
        if n.type == "evidence" and n.leaf:
            key = _key("Sn_", n.id)
            out[key] = {
                "text": _solution_text(n, n.leaf),
                "acp": {f"ACP_{n.id} {_acp(n.p, n.low, n.high)}": key},
            }
            if n.contested:
                out[key]["classes"] = ["contested"]
            for c in n.leaf.open_contradictions:
                out[_key("CG_", f"{n.id}_{c.finding_id[:12]}")] = {
                    "text": _counter_text(c),
                    "nodeType": "CounterGoal",  # explicit: older gsn2x read "C…" as context
                    "challenges": key,
                    "undeveloped": True,
                }
            continue
        key = _key("G_", n.id)
        text = [_wrap(node.text or ""), _confidence(n)]
        if n.contested:
            text.append(_wrap(_contested()))
        entry: dict[str, Any] = {
            "text": "\n".join(text),
            "acp": {f"ACP_{n.id} {_acp(n.p, n.low, n.high)}": key},
        }
        if n.contested:
            entry["classes"] = ["contested"]
        ctx = [_key("A_", a) for a in node.assumptions] + [_key("C_", c) for c in node.context]
        if ctx:
            entry["inContextOf"] = ctx
        if node.children:
            skey = _key("S_", n.id)
            entry["supportedBy"] = [skey]
            how = "all of" if node.combine == "all-of" else "any one of (independent alternatives)"
            out[skey] = {
                "text": _wrap(f"Argue over {how} the subclaims"),
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
    title = " ".join(ev.title.split())  # one comment line, whatever the case file held
    header = f"# GSN for gsn2x: {title}\n# evaluated {ev.evaluated_at}\n"
    header += "".join(f"# warning: {w}\n" for w in warning_lines(ev))
    return header + yaml.dump(
        out, Dumper=_GsnDumper, sort_keys=False, allow_unicode=True, width=1000
    )
