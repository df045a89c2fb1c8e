"""The licensed NLI files are read completely and split the same way every time."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.nli_data import LABELS, PLAN, read, splits

NLI = Path(__file__).resolve().parents[2].parent / "shared" / "nli"
# pair counts stated in shared/nli/README.md (readable three-way rows)
EXPECTED = {
    "cad_all_combined_train.tsv": 8330,
    "cad_all_combined_test.tsv": 2000,
    "esnli_test.tsv": 9824,
    "conjnli_dev.tsv": 623,
    "negnli_MNLI.tsv": 1500,
    "hans_mnli_contradicting_examples.tsv": 261,
    "folio_validation.jsonl": 204,
}


@pytest.fixture(scope="module")
def available() -> Path:
    if not (NLI / "cad_all_combined_train.tsv").exists():
        pytest.skip(f"licensed NLI data not found at {NLI}")
    return NLI


def test_every_file_reads_with_valid_labels(available: Path) -> None:
    for name in PLAN:
        if not (available / name).exists():
            continue
        pairs = read(available / name)
        assert pairs, name
        assert {p.label for p in pairs} <= set(LABELS), name
        assert all(p.premise and p.hypothesis for p in pairs), name
    for name, n in EXPECTED.items():
        assert len(read(available / name)) == n, name


def test_split_is_deterministic_and_held_out_never_trains(available: Path) -> None:
    train1, held1 = splits(available)
    train2, held2 = splits(available)
    assert train1 == train2 and held1 == held2
    trained = {(p.premise, p.hypothesis) for p in train1}
    for name in ("cad_all_combined_test.tsv", "esnli_test.tsv", "taxinli10k.tsv (held-out slice)"):
        held = {(p.premise, p.hypothesis) for p in held1[name]}
        assert held and len(held & trained) / len(held) < 0.01, name  # no leakage
