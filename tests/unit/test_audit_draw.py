"""Drawing and assembling a reading audit of the judge's calls (training.audit), on findings
between quotes of the demo abstracts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from training.audit import assemble, draw, main, markup_pattern, pair_key
from training.real_pairs import load

ABSTRACTS = [p for p in load(("abstracts",)) if p.split in ("calibration", "test")]


def _finding(i: int, kind: str, a: Any, b: Any) -> dict[str, Any]:
    def side(s: Any) -> dict[str, Any]:
        return {"quote": s.quote, "source_title": s.doc, "source_path": f"/srv/x/{s.doc}"}

    return {
        "id": f"fnd_{i}", "kind": kind, "investigator": "nli-judge", "version": "11+m@1+fit-2",
        "a": side(a), "b": side(b),
    }  # fmt: skip


def _findings() -> list[dict[str, Any]]:
    out = [_finding(i, "contradicts" if i % 2 else "converges_with", p.a, p.b)
           for i, p in enumerate(ABSTRACTS)]  # fmt: skip
    cal = next(p for p in ABSTRACTS if p.split == "calibration")
    tst = next(p for p in ABSTRACTS if p.split == "test")
    out.append(_finding(900, "contradicts", cal.a, tst.b))  # straddles the split
    out.append({**_finding(901, "contradicts", cal.a, cal.b), "investigator": "cue-detector"})
    bad = _finding(902, "contradicts", cal.a, cal.b)
    bad["a"]["quote"] += " A sentence the abstract does not have."
    return [*out, bad]


def test_draw_takes_per_cell_calls_at_random_and_hides_the_call() -> None:
    key = draw(_findings(), 3, seed=1)
    cells = sorted((k["called"], k["split"]) for k in key)
    assert cells == sorted(
        [(c, s) for c in ("contradicts", "converges_with") for s in ("calibration", "test")] * 3
    )
    assert [k["pid"] for k in key] == [f"R{i:03d}" for i in range(1, 13)]
    assert all(k["judge"] == "nli-judge@11+m@1+fit-2" for k in key)
    assert {k["finding"] for k in key}.isdisjoint({"fnd_900", "fnd_901", "fnd_902"})
    for k in key:  # an abstract side is its repository path and exact quote
        assert k["a"]["doc"].startswith("demo/abstracts/") and k["a"]["quote"]
        assert set(k["blind"]["A"]) == {"quote", "document", "file"}
    assert draw(_findings(), 3, seed=1) == key  # the seed makes the round
    assert draw(_findings(), 3, seed=2) != key


def test_draw_can_take_straddling_calls_and_skips_pairs_read_before() -> None:
    key = draw(_findings(), 50, seed=1, straddling=("contradicts",))
    assert [k["finding"] for k in key if k["split"] == "straddling"] == ["fnd_900"]
    seen = {frozenset((k["blind"]["A"]["quote"], k["blind"]["B"]["quote"])) for k in key[:5]}
    again = draw(_findings(), 50, seed=1, straddling=("contradicts",), read_before=seen)
    assert len(again) == len(key) - 5


def test_assemble_needs_every_label_and_a_known_one() -> None:
    key = draw(_findings(), 1, seed=1)
    labels = {k["pid"]: {"pid": k["pid"], "label": "related", "reason": "r"} for k in key}
    rows = assemble(key, labels, 181)
    assert [r["id"] for r in rows] == ["aud-181", "aud-182", "aud-183", "aud-184"]
    assert all(r["topic"] == "main-job call" and r["note"] == "r" for r in rows)
    with pytest.raises(SystemExit, match="no label for R004"):
        assemble(key, {p: v for p, v in labels.items() if p != "R004"}, 181)
    with pytest.raises(SystemExit, match="'maybe' is not one of"):
        assemble(key, {**labels, "R001": {"pid": "R001", "label": "maybe"}}, 181)


def test_the_command_writes_blind_batches(tmp_path: Path) -> None:
    findings = tmp_path / "findings.jsonl"
    findings.write_text("".join(json.dumps(f) + "\n" for f in _findings()))
    main(["draw", str(findings), str(tmp_path / "round"), "--per-cell", "2", "--seed", "5"])
    batches = [tmp_path / "round" / f"batch{i}.jsonl" for i in range(1, 5)]
    lines = [json.loads(x) for b in batches for x in b.read_text().splitlines()]
    assert len(lines) == 8 and all(set(x) == {"pid", "A", "B"} for x in lines)
    assert "contradicts" not in "".join(b.read_text() for b in batches)


def test_a_cleaned_quote_is_found_across_the_markup_the_cleaning_removed() -> None:
    raw = (
        "we may use <strong>honey pots</strong>, sting operations. Further, once systems are "
        'capable, <a href="https://example.org/x#y">control becomes infeasible</a>. AIs might '
        "run &gt;30x faster."
    )
    for quote in ("honey pots, sting operations.", "once systems are capable, control becomes "
                  "infeasible.", "AIs might run >30x faster."):  # fmt: skip
        found = re.search(markup_pattern(quote), raw)
        assert found is not None, quote
        assert re.sub(r"<[^>]*>", "", found.group(0)).replace("&gt;", ">") == quote
    assert re.search(markup_pattern("honey pots, sting tests."), raw) is None


def test_a_pair_read_before_is_known_by_its_cleaned_quotes() -> None:
    """Audit rows keep a corpus side as its raw span (tags, entities); findings quote the
    cleaned text. Both must give the same key, or the pair would be drawn and read again."""
    raw = 'such AIs might run &gt;30x faster; <a href="https://x.org/a">control</a>  fails'
    assert pair_key(raw, "B.") == pair_key("such AIs might run >30x faster; control fails", "B.")
    assert pair_key("x < y and z > w", "B.") == pair_key("x &lt; y and z &gt; w", "B.")
