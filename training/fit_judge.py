"""Fit the judge's combination on the calibration split of the labelled real pairs.

    python -m training.fit_judge [--model-dir models/nli-minilm-l6]

A multinomial logistic regression (scikit-learn, L2) over the judge's features; labels
contradiction / convergence (restatements count as convergence: independence, not the
model, separates them) / unrelated. Contradiction pairs are also read in both orders.
Writes judge.json next to the model with the coefficients, the thresholds and the fit's
own numbers (pairs, classes, out-of-fold log loss). The test split is never read here.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.real_pairs import load
from investigators.cues import overlap
from investigators.nli.judge import FEATURES, KINDS, Side, evidence_of, features
from investigators.nli.model import MODEL_DIR, NLIModel

TO_KIND = {"contradiction": 0, "convergence": 1, "restatement": 1, "unrelated": 2}


def feature_rows(model: NLIModel, pairs: list[tuple[str, str]]) -> list[list[float]]:
    from ingest.claims.numbers import extract_numbers

    scores = model.predict(pairs + [(b, a) for a, b in pairs])
    n = len(pairs)
    rows = []
    for i, (a, b) in enumerate(pairs):
        sa, sb = Side(a, extract_numbers(a)), Side(b, extract_numbers(b))
        num, cue, _ = evidence_of(sa, sb)
        rows.append(features(scores[i], scores[n + i], num, cue, overlap(a, b)))
    return rows


def fit(model_dir: Path, expected_sha: str | None) -> dict[str, object]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    from sklearn.model_selection import cross_val_predict

    model = NLIModel(model_dir, expected_sha256=expected_sha)
    cal = [p for p in load() if p.split == "calibration"]
    texts = [(p.a.quote, p.b.quote) for p in cal]
    y = [TO_KIND[p.label] for p in cal]
    # contradiction and convergence read in the other order too (the judge is symmetric in use)
    texts += [(p.b.quote, p.a.quote) for p in cal]
    y += [TO_KIND[p.label] for p in cal]
    x = np.array(feature_rows(model, texts))
    yy = np.array(y)
    lr = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced")
    oof = cross_val_predict(lr, x, yy, cv=5, method="predict_proba")
    lr.fit(x, yy)
    # thresholds: the contradiction probability that maximises F1 out of fold
    best_t, best_f1 = 0.5, -1.0
    for t in np.linspace(0.2, 0.8, 25):
        pred = oof[:, 0] >= t
        tp = float((pred & (yy == 0)).sum())
        fp = float((pred & (yy != 0)).sum())
        fn = float((~pred & (yy == 0)).sum())
        f1 = 2 * tp / max(1.0, 2 * tp + fp + fn)
        if f1 > best_f1:
            best_t, best_f1 = float(t), f1
    out = {
        "features": list(FEATURES),
        "kinds": list(KINDS),
        "coef": lr.coef_.round(5).tolist(),
        "intercept": lr.intercept_.round(5).tolist(),
        "threshold_contradiction": round(best_t, 3),
        "threshold_convergence": 0.5,
        "fitted_on": f"bench/data/real_pairs calibration split: {len(cal)} pairs x 2 orders",
        "out_of_fold_log_loss": round(float(log_loss(yy, oof)), 4),
        "out_of_fold_contradiction_f1": round(best_f1, 4),
        "classes": {k: int((yy == i).sum()) for i, k in enumerate(KINDS)},
    }
    (model_dir / "judge.json").write_text(json.dumps(out, indent=1) + "\n")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model-dir", type=Path, default=MODEL_DIR)
    ap.add_argument("--unpinned", action="store_true", help="skip the sha256 pin (new export)")
    args = ap.parse_args(argv)
    from investigators.nli.model import WEIGHTS_SHA256

    print(json.dumps(fit(args.model_dir, None if args.unpinned else WEIGHTS_SHA256), indent=1))


if __name__ == "__main__":
    main()
