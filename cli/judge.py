"""`consilience judge` (any two statements, or a JSONL file of pairs) and `consilience model`."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from cli.files import input_file
from cli.markup import lit
from cli.support import command_services, console, err, fail
from consilience.errors import ConsilienceError
from consilience.vocabulary import JudgementKind

if TYPE_CHECKING:
    from kg.models import Quantity

model_app = typer.Typer(
    help="The project's own NLI model: train, export, fit the judge, check.",
    no_args_is_help=True,
)


def _row(j: object) -> dict[str, object]:
    from investigators.nli.judge import Judgement

    assert isinstance(j, Judgement)
    # the cascade reads B→A only where A→B is not plainly neutral; where it did not, the
    # B→A figures are null (they were A→B's repeated, and judge(B, A) could read otherwise)
    read_ba = j.ba is not j.ab
    return {
        "entailment": round(j.ab.entailment, 4),
        "neutral": round(j.ab.neutral, 4),
        "contradiction": round(j.ab.contradiction, 4),
        "entailment_ba": round(j.ba.entailment, 4) if read_ba else None,
        "neutral_ba": round(j.ba.neutral, 4) if read_ba else None,
        "contradiction_ba": round(j.ba.contradiction, 4) if read_ba else None,
        "ba_read": read_ba,
        "kind": j.kind,
        # an agreement the investigators file as `restates`, never as corroboration: one side
        # quotes the other, or defines a term
        "restatement": j.same or j.definitional,
        "score": j.score,
        "p_contradiction": j.p_contradiction,
        "p_convergence": j.p_convergence,
        "p_unrelated": j.p_unrelated,
        "evidence": j.evidence,
        "rationale": j.rationale,
    }


def _clean(text: str) -> str:
    """Text with each unpaired surrogate (a JSON `\\ud800`, bytes on the command line that
    are not UTF-8) as U+FFFD: red-teamed, one such string failed the model's tokenizer and
    with it every pair of the file."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _echoable(value: object) -> object:
    """A line's own value as it can be written back as JSON: strings cleaned (`_clean`), a
    number out of range (`1e999` reads as infinity) as null, at any depth (review: either
    failed the output after every pair was judged, or wrote a line that is not JSON)."""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_echoable(v) for v in cast(list[object], value)]
    if isinstance(value, dict):
        return {_clean(str(k)): _echoable(v) for k, v in cast(dict[object, object], value).items()}
    return value


def _read_pairs(path: Path) -> tuple[list[tuple[int, dict[str, object]]], list[tuple[int, str]]]:
    good: list[tuple[int, dict[str, object]]] = []
    bad: list[tuple[int, str]] = []
    stream = (
        sys.stdin
        if str(path) == "-"
        else input_file(path, "a JSONL file of pairs").open(encoding="utf-8", errors="replace")
    )
    with stream as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                # NaN and Infinity (which JSON has not) are read as null: echoed back, they
                # made lines that are not JSON
                obj = json.loads(line, parse_constant=lambda _name: None)
            except json.JSONDecodeError as exc:
                bad.append((n, f"not JSON ({exc.msg} at column {exc.colno})"))
                continue
            if not isinstance(obj, dict):
                bad.append((n, "not a JSON object"))
                continue
            missing = [k for k in ("a", "b") if not isinstance(obj.get(k), str)]
            if missing:
                bad.append((n, f"missing or non-text side(s): {', '.join(missing)}"))
                continue
            good.append((n, {**obj, "a": _clean(obj["a"]), "b": _clean(obj["b"])}))
    return good, bad


