"""Schemathesis fuzzes every operation of the live OpenAPI schema: no server errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from pydantic import SecretStr
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err

from api.serve import running_api
from app.confidences import update_confidences
from app.investigate import build_runner
from app.services import Services
from tests.graph_reset import reset_graph

KEY = "fuzz-key-0123456789"
DOC = """# Monitoring results

Linear probes detect deceptive behaviour in most transcripts we examined.

The logit monitor achieves AUROC 0.79 from a single rollout on our benchmark.
"""
REPLY = """# A reply

Linear probes do not detect deceptive behaviour in most transcripts we examined.
"""


@pytest.fixture(scope="module")
def live_url(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    svc = reset_graph(services)
    tmp: Path = tmp_path_factory.mktemp("fuzz-docs")
    (tmp / "a.md").write_text(DOC)
    (tmp / "b.md").write_text(REPLY)
    svc.ingestor().ingest_paths([str(tmp)])
    svc.claim_index().rebuild(svc.graph())
    build_runner(svc).run()
    update_confidences(svc, everything=True)
    st = svc.settings.model_copy(deep=True)
    st.api.keys = [SecretStr(KEY)]
    with running_api(st, svc) as url:
        yield url


def _operations(url: str) -> list[APIOperation]:
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations: list[APIOperation] = []
    for r in schema.get_all_operations():
        if isinstance(r, Err):
            raise r.err()  # the schema itself is broken: fail here, with schemathesis' reason
        operations.append(r.ok())
    return operations


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors_on_any_operation(live_url: str, mode: GenerationMode) -> None:
    """Every operation, valid (positive) and schema-violating (negative) inputs: never 5xx."""
    operations = _operations(live_url)
    assert len(operations) >= 14
    failures: list[str] = []
    for op in operations:

        @given(case=op.as_strategy(generation_mode=mode))
        @settings(
            max_examples=12,
            deadline=None,
            # HealthCheckMeta.__iter__ is unannotated, so iterating the enum reads as the metaclass
            suppress_health_check=cast(list[HealthCheck], list(HealthCheck)),
            derandomize=True,
            database=None,
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(
                base_url=live_url,
                headers={"X-API-Key": KEY},
                checks=[not_a_server_error],
                timeout=120,
            )

        try:
            run()
        except Unsatisfiable:
            assert mode == GenerationMode.NEGATIVE  # nothing to violate (no parameters/body)
        except Exception as exc:  # noqa: BLE001 - collect every failing operation, not the first
            failures.append(f"{op.method.upper()} {op.path}: {str(exc)[:400]}")
    assert not failures, "\n".join(failures)
