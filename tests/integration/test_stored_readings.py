"""The judge's readings kept on disk, against the real graph: a refit re-investigates every
claim without asking the model again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from app.investigate import build_runner
from app.services import Services, build_services
from investigators.nli.judge import Judge
from investigators.nli.model import NLIModel
from queries.findings import list_findings
from tests.model_stubs import Refusing
from tests.probe_documents import POST, REPLY


def test_a_refit_judge_investigates_again_without_reading_any_pair_again(
    clean_services: Services, tmp_path: Path
) -> None:
    """A new fit of the judge's levels changes its version, which marks every claim for
    investigation again; the model's readings are kept on disk, so the second run decides
    from them: the model is not asked once, and the findings are those of a fresh judge."""

    svc = build_services(clean_services.settings)
    # a store of its own, so the first run reads every pair (the data folder's store may
    # already hold these documents' pairs from other tests)
    svc._judge = Judge(
        NLIModel(readings_dir=tmp_path / "readings"), skip_neutral=svc.settings.nli.skip_neutral
    )
    try:
        (tmp_path / "post.md").write_text(POST)
        (tmp_path / "reply.md").write_text(REPLY)
        svc.ingestor().ingest_paths([str(tmp_path)])
        svc.claim_index().sync(svc.graph())
        runner = build_runner(svc)
        first = runner.run()
        assert first.findings.get("contradicts") == 2
        before = {(f.id, f.kind, round(f.score, 6)) for f in list_findings(svc.graph()).items}

        judge = svc.judge()
        old_version = judge.version
        judge.params = dataclasses.replace(judge.params, fitted_on="a refit", contradiction=(
            judge.params.contradiction[0], judge.params.contradiction[1] + 1e-9))  # fmt: skip
        assert judge.version != old_version
        judge._memo.clear()
        judge._control_memo.clear()
        judge.model._session = Refusing()  # pyright: ignore[reportAttributeAccessIssue]
        again = build_runner(svc).run()
        assert again.claims_checked == first.claims_checked == 4  # every claim, again
        after = {(f.id, f.kind, round(f.score, 6)) for f in list_findings(svc.graph()).items}
        assert after == before
    finally:
        svc.close()
