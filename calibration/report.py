"""Scoring calibration: Brier score, expected calibration error, reliability diagram."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

N_BINS = 10


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReliabilityBin(_Model):
    low: float = Field(description="Bin lower edge (predicted probability)")
    high: float = Field(description="Bin upper edge")
    count: int = Field(description="Verdicts in the bin")
    mean_predicted: float | None = Field(default=None, description="Mean predicted probability")
    fraction_confirmed: float | None = Field(default=None, description="Observed confirm rate")


class Scores(_Model):
    brier: float = Field(description="Mean squared error of the probabilities (0 is perfect)")
    ece: float = Field(description="Expected calibration error, 10 equal-width bins")
    bins: list[ReliabilityBin] = Field(description="Reliability diagram data")


class InvestigatorCalibration(_Model):
    investigator: str = Field(description="Investigator name")
    n: int = Field(description="Verdicts (confirmed + dismissed)")
    positives: int = Field(description="Confirmed verdicts")
    fitted: bool = Field(description="Whether a map was fitted")
    method: str | None = Field(default=None, description="isotonic or platt")
    message: str | None = Field(default=None, description="Why nothing was fitted")
    raw: Scores | None = Field(default=None, description="The raw scores taken as probabilities")
    calibrated: Scores | None = Field(
        default=None, description="Out-of-fold calibrated probabilities"
    )


class CalibrationReport(_Model):
    generated_at: str = Field(description="ISO timestamp")
    investigators: list[InvestigatorCalibration] = Field(description="One entry each")


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def reliability(p: np.ndarray, y: np.ndarray, n_bins: int = N_BINS) -> list[ReliabilityBin]:
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, n_bins - 1)
    out = []
    for b in range(n_bins):
        mask = idx == b
        n = int(mask.sum())
        out.append(
            ReliabilityBin(
                low=float(edges[b]),
                high=float(edges[b + 1]),
                count=n,
                mean_predicted=float(p[mask].mean()) if n else None,
                fraction_confirmed=float(y[mask].mean()) if n else None,
            )
        )
    return out


def ece(p: np.ndarray, y: np.ndarray, n_bins: int = N_BINS) -> float:
    total = len(p)
    return float(
        sum(
            b.count / total * abs((b.mean_predicted or 0.0) - (b.fraction_confirmed or 0.0))
            for b in reliability(p, y, n_bins)
            if b.count
        )
    )


def scores_of(p: np.ndarray, y: np.ndarray) -> Scores:
    return Scores(brier=brier(p, y), ece=ece(p, y), bins=reliability(p, y))


def write_png(report: CalibrationReport, path: Path) -> Path:
    """One reliability diagram per investigator with verdicts (raw vs calibrated)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in report.investigators if r.raw is not None] or report.investigators[:1]
    fig, axes = plt.subplots(1, max(1, len(rows)), figsize=(4.5 * max(1, len(rows)), 4.2))
    axes = np.atleast_1d(axes)
    for ax, r in zip(axes, rows, strict=False):
        ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="perfect")
        for label, sc, colour in (
            ("raw score", r.raw, "tab:red"),
            ("calibrated", r.calibrated, "tab:blue"),
        ):
            if sc is None:
                continue
            pts = [(b.mean_predicted, b.fraction_confirmed) for b in sc.bins if b.count]
            if pts:
                xs, ys = zip(*pts, strict=True)
                ax.plot(xs, ys, marker="o", color=colour, label=f"{label} (ECE {sc.ece:.3f})")
        ax.set_title(f"{r.investigator}\n{r.n} verdicts, {r.positives} confirmed", fontsize=9)
        ax.set_xlabel("predicted P(confirmed)")
        ax.set_ylabel("observed fraction confirmed")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        if r.message:
            ax.text(0.5, 0.5, "too few verdicts", ha="center", va="center", fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
