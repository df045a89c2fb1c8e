"""Injected flaws planted into a copy of a real corpus document, through the whole system.

A copy of 004 (the research log) gets perturbed sentences (negation, antonym, number,
quantifier) and faithful paraphrases planted in place of real claims. Original and copy are
ingested into a throw-away graph and the offline runner investigates; a flaw counts as
caught when a `contradicts` finding links the planted claim to its original. This measures
extraction, candidate generation and judgement together. Every other `contradicts` finding
between the two documents is a false alarm (the copy is otherwise identical).
Run: .venv/bin/python -m bench.planted
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from app.investigate import build_runner
from bench.harness import CORPUS, bench_services
from ingest.claims.rules import RuleExtractor
from ingest.pipeline import RecordBuilder
from investigators.nli import perturb

DOC = "004_cb0576cbb71365f7.txt"
# The perturbation families (bench/judgement's own copies moved to investigators.nli.perturb).
FAMILIES: dict[str, perturb.Family] = {
    "negation": perturb.negate,
    "antonym": perturb.antonym,
    "number": perturb.changed_number,
    "quantifier": perturb.quantifier,
    "paraphrase (control)": perturb.paraphrase,
}
PLANT = tuple(FAMILIES)
PER_FAMILY = 15


def plant(raw: str, claims: list[str], seed: int = 5) -> tuple[str, dict[str, tuple[str, str]]]:
    """The perturbed text and {planted sentence: (family, original sentence)}."""
    rng = random.Random(seed)
    order = claims[:]
    rng.shuffle(order)
    used: set[str] = set()
    planted: dict[str, tuple[str, str]] = {}
    for fam in PLANT:
        n = 0
        for c in order:
            if n >= PER_FAMILY or c in used or raw.count(c) != 1:
                continue
            new = FAMILIES[fam](c, rng)
            if not new or new == c:
                continue
            raw = raw.replace(c, new)
            used.add(c)
            planted[new] = (fam, c)
            n += 1
    return raw, planted


def main() -> None:
    src = CORPUS / DOC
    raw = src.read_text(encoding="utf-8")
    ing = RecordBuilder(RuleExtractor())
    (doc,) = ing.build_records(src, src.read_bytes())[1]
    claims = [c.text for c in doc.claims if len(c.text.split()) >= 8]
    copy_text, planted = plant(raw, claims)
    with tempfile.TemporaryDirectory() as tmp, bench_services("planted") as svc:
        copy = Path(tmp) / "004_copy.txt"
        copy.write_text(copy_text, encoding="utf-8")
        outcomes = svc.ingestor().ingest_paths([str(src), str(copy)])
        assert all(o.status == "ingested" for o in outcomes), outcomes
        svc.claim_index().sync(svc.graph())
        report = build_runner(svc).run()
        with svc.graph().write() as s:
            rows = s.run(
                "MATCH (f:Finding {kind: 'contradicts'})-[:ABOUT]->(c:Claim) "
                "RETURN f.id AS id, collect(c.text) AS texts"
            ).data()
    caught: dict[str, int] = {}
    matched: set[str] = set()
    for r in rows:
        for new, (fam, old) in planted.items():
            if any(new in t for t in r["texts"]) and any(old in t for t in r["texts"]):
                caught[fam] = caught.get(fam, 0) + 1
                matched.add(r["id"])
    unmatched = [r for r in rows if r["id"] not in matched]
    false_alarms = len(unmatched)
    for r in unmatched[:3]:
        print("  example false alarm:", " <> ".join(t[:110] for t in r["texts"]))
    totals: dict[str, int] = {}
    for fam, _ in planted.values():
        totals[fam] = totals.get(fam, 0) + 1
    print(
        f"bench/planted: flaws planted into a copy of {DOC}; full pipeline "
        f"({report.claims_checked} claims checked, {report.candidate_pairs} candidate pairs)"
    )
    print(f"{'family':<24}{'planted':>8}{'caught':>8}{'recall':>8}")
    for fam in PLANT:
        n, k = totals.get(fam, 0), caught.get(fam, 0)
        label = "flagged (false alarm)" if "control" in fam else ""
        print(f"{fam:<24}{n:>8}{k:>8}{(k / n if n else 0):>8.2f}  {label}")
    hits = sum(v for f, v in caught.items() if "control" not in f)
    fa = false_alarms + caught.get("paraphrase (control)", 0)
    print(
        f"contradiction findings: {len(rows)}; precision on planted flaws "
        f"{hits / max(1, hits + fa):.2f} (false alarms: {fa})"
    )


if __name__ == "__main__":
    main()
