"""Files a command reads or writes are checked before any work (no database needed to see
it): a folder for a file, a folder that does not exist, bytes that are not text. Red-teamed:
each of these ended in a traceback, `calibration fit` after it had stored its maps."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app


@pytest.fixture()
def bad(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "junk.bin").write_bytes(bytes(range(256)))
    (tmp_path / "a-file.md").write_text("x")
    return {
        "dir": str(tmp_path),
        "junk": str(tmp_path / "junk.bin"),
        "file": str(tmp_path / "a-file.md"),
        "nowhere": str(tmp_path / "no" / "such" / "x.jsonl"),
    }


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["judge", "--pairs", "{dir}"], "is a folder"),
        (["judge", "--pairs", "{file}", "A", "B"], "not both"),
        (["findings", "verdicts", "{dir}"], "is a folder"),
        (["findings", "verdicts", "{junk}", "--reviewer", "x"], "is not UTF-8 text"),
        (["findings", "export", "--format", "jsonl", "-o", "{dir}"], "is a folder"),
        (["findings", "export", "--format", "jsonl", "-o", "{nowhere}"], "does not exist"),
        (["candidates", "export", "--format", "jsonl", "-o", "{dir}"], "is a folder"),
        (["calibration", "fit", "--out", "{file}"], "is not a folder"),
        (["model", "fit-judge", "--model-dir", "{dir}"], "holds no model.int8.onnx"),
        (["calibration", "report", "--out", "{file}"], "is not a folder"),
        (["case", "evaluate", "cases/auto-alignment.yaml", "--gsn", "{nowhere}"], "does not exist"),
    ],
)
def test_a_bad_path_is_one_line_before_any_work(
    bad: dict[str, str], argv: list[str], says: str
) -> None:
    out = CliRunner().invoke(app, [a.format(**bad) for a in argv])
    assert out.exit_code == 2, out.output
    assert not isinstance(out.exception, Exception)  # SystemExit(2) is not an Exception
    said = " ".join(out.output.split())  # rich wraps the message at the terminal's width
    assert says in said and "Traceback" not in said


@pytest.mark.parametrize(
    ("first_line", "says"),
    [
        ("fnd_1,dismissed", "the first line is not a header naming the columns"),
        ("id,status", "the header lacks the column(s) verdict"),
        ("id;verdict;reason", "its columns are separated by ';'"),
    ],
)
def test_a_verdicts_csv_without_its_columns_says_which(
    tmp_path: Path, first_line: str, says: str
) -> None:
    """Red-teamed: a header lacking only "verdict", or written with ';', was called "not a
    header"."""
    f = tmp_path / "v.csv"
    f.write_text(f"{first_line}\nfnd_2,dismissed\n")
    out = CliRunner().invoke(app, ["findings", "verdicts", str(f), "--reviewer", "x"])
    assert out.exit_code == 2 and says in " ".join(out.output.split()), out.output


def test_the_diagram_never_replaces_the_case_it_is_drawn_from(tmp_path: Path) -> None:
    """Red-teamed: `case evaluate case.yaml --gsn case.yaml` wrote the diagram over the
    hand-written case (so did a link to it)."""
    case = tmp_path / "case.yaml"
    text = "title: t\nnodes:\n  G1: {type: goal, text: g}\n"
    case.write_text(text)
    (tmp_path / "link.yaml").symlink_to(case)
    for gsn in (case, tmp_path / "link.yaml"):
        out = CliRunner().invoke(app, ["case", "evaluate", str(case), "--gsn", str(gsn)])
        assert out.exit_code == 2, out.output
        assert "is the case file itself" in " ".join(out.output.split())
    assert case.read_text() == text


@pytest.mark.parametrize(
    "argv",
    [
        ["lines", "list", "--min-sources", "99999999999999999999"],
        ["topics", "list", "--min-sources", "99999999999999999999"],
        ["serve", "--port", "99999999999999999999"],
    ],
)
def test_huge_numbers_are_refused_as_options_not_overflow_tracebacks(argv: list[str]) -> None:
    """Red-teamed: OverflowError (Python int too large to convert to C long) at the query."""
    out = CliRunner().invoke(app, argv)
    assert out.exit_code == 2 and "less than or equal" in " ".join(out.output.split())
