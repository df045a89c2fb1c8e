"""Train several variants at once on one GPU, pick one on development sets, pack it.

    python -m training.sweep --dataset D.jsonl.xz --backbone DIR --work W --out O \
        --variant a:4:5e-5:32:1 --variant b:4:5e-5:32:2 [--deadline 420]

A small cross-encoder leaves a large GPU mostly idle, so each variant
(name:epochs:lr:batch:seed) is its own `training.train` process on the same device. Runs
that have not finished by --deadline seconds are stopped and left out. Variants of one recipe
that differ only in seed are also averaged into a uniform weight soup. Every finished model
is read on the held-out sets of the prepared file (the a->b direction, fp32), and the one
with the best mean contradiction AUC on the *development* sets is packed (training.shards)
into --out with results.json. The sets the issue sets targets on (CAD test, e-SNLI test and
the BIG-bench tasks, which are not in the file) are reported, never used to choose.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

DEV = ("taxinli", "conjnli", "negnli", "climate_fever", "folio", "hans")
TARGET = ("cad_all_combined_test", "esnli_test")


def auc(scores: list[float], positive: list[bool]) -> float:
    """ROC AUC (scikit-learn, as fit_judge and bench/judgement); NaN when one class is absent."""
    from sklearn.metrics import roc_auc_score

    if all(positive) or not any(positive):
        return float("nan")
    return float(roc_auc_score(positive, scores))


def load(model_dir: Path, device: str) -> tuple:
    """(tokenizer, model) of a trained folder, in eval mode on `device`."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModelForSequenceClassification.from_pretrained(str(model_dir)).to(device).eval()
    return tok, model


def readings(loaded: tuple, pairs: list, device: str, batch: int = 256) -> list[list[float]]:
    """The model's (e, n, c) probabilities for each pair (a->b), in the pairs' order; the
    pairs are read in length order, so a batch pads little."""
    import torch

    tok, model = loaded
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i].premise + pairs[i].hypothesis))
    probs: list[list[float]] = [[] for _ in pairs]
    for s in range(0, len(order), batch):
        chunk = order[s : s + batch]
        enc = tok(
            [pairs[i].premise for i in chunk],
            [pairs[i].hypothesis for i in chunk],
            truncation=True,
            max_length=128,
            padding=True,
            return_tensors="pt",
        ).to(device)
        with torch.no_grad():
            out = torch.softmax(model(**enc).logits.float(), -1).cpu().tolist()
        for i, pr in zip(chunk, out, strict=True):
            probs[i] = pr
    return probs


def read_sets(model_dir: Path, held: dict[str, list], device: str) -> dict[str, dict]:
    from training.train import LABEL_IDS

    loaded = load(model_dir, device)
    out: dict[str, dict] = {}
    for name, pairs in held.items():
        probs = readings(loaded, pairs, device)
        gold = [LABEL_IDS[p.label] for p in pairs]
        acc = sum(
            max(range(3), key=lambda k: pr[k]) == g for pr, g in zip(probs, gold, strict=True)
        ) / len(gold)
        out[name] = {
            "pairs": len(pairs),
            "accuracy": round(acc, 4),
            "contradiction_auc": round(auc([pr[2] for pr in probs], [g == 2 for g in gold]), 4),
        }
    return out


def start_run(
    dataset: Path,
    out: Path,
    spec: list[str],
    extra: list[str],
    log: Path,
    *,
    threads: int | None = None,
    fresh: bool = False,
) -> subprocess.Popen:
    """One `training.train` process (spec: epochs, lr, batch, seed) writing to `log`.
    `threads`: torch and tokenizer threads of its own, for runs sharing a machine's cores;
    `fresh`: remove what an earlier run left in `out` (else its checkpoint is resumed)."""
    epochs, lr, batch, seed = spec
    cmd = [sys.executable, "-m", "training.train", "--dataset", str(dataset), "--out", str(out)]
    cmd += ["--epochs", epochs, "--lr", lr, "--batch", batch, "--seed", seed]
    cmd += ["--save-every", "1000000", *extra]
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    env = None
    if threads:
        # no tokenizer pool either (a GPU machine stopped answering once with five runs on all
        # 16 cores each)
        cmd += ["--threads", str(threads)]
        env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "RAYON_NUM_THREADS": str(threads)}  # noqa: TID251 (child env)
    return subprocess.Popen(cmd, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)


