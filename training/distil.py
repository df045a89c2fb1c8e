"""Distil a large NLI teacher into the shipped small model, on one GPU, in one call.

    python -m training.distil --dataset D.jsonl.xz --teacher-backbone T --student S \\
        --work W --out O [--teacher 2:3e-5:32:7] [--control c:2:3e-5:32:1] \\
        [--kd k:2:3e-5:32:2:0.5 ...] [--deadline 540]

The small model must stay small (it runs on 2 CPU cores in the product), so a stronger
reader can only help it by teaching: a large cross-encoder (all-mpnet-base-v2, 110M
parameters, never shipped) is fine-tuned on the same labelled pairs, then reads every
training pair and the unlabelled retrieved pairs of the corpus (training sources only), and
the students learn towards w * label + (1 - w) * the teacher's reading (the teacher's
reading alone where there is no label). All on one device:
1. the teacher trains (bf16) while the control students (--control: the same start and data,
   labels only) train beside it;
2. the teacher reads the training and unlabelled pairs and the held-out sets;
3. the distilled students (--kd name:epochs:lr:batch:seed:w) train from --student;
4. every finished student (and the teacher and the starting model) is read on the held-out
   sets; the best control and the best distilled student by mean contradiction AUC on the
   *development* sets are packed (training.shards, int8 rows, xz) into --out with
   results.json. CAD and e-SNLI test are reported, never used to choose.
Runs still going at their share of --deadline are stopped and left out.

--phase teacher stops after step 2 and leaves --out/taught.jsonl.xz (a few MB) and the
teacher's held-out figures; --phase students --taught FILE runs steps 3 and 4 from it. Two
shorter device calls lose less than one long one that fails late, and the taught file alone
lets students be trained anywhere, a CPU included.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path

THREADS = 3  # per training run: several share the machine's cores


def teach(teacher: Path, dataset: Path, dst: Path, device: str, limit: int | None = None) -> dict:
    """Write `dataset` again with the teacher's reading of every training pair (`soft`);
    with `limit` (a smoke test) only the first `limit` labelled and unlabelled pairs."""
    from training.nli_data import Pair
    from training.sweep import load, readings
    from training.train import read_dataset, write_dataset

    pairs, manifest, held = read_dataset(dataset)
    if limit:
        pairs = [p for p in pairs if p.label][:limit] + [p for p in pairs if not p.label][:limit]
    probs = readings(load(teacher, device), pairs, device, batch=512)
    read = [
        Pair(p.premise, p.hypothesis, p.label, p.origin, (q[0], q[1], q[2]))
        for p, q in zip(pairs, probs, strict=True)
    ]
    manifest = dict(manifest, teacher=json.loads((teacher / "training.json").read_text())["hyper"])
    write_dataset(dst, read, manifest, held)
    agree = [max(range(3), key=lambda k: q[k]) for q in probs]
    from training.train import LABEL_IDS

    labelled = [(a, LABEL_IDS[p.label]) for a, p in zip(agree, pairs, strict=True) if p.label]
    agreed = sum(a == y for a, y in labelled) / len(labelled) if labelled else float("nan")
    return {
        "pairs_read": len(pairs),
        "unlabelled": sum(1 for p in pairs if not p.label),
        "teacher_agrees_with_labels": round(agreed, 4),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--dataset", type=Path, required=True)
    ap.add_argument("--teacher-backbone", type=Path, default=None)
    ap.add_argument("--teacher-name", default="sentence-transformers/all-mpnet-base-v2")
    ap.add_argument("--student", type=Path, default=None, help="trained folder to continue")
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--teacher", default="2:3e-5:32:7", help="epochs:lr:batch:seed")
    ap.add_argument("--control", action="append", default=[], help="name:epochs:lr:batch:seed")
    ap.add_argument("--kd", action="append", default=[], help="name:epochs:lr:batch:seed:w")
    ap.add_argument(
        "--phase",
        choices=("both", "teacher", "students"),
        default="both",
        help="teacher: train it and write --out/taught.jsonl.xz (a few MB: it can come back "
        "from the device on its own); students: train them from --taught",
    )
    ap.add_argument("--taught", type=Path, default=None, help="students: a teacher's file")
    ap.add_argument("--deadline", type=float, default=540.0)
    ap.add_argument("--teacher-share", type=float, default=0.45, help="of --deadline")
    ap.add_argument("--limit", type=int, default=None, help="smoke test: first N pairs")
    args = ap.parse_args(argv)
    if args.phase != "students" and args.teacher_backbone is None:
        ap.error("--teacher-backbone is needed to train the teacher")
    if args.phase != "teacher" and args.student is None:
        ap.error("--student is needed to train students")
    if args.phase == "students" and args.taught is None:
        ap.error("--phase students needs --taught (a teacher phase's taught.jsonl.xz)")
    import torch

    from training.shards import pack
    from training.sweep import dev_score, read_sets, start_run, wait_runs
    from training.train import read_dataset

    t0 = time.time()
    end = t0 + args.deadline
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.set_float32_matmul_precision("high")  # TF32 for the teacher's readings
    args.out.mkdir(parents=True, exist_ok=True)
    lim = ["--limit", str(args.limit)] if args.limit else []
    procs: dict[str, subprocess.Popen] = {}
    kinds: dict[str, str] = {}
    if args.phase != "teacher":  # the controls need no teacher: they start at once
        for v in args.control:
            name, *spec = v.split(":")
            kinds[name] = "control"
            procs[name] = start_run(
                args.dataset,
                args.work / name,
                spec,
                ["--init-from", str(args.student), "--backbone", str(args.student), *lim],
                args.out / f"{name}.log",
                threads=THREADS,
                fresh=True,
            )
    info: dict = {}
    teacher = args.work / "teacher" / "final"
    taught = args.taught
    if args.phase != "students":
        teacher_args = ["--backbone", str(args.teacher_backbone)]
        teacher_args += ["--backbone-name", args.teacher_name]
        procs["teacher"] = start_run(
            args.dataset,
            args.work / "teacher",
            args.teacher.split(":"),
            [*teacher_args, "--bf16", *lim],
            args.out / "teacher.log",
            threads=THREADS,
            fresh=True,
        )
        # with students to follow, the teacher has its share of the deadline; alone, all of it
        # but the minute its reading of the pairs and the held-out sets takes
        share = args.teacher_share if args.phase == "both" else 1.0
        wait_runs({"teacher": procs["teacher"]}, min(t0 + args.deadline * share, end - 60))
        if procs["teacher"].returncode == 0 and (teacher / "model.safetensors").exists():
            print(f"teacher trained at {time.time() - t0:.0f} s", flush=True)
            taught = args.out / "taught.jsonl.xz"
            info = teach(teacher, args.dataset, taught, device, args.limit)
            print(f"teacher read the pairs at {time.time() - t0:.0f} s: {info}", flush=True)
        else:
            taught = None
            print("the teacher did not finish: no distilled students (see teacher.log)")
        if args.phase == "teacher":
            if not info:
                raise SystemExit("the teacher did not finish (see teacher.log)")
            _pairs, _manifest, held = read_dataset(args.dataset)
            if args.limit:
                held = {k: v[: args.limit] for k, v in held.items()}
            info["held_out"] = read_sets(teacher, held, device)
            (args.out / "teacher.json").write_text(json.dumps(info, indent=1))
            print(f"wrote {taught} and teacher.json at {time.time() - t0:.0f} s", flush=True)
            return
    if taught is not None:
        start = ["--init-from", str(args.student), "--backbone", str(args.student)]
        for v in args.kd:
            name, epochs, lr, batch, seed, w = v.split(":")
            kinds[name] = f"distilled, w={w}"
            procs[name] = start_run(
                taught,
                args.work / name,
                [epochs, lr, batch, seed],
                [*start, "--hard-weight", w, *lim],
                args.out / f"{name}.log",
                threads=THREADS,
                fresh=True,
            )
    wait_runs(procs, end - 45)
    models: dict[str, Path] = {}
    for name in kinds:
        final = args.work / name / "final"
        if procs[name].returncode == 0 and (final / "model.safetensors").exists():
            models[name] = final
    _pairs, _manifest, held = read_dataset(args.dataset)
    if args.limit:
        held = {k: v[: args.limit] for k, v in held.items()}
    results = {n: read_sets(d, held, device) for n, d in models.items()}
    if info:
        results["teacher"] = read_sets(teacher, held, device)
    elif args.taught is not None and (args.taught.parent / "teacher.json").exists():
        info = json.loads((args.taught.parent / "teacher.json").read_text())  # its own phase
        results["teacher"] = info.pop("held_out", {})
    else:
        results["teacher"] = {}
    results["start"] = read_sets(args.student, held, device)
    scores = {n: dev_score(r) for n, r in results.items() if r}
    names = [n for n in results if results[n]]
    print("contradiction AUC (a->b, fp32 on the device); dev = mean of the development sets")
    print(f"{'set':34s}" + "".join(f"{n[:11]:>12s}" for n in names))
    for s in results["start"]:
        row = "".join(f"{results[n][s]['contradiction_auc']:12.4f}" for n in names)
        print(f"{s[:34]:34s}{row}")
    print(f"{'dev mean':34s}" + "".join(f"{scores[n]:12.4f}" for n in names), flush=True)
    best = max(models, key=lambda n: scores[n]) if models else None
    if best is not None:
        print(f"chosen on dev: {best} ({kinds[best]})", flush=True)
    # the best of each kind comes back (int8 rows, xz: about 21 MB each), so both can be
    # exported and benchmarked where the product runs. The weight matrices lose nothing the
    # export keeps (it quantises each column to int8 again, with the same scale); the
    # embedding tables are rounded twice (per row here, per tensor in the export)
    brought = {}
    for kind in ("control", "distilled"):
        mine = [n for n in models if kinds[n].startswith(kind)]
        if mine:
            top = max(mine, key=lambda n: scores[n])
            pack(models[top], args.out / top, max_mb=15.0, int8=("*",), xz=True)
            brought[kind] = top
    (args.out / "results.json").write_text(
        json.dumps(
            {
                "results": results,
                "dev_scores": scores,
                "kinds": kinds,
                "teacher": info,
                "chosen": best,
                "brought": brought,
                "wall_s": round(time.time() - t0),
            },
            indent=1,
        )
    )
    if best is None:  # the figures above are written all the same
        raise SystemExit("no student finished: nothing to choose from (see the logs)")
    print(f"packed {brought} into {args.out} at {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
