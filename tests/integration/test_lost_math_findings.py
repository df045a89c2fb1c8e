"""A finding on a claim whose math was lost in conversion says so, wherever it is shown."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from rich.console import Console

from app.services import Services
from cli.report import render_finding
from consilience.vocabulary import FindingKind
from kg.records import FindingRecord
from kg.writers import investigation_store
from queries.findings import export_record, get_finding, list_findings
from tests.probe_documents import REPLY


def test_a_finding_side_whose_math_was_lost_says_so(
    clean_services: Services, tmp_path: Path
) -> None:
    """A claim whose symbols were dropped converting its source reads like any other quote in a
    finding; its side carries the flag in the list, the single finding, the export and the
    report, so a reader knows to check the source before trusting the comparison."""
    svc = clean_services
    (tmp_path / "coins.md").write_text(
        "# Coins\n\nAgents collecting a coin get a reward equal to , and all other actions "
        "yield a reward of .\n"
    )
    (tmp_path / "reply.md").write_text(REPLY)
    svc.ingestor().ingest_paths([str(tmp_path)])
    with svc.graph().write() as s:
        ids = {
            r["lost"]: r["id"]
            for r in s.run(
                "MATCH (c:Claim) WHERE c.text STARTS WITH 'Agents' OR c.text STARTS WITH 'Linear'"
                " RETURN c.id AS id, coalesce(c.lost_content, false) AS lost"
            )
        }
    assert set(ids) == {True, False}
    investigation_store.write_findings(
        svc.graph(),
        [
            FindingRecord(
                id="fnd_lost", a_id=ids[True], b_id=ids[False], kind=FindingKind.CONTRADICTS,
                score=0.9, investigator="nli", version="1", rationale="synthetic",
            )
        ],
        [],
        "t",
    )  # fmt: skip
    (listed,) = list_findings(svc.graph()).items
    shown = get_finding(svc.graph(), "fnd_lost")
    for f in (listed, shown):
        assert (f.a.lost_content, f.b.lost_content) == (True, False)
    side = export_record(listed)["a"]
    assert isinstance(side, dict) and side["lost_content"] is True
    out = StringIO()
    render_finding(Console(file=out, width=200), shown)
    assert out.getvalue().count("math or numbers were lost converting this source") == 1
