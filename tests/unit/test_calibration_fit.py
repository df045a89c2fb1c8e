"""Learning from verdicts: recovering a known curve, refusing to fit on too little."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from calibration.fit import CalibrationMap, NotEnoughVerdicts, cross_validated, fit_map
from calibration.report import (
    CalibrationReport,
    InvestigatorCalibration,
    brier,
    ece,
    scores_of,
    write_png,
)

TOLERANCE = 0.06  # max |fitted - true| on the interior grid, 4,000 synthetic verdicts


def true_curve(s: np.ndarray) -> np.ndarray:
    """A known, miscalibrated relation: scores overstate at the top, understate low."""
    return 1.0 / (1.0 + np.exp(-8.0 * (s - 0.6)))


def _verdicts(n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    s = rng.uniform(0.0, 1.0, n)
    return s, (rng.uniform(0.0, 1.0, n) < true_curve(s)).astype(float)


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_fit_recovers_a_known_curve_within_tolerance(method) -> None:
    s, y = _verdicts(4000)
    m = fit_map("contradiction-cues", s, y, method=method)
    assert isinstance(m, CalibrationMap)
    grid = np.linspace(0.1, 0.9, 33)
    err = np.abs(m.apply(grid) - true_curve(grid)).max()
    assert err < TOLERANCE, f"{method}: max error {err:.3f}"
    # and it really is better calibrated than the raw scores, out of fold
    cv = cross_validated(s, y, method=method)
    assert ece(cv, y) < ece(s, y) / 2
    assert brier(cv, y) < brier(s, y)


def test_too_few_verdicts_says_so_instead_of_fitting() -> None:
    s, y = _verdicts(12)
    out = fit_map("contradiction-cues", s, y)
    assert isinstance(out, NotEnoughVerdicts)
    assert "need at least" in out.message and "findings confirm" in out.message
    one_class = fit_map("x", np.linspace(0, 1, 50), np.ones(50))
    assert isinstance(one_class, NotEnoughVerdicts)


def test_ece_and_brier_on_known_values() -> None:
    p = np.array([0.0, 0.0, 1.0, 1.0])
    assert brier(p, np.array([0.0, 0.0, 1.0, 1.0])) == 0.0
    assert ece(p, np.array([0.0, 0.0, 1.0, 1.0])) == 0.0
    assert ece(np.full(4, 0.75), np.array([1.0, 0.0, 0.0, 1.0])) == pytest.approx(0.25)


def test_reliability_png_and_json(tmp_path) -> None:
    s, y = _verdicts(600)
    report = CalibrationReport(
        generated_at=datetime.now(UTC).isoformat(),
        investigators=[
            InvestigatorCalibration(
                investigator="contradiction-cues",
                n=600,
                positives=int(y.sum()),
                fitted=True,
                method="isotonic",
                raw=scores_of(s, y),
                calibrated=scores_of(cross_validated(s, y), y),
            )
        ],
    )
    png = write_png(report, tmp_path / "reliability.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    back = CalibrationReport.model_validate(json.loads(report.model_dump_json()))
    assert back == report
    raw = back.investigators[0].raw
    assert raw is not None
    assert sum(b.count for b in raw.bins) == 600


def _entry(name: str, s: np.ndarray, y: np.ndarray) -> InvestigatorCalibration:
    return InvestigatorCalibration(
        investigator=name,
        n=len(y),
        positives=int(y.sum()),
        fitted=True,
        method="isotonic",
        raw=scores_of(s, y),
        calibrated=scores_of(cross_validated(s, y), y),
    )


def test_scores_in_a_narrow_band_warn_that_they_carry_little_information() -> None:
    rng = np.random.default_rng(3)
    s = rng.uniform(0.68, 0.71, 300)
    y = (rng.uniform(size=300) < 0.45).astype(float)
    r = _entry("nli-contradiction", s, y)
    assert r.raw is not None and r.raw.spread is not None
    assert r.raw.spread.q25 >= 0.68 and r.raw.spread.q75 <= 0.71
    narrow = [w for w in r.warnings if "carry little information" in w]
    assert narrow and "0.68–0.71" in narrow[0] and "IQR" in narrow[0]
    # every bin of both the raw and the calibrated scores says how many verdicts it holds
    assert r.calibrated is not None
    assert sum(b.count for b in r.raw.bins) == sum(b.count for b in r.calibrated.bins) == 300
    occupied = [b for b in r.raw.bins if b.count]
    assert [b.low for b in occupied] == pytest.approx([0.6, 0.7])
    assert [b.high for b in occupied] == pytest.approx([0.7, 0.8])
    report = CalibrationReport(generated_at="2026-01-01T00:00:00+00:00", investigators=[r])
    assert report.warnings == [f"nli-contradiction: {w}" for w in r.warnings]


def test_spread_out_scores_with_enough_verdicts_do_not_warn() -> None:
    s, y = _verdicts(2000)
    r = _entry("contradiction-cues", s, y)
    assert r.warnings == []
    report = CalibrationReport(generated_at="2026-01-01T00:00:00+00:00", investigators=[r])
    assert report.warnings == []


def test_too_few_verdicts_per_bin_warn() -> None:
    s, y = _verdicts(60)  # about 6 per bin
    r = _entry("contradiction-cues", s, y)
    sparse = [w for w in r.warnings if "fewer than 10 verdicts" in w]
    assert sparse and not any("little information" in w for w in r.warnings)


def test_reports_without_the_new_fields_still_load() -> None:
    """JSON written before bins' spread and warnings existed still validates (and gains
    the warnings it can derive)."""
    s, y = _verdicts(600)
    data = json.loads(_entry("contradiction-cues", s, y).model_dump_json())
    del data["warnings"]
    for sc in ("raw", "calibrated"):
        del data[sc]["spread"]
    old = {"generated_at": "2025-01-01T00:00:00+00:00", "investigators": [data]}
    back = CalibrationReport.model_validate(old)
    assert back.investigators[0].raw is not None and back.investigators[0].raw.spread is None


def test_reliability_png_for_several_investigators_and_none(tmp_path) -> None:
    rng = np.random.default_rng(5)
    narrow = rng.uniform(0.68, 0.71, 120)
    s, y = _verdicts(300)
    report = CalibrationReport(
        generated_at=datetime.now(UTC).isoformat(),
        investigators=[
            _entry("a", narrow, (rng.uniform(size=120) < 0.45).astype(float)),
            _entry("b", s, y),
            InvestigatorCalibration(
                investigator="c", n=4, positives=1, fitted=False, message="too few",
                raw=scores_of(np.array([0.1, 0.4, 0.5, 0.9]), np.array([0.0, 0.0, 1.0, 0.0])),
            ),
            _entry("d", s, y),
        ],
    )  # fmt: skip
    png = write_png(report, tmp_path / "grid.png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    empty = write_png(CalibrationReport(generated_at="x", investigators=[]), tmp_path / "e.png")
    assert empty.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and empty.stat().st_size > 0


def test_terminal_report_shows_bin_counts_and_warnings() -> None:
    from rich.console import Console

    from cli.report_calibration import render_calibration

    rng = np.random.default_rng(3)
    narrow = _entry(
        "nli-contradiction",
        rng.uniform(0.68, 0.71, 200),
        (rng.uniform(size=200) < 0.45).astype(float),
    )
    report = CalibrationReport(generated_at="2026-01-01T00:00:00+00:00", investigators=[narrow])
    console = Console(record=True, width=100, color_system="truecolor")
    render_calibration(console, report)
    text = console.export_text(clear=False)
    assert "Reliability bins" in text
    raw = narrow.raw
    assert raw is not None
    counts = [str(b.count) for b in raw.bins if b.count]
    row = next(line for line in text.splitlines() if line.strip().startswith("raw "))
    assert row.split()[-len(raw.bins) :] == [str(b.count) if b.count else "·" for b in raw.bins]
    assert counts and "0.68–0.71" in row
    assert "carry little information" in " ".join(text.split())
    styled = console.export_text(styles=True)
    assert "\x1b[33m" in styled  # the warning is yellow
