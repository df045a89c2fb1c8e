"""The README's "A researcher's day" runs as written: every command, in order, exits 0."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.services import Services
from queries.confidence import list_confidences
from queries.findings import list_findings
from queries.graph import list_lines

ROOT = Path(__file__).resolve().parents[2]


def _walkthrough() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A researcher's day", 1)[1]
    block = re.search(r"```console\n(.*?)```", section, re.S)
    assert block, "the walkthrough has a console block"
    return [ln[2:] for ln in block.group(1).splitlines() if ln.startswith("$ consilience ")]


def test_the_readme_walkthrough_runs_as_written(
    cli_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.main import app

    commands = _walkthrough()
    assert len(commands) >= 10
    topic = "demo/abstracts/membership-inference"
    shutil.copytree(ROOT / topic, tmp_path / topic)
    (tmp_path / "cases").mkdir()
    shutil.copy(ROOT / "cases" / "membership-inference.yaml", tmp_path / "cases")
    monkeypatch.chdir(tmp_path)  # outputs (gsn, export, report) land here, not in the repo
    graph = cli_services.graph()

    def ids() -> dict[str, str]:
        found = list_findings(graph, limit=1).items
        claims = list_confidences(graph, safety_critical=None, limit=1).items
        lines = list_lines(graph, limit=1).items
        return {
            "<finding-id>": found[0].id if found else "",
            "<claim-id>": claims[0].claim_id if claims else "",
            "<line-id>": lines[0].id if lines else "",
        }

    cli = CliRunner()
    for command in commands:
        argv = shlex.split(command)[1:]
        if any(a.startswith("<") for a in argv):
            values = ids()
            argv = [values.get(a, a) for a in argv]
            assert all(argv), f"no id to fill in for: {command}"
        # review: confirm the first finding it offers (with a reason), then quit
        stdin = "c\nread both abstracts\nq\n" if argv[0] == "review" else None
        out = cli.invoke(app, argv, input=stdin)
        assert out.exit_code == 0, f"`{command}` exited {out.exit_code}:\n{out.output}"
        assert "Traceback" not in out.output, command
        if argv[0] == "review":
            assert "Reviewed: 1 confirmed" in out.output, out.output
    assert (tmp_path / "mia.gsn.yaml").stat().st_size > 0
    assert (tmp_path / "findings.jsonl").read_text().count("\n") >= 1
    assert (tmp_path / "calibration-report" / "reliability.png").exists()


def test_the_main_job_reports_and_a_rerun_only_reports(
    cli_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`consilience run` (what scripts/main.sh calls): the three report sections and the
    case; run again on the same files, it investigates nothing and says why."""
    from cli.main import app

    topic = "demo/abstracts/membership-inference"
    shutil.copytree(ROOT / topic, tmp_path / topic)
    case = ROOT / "cases" / "membership-inference.yaml"
    monkeypatch.chdir(tmp_path)
    cli = CliRunner()
    first = cli.invoke(app, ["run", topic, "--case", str(case)])
    assert first.exit_code == 0, first.output
    for part in (
        "1. What was ingested",
        "2. What the investigators found",
        "Checked ",
        "3. Confidence in safety-critical claims",
        "Membership inference cannot reveal",
    ):
        assert part in first.output, part
    again = cli.invoke(app, ["run", topic, "--case", str(case)])
    assert again.exit_code == 0, again.output
    assert "Nothing new to investigate" in again.output and "Checked " not in again.output
