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
