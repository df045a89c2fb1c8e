"""Fit the score maps from the graph's verdicts, report their calibration, store them."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import numpy as np

from calibration.cypher import evidence as q
from calibration.fit import CalibrationMap, Method, cross_validated, fit_map
from calibration.models import EVIDENCE_KINDS, map_key
from calibration.report import CalibrationReport, InvestigatorCalibration, scores_of
from kg.graph import Graph
from kg.writers import calibration_store


def verdicts_by_investigator(driver: Graph) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """`map_key` (investigator and kind of finding) -> (scores, 1.0 where a human
    confirmed), for the kinds that are evidence."""
    acc: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    with driver.read() as s:
        for r in s.run(q.VERDICTS, kinds=list(EVIDENCE_KINDS)):
            scores, labels = acc[map_key(r["investigator"] or "unknown", r["kind"])]
            scores.append(float(r["score"]))
            labels.append(1.0 if r["is_confirmed"] else 0.0)
    return {k: (np.array(s), np.array(y)) for k, (s, y) in sorted(acc.items())}


def learn(
    driver: Graph, method: Method = "isotonic", *, store: bool = True
) -> tuple[CalibrationReport, list[CalibrationMap]]:
    """Fit a map per investigator with enough verdicts; report all of them (out of fold)."""
    entries: list[InvestigatorCalibration] = []
    maps: list[CalibrationMap] = []
    for inv, (s, y) in verdicts_by_investigator(driver).items():
        fitted = fit_map(inv, s, y, method)
        if isinstance(fitted, CalibrationMap):
            maps.append(fitted)
            entries.append(
                InvestigatorCalibration(
                    investigator=inv,
                    n=len(y),
                    positives=int(y.sum()),
                    fitted=True,
                    method=fitted.method,
                    raw=scores_of(s, y),
                    calibrated=scores_of(cross_validated(s, y, method), y),
                )
            )
        else:
            entries.append(
                InvestigatorCalibration(
                    investigator=inv,
                    n=len(y),
                    positives=int(y.sum()),
                    fitted=False,
                    message=fitted.message,
                    raw=scores_of(s, y) if len(y) else None,
                )
            )
    if store:
        calibration_store.put_maps(driver, [m.model_dump() for m in maps])
    with driver.read() as s:
        unfitted = {
            r["kind"]: r["n"] for r in s.run(q.UNFITTED_VERDICTS, kinds=list(EVIDENCE_KINDS))
        }
    report = CalibrationReport(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        investigators=entries,
        unfitted_verdicts=unfitted,
    )
    return report, maps