def judge(
    a: Annotated[str | None, typer.Argument(help="First statement")] = None,
    b: Annotated[str | None, typer.Argument(help="Second statement")] = None,
    pairs: Annotated[
        Path | None,
        typer.Option("--pairs", help='JSONL file ({"a": ..., "b": ...} per line; - for stdin)'),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Judge two statements (or every pair in a JSONL file) with the investigators' judge:
    NLI both ways plus numbers, cues and scope; kind and calibrated score."""
    from investigators.nli.judge import Side

    if pairs is None and (a is None or b is None):
        err.print('Give two statements (consilience judge "A" "B") or --pairs FILE.jsonl.')
        raise typer.Exit(code=2)
    if pairs is not None and a is not None:
        err.print("Give two statements or --pairs FILE.jsonl, not both.")
        raise typer.Exit(code=2)
    a, b = (_clean(a) if a is not None else None), (_clean(b) if b is not None else None)
    good: list[tuple[int, dict[str, object]]] = []
    bad: list[tuple[int, str]] = []
    if pairs is not None:
        good, bad = _read_pairs(pairs)
        if not good and not bad:
            where = "standard input" if str(pairs) == "-" else str(pairs)
            err.print(
                f"No pairs to judge: {where} has no line with text. Write one JSON object per "
                'line, e.g. {"a": "Probes detect deception.", "b": "Probes fail."}.',
                markup=False,
            )
            raise typer.Exit(code=2)
    with command_services() as svc:
        try:
            judge_ = svc.judge()
            if pairs is None:
                assert a is not None and b is not None
                j = judge_.judge([(Side(a, _numbers(a)), Side(b, _numbers(b)))])[0]
                if as_json:
                    console.print_json(json.dumps(_row(j)))
                else:
                    _render(j)
                return
            results = (
                judge_.judge(
                    [
                        (
                            Side(str(o["a"]), _numbers(str(o["a"]))),
                            Side(str(o["b"]), _numbers(str(o["b"]))),
                        )
                        for _, o in good
                    ]
                )
                if good
                else []
            )
        except ConsilienceError as exc:
            fail(exc)
    out: dict[int, dict[str, object]] = {}
    for (n, obj), j in zip(good, results, strict=True):
        row = _row(j)
        # the line's own fields are kept; one named like an output field (a gold "kind",
        # a "line" or "score") is kept as input_<name> (red-teamed: silently replaced)
        extra = {
            (f"input_{k}" if k in row or k == "line" else k): _echoable(v)
            for k, v in obj.items()
            if k not in ("a", "b")
        }
        out[n] = {"line": n, **extra, **row}
    for n, why in bad:
        out[n] = {"line": n, "error": why}
        err.print(f"[yellow]line {n}:[/] {lit(why)} (skipped; the other lines are judged)")
    for n in sorted(out):
        sys.stdout.write(json.dumps(out[n], ensure_ascii=False) + "\n")
    if bad:
        raise typer.Exit(code=1)


def _numbers(text: str) -> list[Quantity]:
    from ingest.claims.numbers import extract_numbers

    return list(extract_numbers(text))


def _render(j: object) -> None:
    from investigators.nli.judge import Judgement

    assert isinstance(j, Judgement)
    colour = {JudgementKind.CONTRADICTS: "red", JudgementKind.CONVERGES_WITH: "green"}.get(
        j.kind, "white"
    )
    console.print(
        f"[bold {colour}]{j.kind}[/]  score {j.score:.2f}  "
        f"(P contradiction {j.p_contradiction:.2f}, convergence {j.p_convergence:.2f}, "
        f"unrelated {j.p_unrelated:.2f})"
    )
    if any("nothing to compare" in e for e in j.evidence):  # the readings mean nothing
        console.print("  A→B, B→A  not compared")
    else:
        console.print(
            f"  A→B  entailment {j.ab.entailment:.2f}  neutral {j.ab.neutral:.2f}  "
            f"contradiction {j.ab.contradiction:.2f}"
        )
        console.print(
            f"  B→A  entailment {j.ba.entailment:.2f}  neutral {j.ba.neutral:.2f}  "
            f"contradiction {j.ba.contradiction:.2f}"
        )
    for e in j.evidence:
        console.print(f"  · {e}", markup=False)


@model_app.command(
    "train", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def model_train(ctx: typer.Context) -> None:
    """Fine-tune the NLI cross-encoder (resumable; CUDA when present). Options are those of
    `python -m training.train --help` (e.g. --epochs 2 --out DIR)."""
    from training.train import main as train_main

    train_main(list(ctx.args))


@model_app.command("export")
def model_export(
    src: Annotated[
        Path | None, typer.Option("--from", help="default <data_dir>/training/nli/final")
    ] = None,
    dst: Annotated[
        Path | None, typer.Option("--to", "--out", "-o", help="default: the shipped model's folder")
    ] = None,
) -> None:
    """Export the trained model to int8 ONNX (prints the sha256 to pin)."""
    from investigators.nli.model import MODEL_DIR
    from training.export import export
    from training.paths import training_dir

    # defaults under the data folder and the package, not the current folder (red-teamed)
    src, dst = src or training_dir() / "nli" / "final", dst or MODEL_DIR

    if not (src / "config.json").is_file():
        fail(
            ConsilienceError(
                f"{src} holds no trained checkpoint (no config.json).",
                "Train one first (`consilience model train`), or give its folder as --from "
                "(`model recover` writes one from an exported model).",
            )
        )
    try:
        sha = export(src, dst)
    except ConsilienceError as exc:
        fail(exc)
    except (OSError, ValueError) as exc:  # transformers' and onnx's own errors
        fail(ConsilienceError(f"Export from {src} to {dst} failed: {str(exc)[:300]}",
                              "Check both folders (a checkpoint written by `model train` or "
                              "`model recover`, and a writable destination)."))  # fmt: skip
    console.print(
        f"Wrote {dst / 'model.int8.onnx'}\nsha256 {sha}\n"
        "Pin it in investigators/nli/model.py (WEIGHTS_SHA256) and the model card, then fit "
        "the early-exit head (`python -m training.exit_head`) and the judge's levels "
        "(`consilience model fit-judge`) to it: the judge refuses levels fitted to other "
        "weights.",
        markup=False,
    )


@model_app.command("recover")
def model_recover(
    src: Annotated[Path | None, typer.Option("--from", help="default: the shipped model")] = None,
    dst: Annotated[
        Path | None,
        typer.Option("--to", "--out", "-o", help="default <data_dir>/training/recovered"),
    ] = None,
) -> None:
    """Rebuild a trainable checkpoint from an exported int8 model (the shipped one by default),
    to continue training it: `consilience model train --init-from DIR`."""
    from investigators.nli.model import MODEL_DIR, WEIGHTS_SHA256
    from kg.ids import file_sha256
    from training.paths import training_dir
    from training.recover import recover

    src, dst = src or MODEL_DIR, dst or training_dir() / "recovered"

    try:
        names = recover(src, dst)
    except ConsilienceError as exc:
        fail(exc)
    console.print(f"Wrote {dst} ({len(names)} parameters, dequantised from {src}).", markup=False)
    sha = file_sha256(src / "model.int8.onnx")
    if sha != WEIGHTS_SHA256:  # red-teamed: a model with flipped bytes was taken silently
        err.print(
            f"[yellow]warning:[/] {lit(src / 'model.int8.onnx')} is not the shipped model (sha256 "
            f"{sha[:16]}…, pinned {WEIGHTS_SHA256[:16]}…): train from it only if you know where "
            "it comes from; its sha256 is in lineage.json."
        )


@model_app.command("fit-judge")
def model_fit_judge(
    unpinned: Annotated[bool, typer.Option(help="Skip the sha256 pin (fresh export)")] = False,
    model_dir: Annotated[
        Path | None,
        typer.Option(help="The model folder to fit for (default: the shipped one)"),
    ] = None,
) -> None:
    """Fit the judge's combination on the calibration split of the labelled real pairs."""
    from training.fit_judge import main as fit_main

    if model_dir is not None and not (model_dir / "model.int8.onnx").is_file():
        err.print(
            f"[red]{lit(model_dir)} holds no model.int8.onnx.[/] Give the folder `consilience "
            "model export` wrote (it holds model.int8.onnx and tokenizer.json)."
        )
        raise typer.Exit(code=2)
    from investigators.nli.model import MODEL_DIR, WEIGHTS_SHA256

    if model_dir is not None and not unpinned and model_dir.resolve() != MODEL_DIR.resolve():
        # the pin is the shipped model's (review: a new export elsewhere was refused as
        # "changed or corrupted"); the shipped folder stays pinned, so a damaged shipped
        # model is never fitted (and its judge.json overwritten)
        from kg.ids import file_sha256

        sha = file_sha256(model_dir / "model.int8.onnx")
        if sha != WEIGHTS_SHA256:
            err.print(
                f"[yellow]warning:[/] {lit(model_dir / 'model.int8.onnx')} is not the shipped "
                f"model (sha256 {sha[:16]}…): fitting for it as given, without the shipped "
                "model's pin."
            )
            unpinned = True
    fit_main(
        (["--unpinned"] if unpinned else [])
        + (["--model-dir", str(model_dir)] if model_dir is not None else [])
    )


@model_app.command("fit-ranker")
def model_fit_ranker() -> None:
    """Fit the retrieval ranker on the calibration split of the labelled real pairs (the
    corpus and demo/abstracts must be ingested: run the main job first)."""
    from training.ranker import fit_on_graph

    with command_services() as svc:
        for line in fit_on_graph(svc.graph(), svc.claim_index(), svc.embedder):
            console.print(line)


@model_app.command("check")
def model_check() -> None:
    """Verify the committed model and its early-exit head against their pinned sha256 and
    load them."""
    from investigators.nli.early_exit import EXIT_FILE
    from investigators.nli.judge import Judge, Side
    from investigators.nli.model import MODEL_DIR, NLIModel

    try:
        j = Judge(NLIModel()).judge([(Side("The model works."), Side("The model fails."))])[0]
        early = NLIModel(early_exit=True)
        e = early.predict([("The model works.", "The weather was mild in May.")])[0]
    except ConsilienceError as exc:
        fail(exc)
    console.print(
        f"{MODEL_DIR / 'model.int8.onnx'}: sha256 matches; loads; "
        f"sample contradiction {j.ab.contradiction:.2f}.\n"
        f"{MODEL_DIR / EXIT_FILE}: sha256 matches; fitted to these weights; sample unrelated "
        f"pair {'stopped after layer 3' if e.early else 'read by all six layers'} "
        f"(neutral {e.neutral:.2f}).",
        markup=False,
    )
