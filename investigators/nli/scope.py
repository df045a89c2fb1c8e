"""Scope of a claim: the models, datasets and years it is about (pure, regex-based).

Two claims about different models, benchmarks or years report results under different
conditions: NLI may read them as contradicting, but they are not a contradiction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.labels import condition_ids

MODEL_NAME = re.compile(
    r"\b(?:GPT-?\d[\w.-]*|o[134](?:-mini)?|Claude(?: \d(?:\.\d)?)?(?: (?:Opus|Sonnet|Haiku))?"
    r"(?: \d(?:\.\d)?)?|Llama[\w.-]*|Qwen[\w.-]*|Gemini(?: \d(?:\.\d)?)?(?: (?:Pro|Flash|Ultra))?|"
    r"(?:Opus|Sonnet|Haiku) \d(?:\.\d)?|Kimi[\w.-]*|Mistral[\w.-]*|Mixtral[\w.-]*|Pythia[\w.-]*|"
    r"OLMo[\w.-]*|Gemma[\w.-]*|Phi-\d[\w.-]*|DeepSeek[\w.-]*|Zephyr[\w.-]*|Vicuna[\w.-]*|"
    r"OPT-[\w.]+|BERT|RoBERTa|T5|GPT-J|Falcon[\w.-]*|Jinx-[\w.-]*)"
)
YEAR = re.compile(r"\b(?:19[5-9]\d|20[0-4]\d)\b")
_DATASETISH = re.compile(r"\b[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9-]*\b")
NOT_DATASETS = frozenset(
    "AI AGI ASI LLM LLMs RL RLHF SFT CoT AUC AUROC ROC GPU GPUs API US UK EU GDM NLI MIA MIAs "
    "ML NLP FPR TPR DPO PPO GRPO RMU II III IV OK CEO AO AOs HHH EO SDF CBRN OOD ID PhD MATS "
    "FLF URL IID QA CPU TL DR IMO".split()
)


@dataclass(frozen=True)
class Scope:
    models: frozenset[str]
    datasets: frozenset[str]
    years: frozenset[str]


def _norm(s: str) -> str:
    return re.sub(r"[\s_-]+", "", s).lower()


def _dataset_matches(text: str, model_spans: list[tuple[int, int]]) -> list[re.Match[str]]:
    return [
        m
        for m in _DATASETISH.finditer(text)
        if m.group(0) not in NOT_DATASETS and not any(s <= m.start() < e for s, e in model_spans)
    ]


def _model_spans(text: str) -> list[tuple[int, int]]:
    """Where models are named; a full stop or hyphen after a name ("... on Llama-3-70B.")
    belongs to the sentence, not to the name."""
    spans = []
    for m in MODEL_NAME.finditer(text):
        start, end = m.span()
        while end > start + 1 and text[end - 1] in ".-":
            end -= 1
        spans.append((start, end))
    return spans


def scope_of(text: str) -> Scope:
    model_spans = _model_spans(text)
    models = frozenset(_norm(text[s:e]) for s, e in model_spans)
    datasets = frozenset(_norm(m.group(0)) for m in _dataset_matches(text, model_spans))
    return Scope(models, datasets, frozenset(YEAR.findall(text)))


def masked(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The claim with its models, datasets and years replaced by placeholders (lower case,
    spaces collapsed; a placeholder cannot occur in text), and what was replaced, in order:
    (kind, normalised name). Two claims with equal masks say the same thing apart from their
    conditions."""
    model_spans = _model_spans(text)
    spans = [(s, e, "model") for s, e in model_spans]
    spans += [(m.start(), m.end(), "dataset") for m in _dataset_matches(text, model_spans)]
    spans += [(m.start(), m.end(), "year") for m in YEAR.finditer(text)]
    out, found, at = [], [], 0
    for start, end, kind in sorted(spans):
        if start < at:  # inside a span already replaced (a year within a model's name)
            continue
        out.append(text[at:start] + f"\x00{kind}\x00")
        found.append((kind, _norm(text[start:end])))
        at = end
    out.append(text[at:])
    return re.sub(r"\s+", " ", "".join(out)).strip().lower(), found


_CONDITION = re.compile(
    r"^\s*(?:In|On|For|Under|With|Across|When|At|Among)\s+(?:the\s+)?([^,]{3,60}),", re.I
)


def condition_of(text: str) -> str | None:
    """The leading condition of a claim ("In the English subset, …"), normalised."""
    m = _CONDITION.match(text)
    return re.sub(r"\s+", " ", m.group(1).strip().lower()) if m else None


def scope_difference(a: str, b: str) -> str | None:
    """A readable note when both sides name models / datasets / years / numbered conditions
    ("benchmark 4", `kg.labels`), or open with a condition, and none are shared, or when the
    sides are one sentence with some of them swapped for others."""
    ca, cb = condition_of(a), condition_of(b)
    if ca and cb and ca != cb:
        return f"different settings: '{ca}' vs '{cb}'"
    ia, ib = condition_ids(a), condition_ids(b)
    for label in sorted(ia.keys() & ib.keys()):  # "Study 3 ..." vs "Study 5 ..."
        if not ia[label] & ib[label]:
            x, y = (", ".join(sorted(ids, key=int)) for ids in (ia[label], ib[label]))
            return f"different {label}s: {label} {x} vs {label} {y}"
    sa, sb = scope_of(a), scope_of(b)
    for what, x, y in (
        ("models", sa.models, sb.models),
        ("datasets", sa.datasets, sb.datasets),
        ("years", sa.years, sb.years),
    ):
        if x and y and not (x & y):
            return f"different {what}: {', '.join(sorted(x))} vs {', '.join(sorted(y))}"
    # The same sentence with some of its models, datasets or years swapped for others ("Qwen
    # and Llama" vs "OLMo and Llama", "Sonnet 4 beats Sonnet 4 (original)" vs "Mistral beats
    # Sonnet 4 (original)"): the same finding reported under other conditions. Sides naming
    # the same ones, in another order or roles ("Qwen beats Llama" vs "Llama beats Qwen";
    # "of Qwen and Llama, Qwen is best" vs "..., Llama is best"), are not: one side must name
    # one the other does not.
    if not (sa.models or sa.datasets or sa.years) or not (sb.models or sb.datasets or sb.years):
        return None  # nothing to swap (and masking costs as much as the rest of the judge's rules)
    (ma, ea), (mb, eb) = masked(a), masked(b)
    if ma == mb and len(ea) == len(eb) and set(ea) != set(eb):
        swapped = [(x, y) for x, y in zip(ea, eb, strict=True) if x != y]
        kinds = sorted({k for (k, _), _ in swapped})
        pairs = "; ".join(f"{x} vs {y}" for (_, x), (_, y) in swapped)
        return f"only the {' and '.join(k + 's' for k in kinds)} differ: {pairs}"
    return None
