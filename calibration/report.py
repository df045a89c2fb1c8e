"""Scoring calibration: Brier score, expected calibration error, reliability bins with their
counts, warnings where the data cannot support a conclusion, and the reliability diagram."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from matplotlib.axes import Axes

N_BINS = 10
NARROW_IQR = 0.05  # raw scores with a smaller interquartile range say little about verdicts
MIN_PER_BIN = 10  # fewer verdicts in a bin: its observed rate is rough (±0.15 or more)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReliabilityBin(_Model):
    low: float = Field(description="Bin lower edge (predicted probability)")
    high: float = Field(description="Bin upper edge")
    count: int = Field(description="Verdicts in the bin")
    mean_predicted: float | None = Field(default=None, description="Mean predicted probability")
    fraction_confirmed: float | None = Field(default=None, description="Observed confirm rate")


class ScoreSpread(_Model):
    """How the probabilities are spread: a narrow band carries little information."""

    min: float = Field(description="Smallest")
    q05: float = Field(description="5th percentile")
    q25: float = Field(description="First quartile")
    median: float = Field(description="Median")
    q75: float = Field(description="Third quartile")
    q95: float = Field(description="95th percentile")
    max: float = Field(description="Largest")

    @property
    def iqr(self) -> float:
        return self.q75 - self.q25


class Scores(_Model):
    brier: float = Field(description="Mean squared error of the probabilities (0 is perfect)")
    ece: float = Field(description="Expected calibration error, 10 equal-width bins")
    bins: list[ReliabilityBin] = Field(description="Reliability diagram data")
    spread: ScoreSpread | None = Field(
        default=None, description="Quantiles of the probabilities (absent in older reports)"
    )


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
    warnings: list[str] = Field(
        default_factory=list,
        description="Where the verdicts cannot support a conclusion (derived from the data)",
    )

    @model_validator(mode="after")
    def _derive_warnings(self) -> InvestigatorCalibration:
        self.warnings = list(dict.fromkeys([*self.warnings, *investigator_warnings(self)]))
        return self


class CalibrationReport(_Model):
    generated_at: str = Field(description="ISO timestamp")
    investigators: list[InvestigatorCalibration] = Field(description="One entry each")
    unfitted_verdicts: dict[str, int] = Field(
        default_factory=dict,
        description="Verdicts on kinds of finding no map is fitted for (restatements, "
        "line-level findings), by kind",
    )
    warnings: list[str] = Field(
        default_factory=list, description="Every investigator's warnings, prefixed with its name"
    )

    @model_validator(mode="after")
    def _collect_warnings(self) -> CalibrationReport:
        mine = [f"{r.investigator}: {w}" for r in self.investigators for w in r.warnings]
        self.warnings = list(dict.fromkeys([*self.warnings, *mine]))
        return self


def investigator_warnings(r: InvestigatorCalibration) -> list[str]:
    """Narrow raw scores, sparse bins, a map that does not beat the raw scores out of fold."""
    out: list[str] = []
    raw, cal = r.raw, r.calibrated
    if raw is None or r.n == 0:
        return out
    sp = raw.spread
    if sp is not None and sp.iqr < NARROW_IQR:
        base = f"; calibrated probabilities stay near the base rate {r.positives / r.n:.2f}"
        out.append(
            f"raw scores span only {sp.q05:.2f}–{sp.q95:.2f} (middle 90%; IQR {sp.iqr:.3f} < "
            f"{NARROW_IQR}): they carry little information about which findings a human "
            f"confirms{base if cal is not None else ''}"
        )
    occupied = [b for b in raw.bins if b.count]
    sparse = [b for b in occupied if b.count < MIN_PER_BIN]
    if sparse:
        out.append(
            f"{len(sparse)} of {len(occupied)} occupied score bins hold fewer than "
            f"{MIN_PER_BIN} verdicts: their observed rates are rough"
        )
    if cal is not None and cal.brier >= raw.brier:
        out.append(
            f"out of fold the calibrated probabilities score no better than the raw scores "
            f"(Brier {cal.brier:.3f} vs {raw.brier:.3f}): the map adds nothing yet"
        )
    return out


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


def spread_of(p: np.ndarray) -> ScoreSpread | None:
    if not len(p):
        return None
    q = np.quantile(p, [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0])
    return ScoreSpread(
        min=float(q[0]),
        q05=float(q[1]),
        q25=float(q[2]),
        median=float(q[3]),
        q75=float(q[4]),
        q95=float(q[5]),
        max=float(q[6]),
    )


def scores_of(p: np.ndarray, y: np.ndarray) -> Scores:
    return Scores(brier=brier(p, y), ece=ece(p, y), bins=reliability(p, y), spread=spread_of(p))


# --- the reliability diagram -------------------------------------------------------------

_MAX_AREA = 500.0  # marker area (pt²) of the fullest bin in a panel
_MIN_AREA = 18.0
_WRAP = 78  # characters per line of a panel's header
_SERIES = (
    ("raw", "raw score", "tab:red", "o"),
    ("calibrated", "calibrated, out of fold", "tab:blue", "s"),
)


def _header(r: InvestigatorCalibration) -> tuple[str, str]:
    """(title, notes): who, how many, the scores; then the warnings and any message."""
    how = f"{r.method} map" if r.method else "no map fitted"
    parts = [
        f"{label} ECE {sc.ece:.3f}, Brier {sc.brier:.3f}"
        for key, label, _, _ in _SERIES
        if (sc := getattr(r, key)) is not None
    ]
    title = f"{r.investigator}\n{r.n} verdicts, {r.positives} confirmed; {how}"
    if parts:
        title += "\n" + "; ".join(parts)
    notes = [textwrap.fill("⚠ " + w, _WRAP) for w in r.warnings]
    if r.message:
        notes.append(textwrap.fill(r.message, _WRAP))
    return title, "\n".join(notes)


def _panel(head: Axes, ax: Axes, r: InvestigatorCalibration) -> None:
    title, notes = _header(r)
    head.axis("off")
    head.text(0.5, 1.0, title, ha="center", va="top", fontsize=9, transform=head.transAxes)
    if notes:
        head.text(
            0.5, 0.0, notes, ha="center", va="bottom", fontsize=7, color="darkorange",
            transform=head.transAxes,
        )  # fmt: skip
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, zorder=1)
    counts = [b.count for key, *_ in _SERIES if (sc := getattr(r, key)) for b in sc.bins]
    biggest = max(counts, default=0) or 1
    if r.raw is not None:  # where the raw scores lie: a faint histogram along the bottom
        ax.bar(
            [(b.low + b.high) / 2 for b in r.raw.bins],
            [0.12 * b.count / biggest for b in r.raw.bins],
            width=[b.high - b.low for b in r.raw.bins],
            color="tab:red", alpha=0.12, zorder=0,
        )  # fmt: skip
    for key, _, colour, marker in _SERIES:
        sc: Scores | None = getattr(r, key)
        if sc is None:
            continue
        pts = [b for b in sc.bins if b.count and b.mean_predicted is not None]
        xs = [b.mean_predicted or 0.0 for b in pts]
        ys = [b.fraction_confirmed or 0.0 for b in pts]
        ax.plot(xs, ys, color=colour, lw=0.8, alpha=0.35, zorder=2)
        areas = [max(_MIN_AREA, _MAX_AREA * b.count / biggest) for b in pts]
        faces = [colour if b.count >= MIN_PER_BIN else "white" for b in pts]
        ax.scatter(xs, ys, s=areas, marker=marker, c=faces, edgecolors=colour, lw=1.2, zorder=3)
        # the count beside each point, alternately left and right (neighbours stay legible),
        # raw above and calibrated below, clear of the marker
        for i, (b, x, y, area) in enumerate(zip(pts, xs, ys, areas, strict=True)):
            rad = math.sqrt(area / math.pi) + 2
            side = 1 if i % 2 else -1
            up = -1 if key == "calibrated" else 1
            ax.annotate(
                str(b.count), (x, y), xytext=(side * rad, up * rad), textcoords="offset points",
                ha="left" if side > 0 else "right", va="bottom" if up > 0 else "top",
                fontsize=7, color=colour, zorder=4,
            )  # fmt: skip
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    ticks = np.linspace(0, 1, 6)
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.grid(alpha=0.25)
    ax.set_xlabel("predicted P(confirmed): bin mean")
    ax.set_ylabel("observed fraction confirmed by humans")
    if r.raw is None:
        ax.text(0.5, 0.5, "no verdicts", ha="center", va="center", fontsize=9)


def _legend_handles() -> list[Any]:
    from matplotlib.lines import Line2D

    handles: list[Any] = [Line2D([], [], ls="--", color="grey", label="perfect calibration")]
    for _, label, colour, marker in _SERIES:
        handles.append(
            Line2D([], [], ls="none", marker=marker, color=colour, markersize=7, label=label)
        )
    handles.append(
        Line2D(
            [], [], ls="none", marker="o", markerfacecolor="white", markeredgecolor="black",
            markersize=7, label=f"bin with < {MIN_PER_BIN} verdicts",
        )
    )  # fmt: skip
    handles.append(
        Line2D([], [], ls="none", marker="s", color="tab:red", alpha=0.15, markersize=10,
               label="raw scores per bin (histogram)")
    )  # fmt: skip
    return handles


def write_png(report: CalibrationReport, path: Path) -> Path:
    """The reliability diagram: one panel per investigator (a grid of up to 3 columns) with
    the diagonal, raw and calibrated bins as points whose area and label give the verdicts in
    the bin, and the investigator's scores and warnings above it. Agg backend, no display."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in report.investigators if r.raw is not None] or report.investigators[:1]
    ncols = min(3, max(1, len(rows)))
    nrows = max(1, math.ceil(len(rows) / ncols))
    lines = max((sum(x.count("\n") + 1 for x in _header(r) if x) for r in rows), default=2)
    head_in, plot_in = 0.2 + 0.14 * lines, 4.6
    fig = plt.figure(figsize=(5.4 * ncols, nrows * (head_in + plot_in) + 1.0), layout="constrained")
    grid = fig.add_gridspec(2 * nrows, ncols, height_ratios=[head_in, plot_in] * nrows)
    for i in range(nrows * ncols):
        row, col = divmod(i, ncols)
        head, ax = fig.add_subplot(grid[2 * row, col]), fig.add_subplot(grid[2 * row + 1, col])
        if i < len(rows):
            _panel(head, ax, rows[i])
        else:
            head.axis("off")
            ax.axis("off")
            if not rows:
                ax.text(
                    0.5, 0.5, "No verdicts yet: confirm or dismiss findings first.",
                    ha="center", va="center", fontsize=10,
                )  # fmt: skip
    fig.suptitle("Reliability of investigator scores against human verdicts", fontsize=11)
    fig.legend(
        handles=_legend_handles(), loc="outside lower center", ncol=3, fontsize=7.5,
        title="marker area and the number beside it: verdicts in the bin", title_fontsize=7.5,
    )  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
