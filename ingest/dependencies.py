"""What makes sources dependent, as the text states it: cited works, methods, datasets."""

from __future__ import annotations

import re

_ARXIV = re.compile(r"(?:arXiv[:\s]*|arxiv\.org/abs/)(\d{4}\.\d{4,5})", re.I)
_ET_AL = re.compile(r"\b([A-Z][A-Za-z'’-]+) et al\.?,? \(?((?:19|20)\d\d)\)?")
METHODS = (
    "MONA",
    "GRPO",
    "PPO",
    "A2C",
    "RLOO",
    "DPO",
    "RLHF",
    "RLAIF",
    "SFT",
    "DReST",
    "CISPO",
    "ScaleRL",
    "RLFR",
    "synthetic document fine-tuning",
    "constitutional character training",
    "activation oracles",
    "linear probes",
    "sparse autoencoders",
    "debate",
    "chain-of-thought monitoring",
    "weak-to-strong",
    "honeypot",
)
DATASETS = (
    "StrongREJECT",
    "Petri",
    "WildChat",
    "Fortress",
    "LongFact",
    "LongFact++",
    "BashBench",
    "BashArena",
    "AObench",
    "STRIDE",
    "Gloom",
    "CoT-Red-Handed",
    "MMLU",
    "HellaSwag",
    "Agentic Misalignment",
    "AI 2027",
)
_METHOD_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(m) for m in METHODS) + r")(?![\w-])")
_DATASET_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(d) for d in DATASETS) + r")(?![\w-])")


def cited_works(text: str) -> list[str]:
    keys = {f"arXiv:{m}" for m in _ARXIV.findall(text)}
    keys |= {f"{name.lower()} et al. {year}" for name, year in _ET_AL.findall(text)}
    return sorted(keys)


def named(pattern: re.Pattern[str], text: str) -> list[str]:
    lowered = {
        "debate",
        "linear probes",
        "honeypot",
        "sparse autoencoders",
        "weak-to-strong",
        "activation oracles",
        "chain-of-thought monitoring",
        "synthetic document fine-tuning",
        "constitutional character training",
    }
    found = set(pattern.findall(text))
    found |= {m for m in lowered if pattern is _METHOD_RE and m in text.lower()}
    return sorted(found)


def methods(text: str) -> list[str]:
    return named(_METHOD_RE, text)


def datasets(text: str) -> list[str]:
    return named(_DATASET_RE, text)
