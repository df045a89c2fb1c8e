"""The shipped int8 judge model reads a pair alike on CPUs with and without VNNI.

onnxruntime's int8 matrix kernels differ by instruction set. With VNNI each uint8 x int8
product is added in 32 bits; on AVX2 (and, by onnxruntime's kernels, AVX-512 without VNNI;
not tried) two products are first added in 16 bits, which saturates when the weights use the
full int8 range (255 * 127 * 2 > 32,767). The model shipped until December 7th 2026 had
full-range weights: the same file, code and pairs gave the main job 19 contradiction calls on a
VNNI CPU and 15 on an AVX2 one, and read pair 14 below 0.27 apart. Its weights are now in 7
bits (`reduce_range`, training.export), where no sum can saturate.

The readings below were made on an AMD EPYC with AVX-512 VNNI and agree within 0.0002 with the
same model run under QEMU emulating an AVX2 EPYC-Rome (`qemu-x86_64-static -cpu EPYC-Rome`);
the old model's readings of these pairs there differed by up to 0.27.
"""

from __future__ import annotations

import numpy as np

from investigators.nli.model import MODEL_DIR, MODEL_FILE, NLIModel

# written for this test; none copied from a dataset. Several read between the labels, where
# a saturated sum moves a reading most.
PAIRS = [
    (
        "Larger models were somewhat more robust to the attack.",
        "Scale did not help against the attack.",
    ),
    (
        "The probe's accuracy fell when the prompts were paraphrased.",
        "The probe generalises to paraphrased prompts.",
    ),
    (
        "Most of the gains came from the reward model, not the policy.",
        "The policy improvements explain the gains.",
    ),
    (
        "We could not reproduce the reported effect on the smaller model.",
        "The effect holds across model sizes.",
    ),
    (
        "Refusal rates rose after fine-tuning on the new data.",
        "Fine-tuning on the new data made the model refuse less.",
    ),
    (
        "The monitor flagged few of the sabotage attempts in our runs.",
        "The monitor catches sabotage reliably.",
    ),
    (
        "Chain-of-thought monitoring helped in some settings but not others.",
        "Chain-of-thought monitoring is useful.",
    ),
    (
        "The benchmark saturates quickly for frontier models.",
        "Frontier models still struggle with the benchmark.",
    ),
    (
        "Unlearning removed the hazardous knowledge only partly.",
        "The hazardous knowledge was fully removed.",
    ),
    ("Agreement between the human raters was moderate.", "The raters mostly agreed."),
    ("The effect shrank as the training set grew.", "More training data made the effect larger."),
    ("Only two of the ten models showed the behaviour.", "The behaviour is common across models."),
    (
        "A team of researchers is sitting around a table discussing results.",
        "People are talking at a meeting.",
    ),
    (
        "The attack success rate was 40% before the patch and 38% after.",
        "The patch stopped the attack.",
    ),
    (
        "Some evaluators preferred the longer answers.",
        "Evaluators were indifferent to answer length.",
    ),
    (
        "The model's self-reports matched its behaviour in about half the cases.",
        "The model's self-reports are reliable.",
    ),
]
# entailment, neutral, contradiction (A -> B), all six layers
READINGS = [
    (0.0007, 0.9975, 0.0018),
    (0.9903, 0.0006, 0.0091),
    (0.0018, 0.9904, 0.0078),
    (0.0005, 0.9844, 0.0152),
    (0.0013, 0.0005, 0.9982),
    (0.0019, 0.9883, 0.0099),
    (0.1079, 0.7697, 0.1224),
    (0.0004, 0.9960, 0.0036),
    (0.0267, 0.0055, 0.9678),
    (0.3501, 0.0623, 0.5877),
    (0.0015, 0.1104, 0.8881),
    (0.0006, 0.9718, 0.0276),
    (0.5018, 0.4389, 0.0593),
    (0.0050, 0.0127, 0.9823),
    (0.0141, 0.2334, 0.7524),
    (0.0032, 0.9831, 0.0137),
]
# onnxruntime's float kernels still differ by instruction set in the last bits, and such a
# difference can move one activation across a quantisation step: 0.0002 at most on these pairs
# under emulation, 0.014 on 1 of 300 CAD pairs. Saturation moved these pairs by up to 0.27.
TOLERANCE = 0.02


def test_every_cpu_reads_these_pairs_as_recorded() -> None:
    mine = NLIModel(threads=1).logits_matrix(PAIRS)
    diff = np.abs(mine - np.array(READINGS))
    worst = int(diff.max(axis=1).argmax())
    assert diff.max() < TOLERANCE, (
        f"pair {worst} reads {mine[worst].round(4).tolist()} here, recorded "
        f"{list(READINGS[worst])}: the model, onnxruntime or this CPU's int8 kernels changed "
        "its readings"
    )
    assert len({int(i) for i in mine.argmax(1)}) == 3  # the pairs are not all read alike


def test_no_weight_matrix_can_saturate_a_16_bit_sum() -> None:
    """Every int8 weight the matrix products read is in -64..64 with zero point 0: two
    products of a uint8 activation (0..255) with such a weight sum to at most 32,640."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(MODEL_DIR / MODEL_FILE)).graph
    init = {t.name: t for t in graph.initializer}
    products = [n for n in graph.node if n.op_type == "MatMulInteger"]
    # 6 layers x (query, key, value, attention output, intermediate, output), pooler, classifier
    assert len(products) >= 6 * 6
    for node in products:
        weights = numpy_helper.to_array(init[node.input[1]])
        assert weights.dtype == np.int8, node.name
        assert weights.min() >= -64 and weights.max() <= 64, (
            f"{node.name}: int8 weights span {weights.min()}..{weights.max()}; export with "
            "reduce_range (training.export) so that CPUs without VNNI read the model alike"
        )
        if len(node.input) > 3 and node.input[3]:
            assert not numpy_helper.to_array(init[node.input[3]]).any(), node.name
