from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, Field

from api.deps import Read, Svc
from api.errors import ERROR_RESPONSES
from app.cases import evaluate_case_object, evaluate_case_text
from calibration.case.export import to_csv, to_gsn, warnings_header
from calibration.case.model import SafetyCase
from calibration.case.result import CaseEvaluation
from consilience.errors import InvalidInputError

router = APIRouter(
    prefix="/cases", tags=["calibration"], dependencies=Read, responses=ERROR_RESPONSES
)

EXAMPLE = {
    "yaml": "version: 1\ntitle: Probes catch deception\nnodes:\n  G1: {type: goal, text: "
    "Deception is caught, children: [E1], assumptions: [A1]}\n  E1: {type: evidence, quote: "
    "Linear probes detect deceptive behaviour}\n  A1: {type: assumption, text: N is not "
    "scheming}\n"
}


class CaseIn(BaseModel):
    """A safety case, as YAML/JSON text (`yaml`) or as an object (`case`); one of the two."""

    yaml: str | None = Field(default=None, max_length=2_000_000, description="Case file text")
    case: SafetyCase | None = Field(default=None, description="The case as an object")


@router.post(
    "/evaluate",
    response_model=CaseEvaluation,
    responses={200: {"content": {"text/csv": {}, "application/yaml": {}}}},
)
def evaluate(
    svc: Svc,
    body: Annotated[CaseIn, Body(examples=[EXAMPLE])],
    format: Annotated[Literal["json", "csv", "gsn"], Query(description="Response format")] = "json",
) -> Any:
    """Evaluate a safety case against the graph now: what `consilience case evaluate` prints
    (tree with confidences, lines and quotes per leaf, open contradictions, assumptions,
    sensitivity, correlation warnings); `format=csv` one row per node (the warnings in the
    headers `X-Case-Warning-Count` and `X-Case-Warnings`, a JSON array of those that fit in
    4 KB), `format=gsn` gsn2x YAML (the warnings as comments at the top)."""
    if (body.yaml is None) == (body.case is None):
        raise InvalidInputError("Give exactly one of `yaml` and `case`.", "See the example.")
    if body.case is not None:
        case, ev = body.case, evaluate_case_object(svc, body.case)
    else:
        case, ev = evaluate_case_text(svc, body.yaml or "")
    if format == "csv":  # the warnings, which CSV has no place for, go in headers
        headers = {"X-Case-Warning-Count": str(len(ev.warnings))}
        if ev.warnings:
            headers["X-Case-Warnings"] = warnings_header(ev)
        return PlainTextResponse(to_csv(ev), media_type="text/csv", headers=headers)
    if format == "gsn":
        return Response(to_gsn(case, ev), media_type="application/yaml")
    return ev
