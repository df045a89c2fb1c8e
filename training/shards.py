"""Move a model folder between machines in small, checked parts.

    python -m training.shards pack DIR OUT [--max-mb 15] [--int8 NAME ...]
    python -m training.shards unpack OUT DIR

Training on a lent GPU machine means sending a backbone there and bringing the trained
weights back through transfers with a size limit per file and per call. `pack` writes the
folder's weights as fp16 (and any tensor named with --int8 as int8 with one fp32 scale per
row, for a large embedding matrix), cut into parts of at most --max-mb, with `shards.json`
giving every part's sha256 and what was rounded; the folder's small files (config,
tokenizer, training record) are copied beside them. `unpack` checks every sha256, joins the
parts and writes an fp32 `model.safetensors` that transformers loads as usual.

fp16 keeps each weight within 2^-11 of its value (relative; below 6e-5, within 2^-25); the
int8 rows within half a step of max|row| / 127. Fine-tuning starts from such a copy as from
the original; an exported model made from an fp16 copy differs from one made from the fp32
weights by far less than its own int8 quantisation. `shards.json` records both sha256s (fp32
source and fp32 result), so a model card can say which weights it was made from.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from kg.ids import sha256_bytes as _sha

WEIGHTS = "model.safetensors"
SMALL = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "training.json",
    "lineage.json",
)


def pack(
    src: Path, out: Path, max_mb: float = 15.0, int8: tuple[str, ...] = (), xz: bool = False
) -> dict:
    """int8 names the tensors sent as int8 rows; "*" every matrix of 65,536 values or more.
    xz compresses the packed weights before they are cut (int8 rows shrink by about a tenth)."""
    import lzma

    import torch
    from safetensors.torch import load_file, save

    raw = (src / WEIGHTS).read_bytes()
    tensors = load_file(str(src / WEIGHTS))
    if "*" in int8:
        int8 = tuple(
            n
            for n, t in tensors.items()
            if t.dim() == 2 and t.is_floating_point() and t.numel() >= 65536
        )
    packed: dict[str, torch.Tensor] = {}
    for name, t in tensors.items():
        if name in int8 and t.dim() == 2:
            scale = t.abs().amax(dim=1, keepdim=True).clamp(min=1e-12) / 127.0
            packed[name + "::int8"] = torch.round(t / scale).to(torch.int8)
            packed[name + "::scale"] = scale.float()
        elif t.is_floating_point():
            packed[name] = t.to(torch.float16)
        else:
            packed[name] = t
    blob = save(packed)
    sent = lzma.compress(blob, preset=1) if xz else blob
    out.mkdir(parents=True, exist_ok=True)
    size = int(max_mb * 1024 * 1024)
    parts = []
    for i in range(0, len(sent), size):
        name = f"weights.part{i // size:02d}"
        (out / name).write_bytes(sent[i : i + size])
        parts.append({"file": name, "sha256": _sha(sent[i : i + size])})
    for f in SMALL:
        if (src / f).exists():
            shutil.copy(src / f, out / f)
    record = {
        "source_sha256": _sha(raw),
        "blob_sha256": _sha(blob),
        "compression": "xz" if xz else None,
        "parts": parts,
        "fp16": [n for n in packed if "::" not in n and packed[n].dtype == torch.float16],
        "int8_rows": list(int8),
    }
    (out / "shards.json").write_text(json.dumps(record, indent=1) + "\n")
    return record


def unpack(src: Path, dst: Path) -> dict:
    import torch
    from safetensors.torch import load, save_file

    record = json.loads((src / "shards.json").read_text())
    chunks = []
    for part in record["parts"]:
        data = (src / part["file"]).read_bytes()
        if _sha(data) != part["sha256"]:
            raise SystemExit(f"{src / part['file']} is damaged (sha256 differs): copy it again")
        chunks.append(data)
    blob = b"".join(chunks)
    if record.get("compression") == "xz":
        import lzma

        blob = lzma.decompress(blob)
    if _sha(blob) != record["blob_sha256"]:
        raise SystemExit(f"the parts in {src} do not join into the packed weights")
    packed = load(blob)
    tensors: dict[str, torch.Tensor] = {}
    for name, t in packed.items():
        if name.endswith("::scale"):
            continue
        if name.endswith("::int8"):
            base = name[: -len("::int8")]
            tensors[base] = t.float() * packed[base + "::scale"]
        else:
            tensors[name] = t.float() if t.is_floating_point() else t
    dst.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(dst / WEIGHTS), metadata={"format": "pt"})
    for f in SMALL:
        if (src / f).exists():
            shutil.copy(src / f, dst / f)
    record["result_sha256"] = _sha((dst / WEIGHTS).read_bytes())
    (dst / "shards.json").write_text(json.dumps(record, indent=1) + "\n")
    return record


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="verb", required=True)
    p = sub.add_parser("pack")
    p.add_argument("src", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--max-mb", type=float, default=15.0)
    p.add_argument("--int8", nargs="*", default=[], help='tensor names, or "*" for every matrix')
    p.add_argument("--xz", action="store_true", help="compress the packed weights")
    u = sub.add_parser("unpack")
    u.add_argument("src", type=Path)
    u.add_argument("dst", type=Path)
    args = ap.parse_args(argv)
    if args.verb == "pack":
        r = pack(args.src, args.out, args.max_mb, tuple(args.int8), args.xz)
        print(f"{len(r['parts'])} parts in {args.out}; source sha256 {r['source_sha256']}")
    else:
        r = unpack(args.src, args.dst)
        print(f"wrote {args.dst / WEIGHTS}; sha256 {r['result_sha256']}")


if __name__ == "__main__":
    main()
