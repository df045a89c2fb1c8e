"""A reading audit of the judge's own calls (bench/data/real_pairs/audit.jsonl), drawn and
assembled the way its rounds were (see that folder's README and RUBRIC.md).

1. `consilience findings export > findings.jsonl` after a main job.
2. `python -m training.audit draw findings.jsonl OUT --per-cell 20 --seed S
   [--straddling contradicts]`: from the NLI judge's contradiction and convergence calls not
   read before, `--per-cell` drawn at random per (call, split) cell among calls whose two sides
   are in calibration documents or both in test documents (and, for the kinds named, calls that
   straddle the split). Writes OUT/key.json (what was called, the sides as audit sides) and
   OUT/batch1..4.jsonl: blind batches for four readers, shuffled, quotes with their document
   and file and nothing about the call.
3. Each reader writes OUT/labels1..4.jsonl per RUBRIC.md: {"pid", "label", "reason"}.
4. `python -m training.audit assemble OUT`: appends the labelled calls to audit.jsonl with the
   next ids and the judge version of the findings.

A corpus side is stored as a span of ../shared/corpus (its text is not copied). A call with a
side whose quote cannot be found in its file is not drawn: found across whitespace and the
HTML markup the cleaning removed, or with --verbatim across whitespace only (as the first three
rounds were drawn).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import html
import json
import random
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from training.real_pairs import CORPUS, DATA, LABELS, ROOT, RealSide, load, side_split

AUDIT = DATA / "audit.jsonl"
AUDIT_LABELS = (*LABELS[:3], "related", "unrelated")
CALLS = ("contradicts", "converges_with")
BATCHES = 4


def locate(
    side: dict[str, Any], *, verbatim: bool = False
) -> tuple[dict[str, Any], RealSide] | None:
    """A finding's side as an audit side (an abstract by quote, a corpus file by span), or
    None when its quote is not in the file: verbatim but for whitespace, or (by default) also
    across the HTML markup the cleaning removed."""
    path, quote = str(side.get("source_path") or ""), str(side["quote"])
    if not path or side.get("node", "claim") != "claim":
        return None
    if "demo/abstracts/" in path:
        doc = "demo/abstracts/" + path.split("demo/abstracts/")[1]
        if quote not in (ROOT / doc).read_text(encoding="utf-8"):
            return None
        return {"doc": doc, "quote": quote}, RealSide(doc, doc, quote)
    name = Path(path).name
    text = (CORPUS / name).read_text(encoding="utf-8")
    pattern = r"\s+".join(map(re.escape, quote.split())) if verbatim else markup_pattern(quote)
    found = re.search(pattern, text)
    if found is None:
        return None
    start, end = found.span()
    out: dict[str, Any] = {"doc": name, "start": start, "end": end}
    out["sha1"] = hashlib.sha1(text[start:end].encode()).hexdigest()[:12]
    source = name[:3]
    if name[:3] in ("000", "002"):  # a file of several sources: the side names its own
        out["post"] = side["source_title"]
        source += "/" + str(side["source_title"])
    return out, RealSide(name, source, quote)


_TAG = r"<[^<>\n]{0,500}>"
_TAGS = rf"(?:{_TAG})*"
_GAP = rf"(?:\s|{_TAG})+"
_ENTITIES = {">": "(?:>|&gt;)", "<": "(?:<|&lt;)", "&": "(?:&|&amp;)"}


def markup_pattern(quote: str) -> str:
    """A pattern for a cleaned quote in the raw file it came from: any whitespace, HTML tags
    between characters ("minds</strong>: We"), entities for <, > and & ("run &gt;30x")."""
    out = []
    for ch in quote.strip():
        if ch.isspace():
            if not out or out[-1] != _GAP:
                out.append(_GAP)
            continue
        out.append(_ENTITIES.get(ch, re.escape(ch)) + _TAGS)
    return "".join(out)


def _plain(text: str) -> str:
    """A quote as the cleaning leaves it: a raw corpus span (audit rows) without its tags and
    entities, whitespace collapsed, so a pair read before is known again by a finding's quotes."""
    return " ".join(html.unescape(re.sub(r"</?[A-Za-z][^<>]*>", "", text)).split())


def pair_key(a: str, b: str) -> frozenset[str]:
    return frozenset((_plain(a), _plain(b)))


