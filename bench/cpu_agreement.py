"""Does the int8 judge model read pairs the same on another CPU? (one run, this CPU vs another)

    python -m bench.cpu_agreement --qemu /path/to/qemu-x86_64-static [--cpu EPYC-Rome]
        [--pairs 300] [--model-dir DIR ...]

onnxruntime picks its int8 kernels by instruction set (tests/unit/test_nli_quantisation.py says
why that mattered). This reads held-out CAD test pairs (`../shared/nli`, each A→B, all six
layers) here and again in a child process under QEMU's user-mode emulation of another x86 CPU
(default EPYC-Rome: AVX2, no AVX-512, no VNNI), and prints per model how far the two readings
are apart and each one's contradiction ROC AUC. QEMU is not a dependency: Debian's
`qemu-user-static` package holds the binary (`apt-get download qemu-user-static; dpkg-deb -x`).
Under emulation the reading is ~100x slower (300 pairs: ~2 minutes).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from investigators.nli.model import MODEL_DIR, WEIGHTS_SHA256, NLIModel

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 3600  # emulation reads ~2-3 pairs/s


def read(model_dir: Path, n: int) -> tuple[list[str], np.ndarray]:
    """A seeded sample of `n` held-out CAD test pairs (for 300, the one bench/judgement
    --quick reads): gold labels, (n, 3) readings."""
    from bench.judgement_sets import held_out_nli

    rows = held_out_nli(cap=n)["cad_all_combined_test"][:n]
    shipped = model_dir.resolve() == MODEL_DIR
    model = NLIModel(model_dir, threads=1, expected_sha256=WEIGHTS_SHA256 if shipped else None)
    return [g for *_, g in rows], model.logits_matrix([(p, h) for p, h, _ in rows])


def _child(model_dir: Path, n: int, out: Path) -> None:
    gold, p = read(model_dir, n)
    out.write_text(json.dumps({"gold": gold, "p": p.tolist()}))


def _auc(gold: list[str], p: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score([g == "contradiction" for g in gold], p[:, 2]))


def compare(model_dir: Path, n: int, qemu: str, cpu: str) -> dict[str, float]:
    gold, here = read(model_dir, n)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "readings.json"
        cmd = [qemu, "-cpu", cpu, sys.executable, "-m", "bench.cpu_agreement", "--child"]
        cmd += ["--pairs", str(n), "--model-dir", str(model_dir.resolve()), "--out", str(out)]
        try:
            run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            raise SystemExit(
                f"the reading under QEMU took over {TIMEOUT_S} s and was stopped; try fewer --pairs"
            ) from exc
        if run.returncode:
            # QEMU warns once per CPU flag it cannot emulate: the rest is the child's own
            said = [x for x in run.stderr.splitlines() if not x.startswith("qemu-")]
            raise SystemExit(
                f"the reading under QEMU failed (exit {run.returncode}):\n" + "\n".join(said[-20:])
            )
        there = np.array(json.loads(out.read_text())["p"])
    gap = np.abs(here - there).max(axis=1)
    return {
        "max": float(gap.max()),
        "mean": float(gap.mean()),
        "over_0.01": int((gap > 0.01).sum()),
        "top_label_changed": int((here.argmax(1) != there.argmax(1)).sum()),
        "auc_here": _auc(gold, here),
        "auc_there": _auc(gold, there),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--qemu", help="qemu-x86_64(-static) binary")
    ap.add_argument("--cpu", default="EPYC-Rome", help="QEMU CPU model to read on")
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument("--model-dir", type=Path, action="append", default=None)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    dirs = args.model_dir or [MODEL_DIR]
    if args.child:
        _child(dirs[0], args.pairs, args.out)
        return
    if not args.qemu:
        ap.error("--qemu is required: the path of a qemu-x86_64 user-mode binary")
    print(f"{args.pairs} CAD test pairs, read here and under QEMU -cpu {args.cpu}")
    print("| model | max gap | mean gap | pairs > 0.01 | top label changed | AUC here | there |")
    print("|---|---|---|---|---|---|---|")
    for d in dirs:
        r = compare(d, args.pairs, args.qemu, args.cpu)
        print(
            f"| {d} | {r['max']:.4f} | {r['mean']:.5f} | {r['over_0.01']} | "
            f"{r['top_label_changed']} | {r['auc_here']:.3f} | {r['auc_there']:.3f} |"
        )


if __name__ == "__main__":
    main()
