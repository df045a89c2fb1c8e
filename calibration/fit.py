"""Learning from verdicts: the map from an investigator's score to P(a human confirms).

Human confirm/dismiss verdicts are the ground truth. Per investigator we fit isotonic
regression (monotone, no shape assumed) or Platt scaling (a logistic curve; better with few
verdicts), and score it by cross-validation so the report is not judged on its own training
data. Too few verdicts: we say so and fit nothing.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

MIN_VERDICTS = 20
MIN_PER_CLASS = 5
Method = Literal["isotonic", "platt"]


class CalibrationMap(BaseModel):
    """A fitted score -> probability map for one investigator."""

    model_config = ConfigDict(extra="forbid")
    investigator: str = Field(description="Investigator name")
    method: Method = Field(description="isotonic or platt")
    x: list[float] = Field(default_factory=list, description="Isotonic knots (scores)")
    y: list[float] = Field(default_factory=list, description="Isotonic values at the knots")
    a: float = Field(default=0.0, description="Platt slope")
    b: float = Field(default=0.0, description="Platt intercept")
    n: int = Field(description="Verdicts it was fitted on")
    positives: int = Field(description="Confirmed verdicts among them")

    def apply(self, scores: np.ndarray | float) -> np.ndarray:
        s = np.asarray(scores, dtype=float)
        if self.method == "isotonic":
            return np.interp(s, self.x, self.y)
        return 1.0 / (1.0 + np.exp(-(self.a * s + self.b)))


class NotEnoughVerdicts(BaseModel):
    """Why no map was fitted."""

    model_config = ConfigDict(extra="forbid")
    investigator: str
    n: int
    positives: int
    message: str


def _fit_arrays(scores: np.ndarray, labels: np.ndarray, method: Method) -> tuple:
    if method == "isotonic":
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, labels)
        return ("isotonic", iso.X_thresholds_.tolist(), iso.y_thresholds_.tolist(), 0.0, 0.0)
    lr = LogisticRegression(C=1e6).fit(scores.reshape(-1, 1), labels)
    return ("platt", [], [], float(lr.coef_[0][0]), float(lr.intercept_[0]))


def check_enough(investigator: str, labels: np.ndarray) -> NotEnoughVerdicts | None:
    n, pos = len(labels), int(labels.sum())
    if n >= MIN_VERDICTS and min(pos, n - pos) >= MIN_PER_CLASS:
        return None
    return NotEnoughVerdicts(
        investigator=investigator,
        n=n,
        positives=pos,
        message=(
            f"{investigator}: {n} verdicts ({pos} confirmed, {n - pos} dismissed); need at "
            f"least {MIN_VERDICTS} with {MIN_PER_CLASS} of each. Review more findings with "
            "`consilience findings confirm|dismiss ID`; raw scores are used until then."
        ),
    )


def fit_map(
    investigator: str, scores: np.ndarray, labels: np.ndarray, method: Method = "isotonic"
) -> CalibrationMap | NotEnoughVerdicts:
    """Fit one investigator's map, or say why not."""
    short = check_enough(investigator, labels)
    if short:
        return short
    kind, x, y, a, b = _fit_arrays(scores, labels, method)
    return CalibrationMap(
        investigator=investigator,
        method=kind,
        x=x,
        y=y,
        a=a,
        b=b,
        n=len(labels),
        positives=int(labels.sum()),
    )


def cross_validated(
    scores: np.ndarray, labels: np.ndarray, method: Method = "isotonic", folds: int = 5
) -> np.ndarray:
    """Out-of-fold calibrated probabilities (what the report scores)."""
    k = min(folds, int(labels.sum()), int(len(labels) - labels.sum()))
    out = np.empty(len(labels))
    for train, test in StratifiedKFold(n_splits=max(2, k), shuffle=True, random_state=0).split(
        scores, labels
    ):
        kind, x, y, a, b = _fit_arrays(scores[train], labels[train], method)
        m = CalibrationMap(
            investigator="cv", method=kind, x=x, y=y, a=a, b=b, n=len(train), positives=0
        )
        out[test] = m.apply(scores[test])
    return out
