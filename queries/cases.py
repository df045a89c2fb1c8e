"""Safety-case evaluation (the same result for the CLI, the API and notebooks)."""

from __future__ import annotations

from pathlib import Path

from neo4j import Driver

from calibration.case.evaluate import evaluate_case
from calibration.case.load import check_structure, load_case, parse_case
from calibration.case.model import SafetyCase
from calibration.case.result import CaseEvaluation


def evaluate_case_file(db: Driver, path: Path) -> tuple[SafetyCase, CaseEvaluation]:
    """Load a YAML/JSON case file and evaluate it against the graph now."""
    case = load_case(path)
    return case, evaluate_case(db, case)


def evaluate_case_text(db: Driver, text: str) -> tuple[SafetyCase, CaseEvaluation]:
    """Parse a case given as text (YAML or JSON) and evaluate it."""
    case = parse_case(text)
    return case, evaluate_case(db, case)


def evaluate_case_object(db: Driver, case: SafetyCase) -> CaseEvaluation:
    """Evaluate a case already validated as a model (the API's JSON form)."""
    check_structure(case)
    return evaluate_case(db, case)
