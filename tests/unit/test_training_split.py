"""The corpus' split between the sources the NLI model trained on and the benchmark sources
(`training.domain.is_training_source`) must not move when the cleaning changes a source's text
(its id is a hash of it): a benchmark source drawn into training would no longer be held out,
and a training source drawn into the benchmark would be measured on what the model learnt."""

from __future__ import annotations

import pytest

from ingest.claims.rules import RuleExtractor
from ingest.pipeline import RecordBuilder
from training.domain import is_training_source
from training.real_pairs import CORPUS

# the split the shipped weights were trained and benchmarked with
BENCHMARK = {
    "Experiment Replication Protocol: RLFR (Reinforcement Learning from Feature Rewards)",
    "(Mis)generalization of Helpful-Only Fine-tuning",
    "Running An Air Purifier on Batteries",
    "Towards Shutdownable Agents: Generalizing Stochastic Choice in RL Agents and LLMs",
    "Don’t Edit Your Ideas Before Having Them",
}


@pytest.mark.skipif(not CORPUS.exists(), reason="needs ../shared/corpus")
def test_the_benchmark_sources_are_those_the_shipped_weights_held_out() -> None:
    ing = RecordBuilder(RuleExtractor())
    split = {
        d.source.title: is_training_source(d.source.id)
        for f in sorted(CORPUS.glob("*.txt"))
        for d in ing.build_records(f, f.read_bytes())[1]
    }
    assert len(split) == 23
    assert {t for t, training in split.items() if not training} == BENCHMARK, (
        "a source changed split: if the cleaning changed its text (and so its id), map its new "
        "id to the old one in training.domain._SPLIT_AS"
    )