def wait_runs(procs: dict[str, subprocess.Popen], until: float) -> set[str]:
    """Wait for the runs until `until` (time.time()); those still going are stopped, left out
    and returned."""
    while any(p.poll() is None for p in procs.values()) and time.time() < until:
        time.sleep(2)
    stopped = set()
    for name, p in procs.items():
        if p.poll() is None:
            p.kill()
            p.wait()
            stopped.add(name)
            print(f"{name}: stopped at its deadline, left out", flush=True)
    return stopped


def soup(dirs: list[Path], dst: Path) -> None:
    """Uniform average of the weights of runs from one initialisation (Wortsman et al., 2022)."""
    import shutil

    import torch
    from safetensors.torch import load_file, save_file

    states = [load_file(str(d / "model.safetensors")) for d in dirs]
    avg = {
        k: torch.stack([s[k].float() for s in states]).mean(0) if v.is_floating_point() else v
        for k, v in states[0].items()
    }
    dst.mkdir(parents=True, exist_ok=True)
    for f in dirs[0].iterdir():
        if f.name != "model.safetensors" and f.is_file():
            shutil.copy(f, dst / f.name)
    save_file(avg, str(dst / "model.safetensors"), metadata={"format": "pt"})
    record = json.loads((dirs[0] / "training.json").read_text())
    record["soup_of"] = [json.loads((d / "training.json").read_text())["hyper"] for d in dirs]
    (dst / "training.json").write_text(json.dumps(record, indent=1))


def dev_score(result: dict[str, dict]) -> float:
    vals = [r["contradiction_auc"] for n, r in result.items() if n.startswith(DEV)]
    return sum(vals) / len(vals)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--dataset", type=Path, required=True)
    ap.add_argument("--backbone", type=Path, required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--variant", action="append", required=True)
    ap.add_argument("--deadline", type=float, default=420.0)
    ap.add_argument("--limit", type=int, default=None, help="smoke test: first N pairs")
    args = ap.parse_args(argv)
    import torch

    from training.train import read_dataset

    t0 = time.time()
    args.out.mkdir(parents=True, exist_ok=True)
    procs: dict[str, subprocess.Popen] = {}
    recipe: dict[str, tuple[str, str, str]] = {}
    for v in args.variant:
        name, epochs, lr, batch, seed = v.split(":")
        recipe[name] = (epochs, lr, batch)
        extra = ["--backbone", str(args.backbone)]
        extra += ["--limit", str(args.limit)] if args.limit else []
        procs[name] = start_run(
            args.dataset,
            args.work / name,
            [epochs, lr, batch, seed],
            extra,
            args.out / f"{name}.log",
        )
    stopped = wait_runs(procs, t0 + args.deadline)
    done = []
    for name, p in procs.items():
        if name in stopped:
            continue
        if p.returncode == 0 and (args.work / name / "final" / "model.safetensors").exists():
            done.append(name)
        else:
            print(f"{name}: failed (exit {p.returncode}); see {name}.log", flush=True)
    print(f"training finished at {time.time() - t0:.0f} s: {done}", flush=True)
    if not done:
        raise SystemExit("no variant finished: nothing to choose from (see the logs)")
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for name in done:
        groups[recipe[name]].append(name)
    models = {n: args.work / n / "final" for n in done}
    for names in groups.values():
        if len(names) > 1:
            dst = args.work / f"soup-{'-'.join(names)}"
            soup([models[n] for n in names], dst)
            models[dst.name] = dst
    _pairs, _manifest, held = read_dataset(args.dataset)
    if args.limit:  # a smoke test reads the first pairs of each set only
        held = {k: v[: args.limit] for k, v in held.items()}
    device = "cuda" if torch.cuda.is_available() else "cpu"
    results = {n: read_sets(d, held, device) for n, d in models.items()}
    scores = {n: dev_score(r) for n, r in results.items()}
    best = max(scores, key=lambda n: scores[n])
    names = sorted(results)
    sets = list(results[names[0]])
    print("contradiction AUC (a->b, fp32); dev = mean over " + ", ".join(DEV))
    print(f"{'set':42s}" + "".join(f"{n[:14]:>15s}" for n in names))
    for s in sets:
        row = "".join(f"{results[n][s]['contradiction_auc']:15.4f}" for n in names)
        print(f"{s[:42]:42s}{row}")
    print(f"{'dev mean':42s}" + "".join(f"{scores[n]:15.4f}" for n in names))
    print(f"chosen on dev: {best}", flush=True)
    from training.shards import pack

    pack(models[best], args.out / "best", max_mb=15.0)
    (args.out / "results.json").write_text(
        json.dumps(
            {"results": results, "dev_scores": scores, "chosen": best, "wall_s": time.time() - t0},
            indent=1,
        )
    )
    print(f"packed {best} into {args.out / 'best'} at {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
