"""The safety-case workflow: evaluate a case (file, text or model) against the graph now."""

from __future__ import annotations

from pathlib import Path

from app.services import Services
from calibration.case.evaluate import evaluate_case
from calibration.case.load import check_structure, load_case, parse_case
from calibration.case.model import SafetyCase
from calibration.case.result import CaseEvaluation


def evaluate_case_file(svc: Services, path: Path) -> tuple[SafetyCase, CaseEvaluation]:
    """Load a YAML/JSON case file and evaluate it against the graph now."""
    case = load_case(path)
    return case, evaluate_case(svc.graph(), case)


def evaluate_case_text(svc: Services, text: str) -> tuple[SafetyCase, CaseEvaluation]:
    """Parse a case given as text (YAML or JSON) and evaluate it."""
    case = parse_case(text)
    return case, evaluate_case(svc.graph(), case)


def evaluate_case_object(svc: Services, case: SafetyCase) -> CaseEvaluation:
    """Evaluate a case already validated as a model (the API's JSON form)."""
    check_structure(case)
    return evaluate_case(svc.graph(), case)