def draw(
    findings: Iterable[dict[str, Any]],
    per_cell: int,
    seed: int,
    *,
    straddling: tuple[str, ...] = (),
    read_before: set[frozenset[str]] | None = None,
    verbatim: bool = False,
) -> list[dict[str, Any]]:
    """The key of a new round: per (call, split) cell, up to `per_cell` calls drawn at random,
    then shuffled and numbered R001, R002, ... (the order the readers see)."""
    split = json.loads((DATA / "split.json").read_text(encoding="utf-8"))
    cells: dict[tuple[str, str], list[dict[str, Any]]] = collections.defaultdict(list)
    for f in findings:
        if f["investigator"] != "nli-judge" or f["kind"] not in CALLS:
            continue
        if pair_key(f["a"]["quote"], f["b"]["quote"]) in (read_before or set()):
            continue
        a, b = locate(f["a"], verbatim=verbatim), locate(f["b"], verbatim=verbatim)
        if a is None or b is None:
            continue
        sa, sb = side_split(a[1], split), side_split(b[1], split)
        where = sa if sa == sb else "straddling"
        if where != "straddling" or f["kind"] in straddling:
            cells[(f["kind"], where)].append({"finding": f, "a": a[0], "b": b[0], "split": where})
    rng = random.Random(seed)
    # cells in the order the rounds drew them (straddling calls were "unused" then)
    order = sorted(cells, key=lambda c: (c[0], "unused" if c[1] == "straddling" else c[1]))
    picked = [x for c in order for x in rng.sample(cells[c], min(per_cell, len(cells[c])))]
    rng.shuffle(picked)
    return [
        {
            "pid": f"R{i:03d}",
            "finding": x["finding"]["id"],
            "called": x["finding"]["kind"],
            "judge": f"nli-judge@{x['finding']['version']}",
            "split": x["split"],
            "a": x["a"],
            "b": x["b"],
            "blind": {k: _blind(x["finding"][k.lower()], x[k.lower()]) for k in ("A", "B")},
        }
        for i, x in enumerate(picked, 1)
    ]


def _blind(side: dict[str, Any], where: dict[str, Any]) -> dict[str, str]:
    """What a reader is given of a side: the quote, its document and the file to read it in."""
    doc = str(where["doc"])
    file = ROOT / doc if doc.startswith("demo/") else CORPUS / doc
    return {"quote": side["quote"], "document": side["source_title"], "file": str(file.resolve())}


def audited_pairs(rows: int | None = None) -> set[frozenset[str]]:
    """The quote pairs read in earlier rounds (the first `rows` of audit.jsonl, or all)."""
    return {pair_key(p.a.quote, p.b.quote) for p in load(("audit",))[:rows]}


def assemble(
    key: list[dict[str, Any]], labels: dict[str, dict[str, Any]], first: int
) -> list[dict[str, Any]]:
    """Audit rows (ids from aud-`first`) for a labelled round; every pair needs its label."""
    missing = sorted({k["pid"] for k in key} - set(labels))
    if missing:
        raise SystemExit(f"no label for {', '.join(missing)}: every reader must finish first")
    rows = []
    for i, k in enumerate(sorted(key, key=lambda k: k["pid"]), first):
        lab = labels[k["pid"]]
        if lab.get("label") not in AUDIT_LABELS:
            raise SystemExit(f"{k['pid']}: label {lab.get('label')!r} is not one of {AUDIT_LABELS}")
        rows.append(
            {
                "id": f"aud-{i:03d}", "topic": "main-job call", "a": k["a"], "b": k["b"],
                "label": lab["label"], "called": k["called"], "judge": k["judge"],
                "note": lab.get("reason", ""),
            }
        )  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m training.audit", description="A reading audit of the judge's own calls."
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("draw", help="draw a round from exported findings")
    d.add_argument("findings", type=Path)
    d.add_argument("out", type=Path)
    d.add_argument("--per-cell", type=int, default=20)
    d.add_argument("--seed", type=int, required=True)
    d.add_argument("--straddling", nargs="*", default=[], choices=CALLS)
    d.add_argument(
        "--verbatim", action="store_true",
        help="draw only quotes found in their file as they are (as the first three rounds did)",
    )  # fmt: skip
    a = sub.add_parser("assemble", help="append a labelled round to audit.jsonl")
    a.add_argument("out", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "draw":
        lines = args.findings.read_text(encoding="utf-8").splitlines()
        key = draw(
            (json.loads(x) for x in lines if x.strip()), args.per_cell, args.seed,
            straddling=tuple(args.straddling), read_before=audited_pairs(),
            verbatim=args.verbatim,
        )  # fmt: skip
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "key.json").write_text(json.dumps(key, indent=1, ensure_ascii=False))
        per = -(-len(key) // BATCHES)
        for j in range(BATCHES):
            batch = [{"pid": k["pid"], **k["blind"]} for k in key[j * per : (j + 1) * per]]
            text = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in batch)
            (args.out / f"batch{j + 1}.jsonl").write_text(text, encoding="utf-8")
        cells = collections.Counter((k["called"], k["split"]) for k in key)
        print(f"{len(key)} calls drawn into {args.out}: {dict(cells)}")
        return
    key = json.loads((args.out / "key.json").read_text(encoding="utf-8"))
    labels = {
        r["pid"]: r
        for f in sorted(args.out.glob("labels*.jsonl"))
        for r in (json.loads(x) for x in f.read_text(encoding="utf-8").splitlines() if x.strip())
    }
    old = [x for x in AUDIT.read_text(encoding="utf-8").splitlines() if x.strip()]
    rows = assemble(key, labels, len(old) + 1)
    if not rows:
        print("nothing to append: the round drew no calls")
        return
    with AUDIT.open("a", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    print(f"{len(rows)} rows appended to {AUDIT} ({rows[0]['id']} to {rows[-1]['id']})")


if __name__ == "__main__":
    main()
