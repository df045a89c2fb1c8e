"""Bad input gets a clear error and loses nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.services import Services
from tests.documents import PAPER_LINES, huge_html, make_pdf

CYPHER_TITLE = 'Robert\'); MATCH (n) DETACH DELETE n; // "quoted" `ticks` {x: $y}'


def _bad_folder(root: Path) -> Path:
    folder = root / "mixed"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "junk.bin").write_bytes(bytes(range(256)) * 100)
    pdf = make_pdf(PAPER_LINES)
    (folder / "truncated.pdf").write_bytes(pdf[: len(pdf) // 3])
    (folder / "paper.pdf").write_bytes(pdf)
    (folder / "hostile.html").write_text(
        f"<html><head><title>{CYPHER_TITLE}</title><script>alert('pwn')</script></head>"
        '<body><p onclick="evil()">Linear probes detect deception in most cases we tested.'
        "</p><iframe src='x'></iframe><p>Chain-of-thought monitoring will remain useful "
        "for several years.</p></body></html>"
    )
    (folder / "latin1.txt").write_bytes(
        "Café owners’ AIs will outperform humans at scheduling by 2030, we predict.\n\n"
        "Naïve monitoring fails against résumé-writing agents in our tests.\n".encode("cp1252")
    )
    return folder


def test_mixed_folder_good_files_land_bad_ones_reported(
    clean_services: Services, tmp_path: Path
) -> None:
    svc = clean_services
    outcomes = svc.ingestor().ingest_paths([str(_bad_folder(tmp_path))])
    status = {Path(o.path).name: o for o in outcomes}
    for bad in ("empty.txt", "junk.bin", "truncated.pdf"):
        assert status[bad].status == "failed"
        assert status[bad].error and status[bad].hint, status[bad]
    for good in ("paper.pdf", "hostile.html", "latin1.txt"):
        assert status[good].status == "ingested" and status[good].claims >= 1, status[good]
    with svc.graph().write() as s:
        titles = {r["t"] for r in s.run("MATCH (s:Source) RETURN s.title AS t")}
        texts = " ".join(r["x"] for r in s.run("MATCH (s:Source) RETURN s.text AS x"))
    assert CYPHER_TITLE in titles  # stored verbatim as data, nothing executed
    assert "alert" not in texts and "evil" not in texts
    assert "Café" in texts and "Naïve" in texts
    assert len(titles) == 3


def test_huge_html_page(clean_services: Services, tmp_path: Path) -> None:
    page = tmp_path / "huge.html"
    page.write_bytes(huge_html(50))
    assert page.stat().st_size >= 50 * 1024 * 1024
    (o,) = clean_services.ingestor().ingest_paths([str(page)])
    assert o.status == "ingested" and o.claims == 2, o


def test_document_too_long_after_cleaning_is_refused(
    clean_services: Services, tmp_path: Path
) -> None:
    big = tmp_path / "wall.txt"
    big.write_text("Monitoring detects scheming in this paragraph number one.\n\n" * 60_000)
    (o,) = clean_services.ingestor().ingest_paths([str(big)])
    assert o.status == "failed" and "CONSILIENCE_MAX_SOURCE_CHARS" in (o.hint or "")
    with clean_services.graph().write() as s:
        rec = s.run("MATCH (c:Claim) RETURN count(c) AS n").single()
        assert rec is not None and rec["n"] == 0


def test_missing_path_is_reported(clean_services: Services) -> None:
    (o,) = clean_services.ingestor().ingest_paths(["/no/such/file.pdf"])
    assert o.status == "failed" and "no such file" in (o.error or "")


def test_a_corrupt_faiss_copy_is_rebuilt_not_a_traceback(
    cli_services: Services, tmp_path: Path
) -> None:
    """The FAISS copy is derived from the graph: unreadable files make `index check` say so
    (exit 1), and `ingest` and `index rebuild` rebuild it from the graph."""
    from typer.testing import CliRunner

    from cli.main import app
    from kg.faiss_index import ClaimIndex

    svc = cli_services
    (tmp_path / "a.md").write_text("# Probes\n\nLinear probes detect deception in most runs.\n")
    cli = CliRunner()
    assert cli.invoke(app, ["ingest", "--no-investigate", str(tmp_path / "a.md")]).exit_code == 0
    (svc.settings.faiss_dir / "claims.faiss").write_bytes(bytes(range(256)) * 4)
    check = cli.invoke(app, ["index", "check"])
    assert check.exit_code == 1 and "could not be read" in check.output, check.output
    assert not isinstance(check.exception, Exception), check.output
    (tmp_path / "b.md").write_text("# Monitors\n\nTrusted monitors catch most sabotage.\n")
    out = cli.invoke(app, ["ingest", "--no-investigate", str(tmp_path / "b.md")])
    assert out.exit_code == 0 and not isinstance(out.exception, Exception), out.output
    assert "it was rebuilt from the graph" in " ".join(out.output.split())  # not silently
    healed = ClaimIndex(svc.settings.faiss_dir, svc.embedder.dimensions).load()
    assert healed.unreadable is None and healed.check(svc.graph()) == (set(), set())
    (svc.settings.faiss_dir / "claims.faiss").write_bytes(b"junk")
    rebuilt = cli.invoke(app, ["index", "rebuild"])
    assert rebuilt.exit_code == 0 and "Rebuilt the FAISS index with 2 claims" in rebuilt.output
    # red-teamed: ids in another order (here in the earlier file form, a bare list, which has
    # no fingerprint of the rows) passed the check, which compared sets
    ids_file = svc.settings.faiss_dir / "claims.ids.json"
    ids_file.write_text(json.dumps(json.loads(ids_file.read_text())["ids"][::-1]))
    check = cli.invoke(app, ["index", "check"])
    assert check.exit_code == 1 and "rows sampled" in " ".join(check.output.split()), check.output
    (tmp_path / "c.md").write_text("# Audits\n\nExternal audits find few of the planted bugs.\n")
    out = cli.invoke(app, ["ingest", "--no-investigate", str(tmp_path / "c.md")])
    assert out.exit_code == 0, out.output
    assert cli.invoke(app, ["index", "check"]).exit_code == 0  # the sync rebuilt it


def test_a_faiss_copy_that_cannot_be_saved_is_a_warning_and_loses_nothing(
    cli_services: Services, tmp_path: Path
) -> None:
    """Red-teamed: an unwritable (or full) faiss/ folder ended `ingest` in a traceback after
    the graph had been written. (A file where the folder should be stands in for it: this
    suite runs as root, which permissions do not stop.)"""
    import shutil

    from typer.testing import CliRunner

    from cli.main import app

    svc = cli_services
    faiss_dir = svc.settings.faiss_dir
    shutil.rmtree(faiss_dir, ignore_errors=True)
    faiss_dir.write_text("not a folder")
    try:
        (tmp_path / "a.md").write_text("# Probes\n\nLinear probes detect deception in most runs.\n")
        out = CliRunner().invoke(app, ["ingest", str(tmp_path / "a.md")])
        text = " ".join(out.output.split())
        assert out.exit_code == 0 and not isinstance(out.exception, Exception), out.output
        assert "could not be saved" in text and "index rebuild" in text, text
        with svc.graph().write() as s:
            n = s.run("MATCH (c:Claim) RETURN count(c) AS n").single(strict=True)["n"]
        assert n >= 1  # the document is in the graph, and the run went on
        # `index rebuild` says the same, as an error (red-teamed: a traceback)
        failed = CliRunner().invoke(app, ["index", "rebuild"])
        said = " ".join(failed.output.split())
        assert failed.exit_code == 2 and not isinstance(failed.exception, Exception), said
        assert "could not be saved" in said and "nothing is lost" in said, said
    finally:
        faiss_dir.unlink()
    rebuilt = CliRunner().invoke(app, ["index", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output


def test_an_impossible_front_matter_date_is_left_out_with_a_warning(
    clean_services: Services, tmp_path: Path
) -> None:
    """Red-teamed: `date: 2024-13-45` failed the whole file ("unexpected error … ValueError")."""
    f = tmp_path / "dated.md"
    f.write_text(
        "---\ntitle: Dated\ndate: 2024-13-45\n---\n\n"
        "Linear probes detect deceptive behaviour in 80% of the transcripts we read.\n"
    )
    (out,) = clean_services.ingestor().ingest_paths([str(f)])
    assert out.status == "ingested" and out.claims == 1
    assert "date '2024-13-45' is not a date: left out" in " ".join(out.warnings)


def test_a_document_with_no_claims_says_why(clean_services: Services, tmp_path: Path) -> None:
    """Red-teamed: it showed `ingested … 0 claims` with an empty note."""
    f = tmp_path / "title-only.md"
    f.write_text("# Notes\n\nHello.\n")
    (out,) = clean_services.ingestor().ingest_paths([str(f)])
    assert out.status == "ingested" and out.claims == 0
    assert out.warnings and out.warnings[0].startswith("no claims found")


def test_a_file_claude_finds_no_claim_in_is_read_by_the_rules_and_says_so(
    clean_services: Services, tmp_path: Path
) -> None:
    """Red-teamed: with Claude extracting, a file it answered no claim for was stored with
    none, exit 0, and later ingests skipped it as unchanged."""
    from consilience.llm import AnthropicLLM
    from ingest.claims.llm import LLMExtractor
    from ingest.pipeline import Ingestor
    from tests.messages_stub import MessagesStub

    svc = clean_services
    doc = tmp_path / "quiet.md"
    doc.write_text(
        "# Results\n\nWe find that linear probes detect deception with AUROC 0.91.\n\n"
        "Steering reduced sandbagging by 40% on every benchmark we tried.\n"
    )
    with MessagesStub() as stub:
        for _ in range(3):
            stub.tool_answer({"claims": []})
        llm = AnthropicLLM("test-key", "claude-stub", base_url=stub.url, max_retries=0)
        ingestor = Ingestor(svc.graph(), svc.embedder, LLMExtractor(llm))
        (out,) = ingestor.ingest_paths([str(doc)])
    assert out.status == "ingested" and out.claims >= 2, out
    assert any("Claude found no claim in it" in w for w in out.warnings), out.warnings


def test_a_passage_whose_answer_is_cut_off_is_read_by_the_rules_and_says_so(
    clean_services: Services, tmp_path: Path
) -> None:
    """Red-teamed: an extraction cut off at its token limit kept its first claim and replaced
    the file's others, with no note; a refusal failed the whole file."""
    from consilience.llm import AnthropicLLM
    from ingest.claims.llm import LLMExtractor
    from ingest.pipeline import Ingestor
    from tests.messages_stub import MessagesStub

    svc = clean_services
    doc = tmp_path / "long.md"
    doc.write_text(
        "# Results\n\nWe find that linear probes detect deception with AUROC 0.91. "
        "Steering reduced sandbagging by 40% on every benchmark we tried.\n\n"
        "Fine-tuning restored the unlearned knowledge within fifty steps.\n"
    )
    first = {"reasoning": "r", "kind": "finding",
             "quote": "We find that linear probes detect deception with AUROC 0.91."}  # fmt: skip
    with MessagesStub() as stub:
        stub.tool_answer({"claims": [first]}, stop_reason="max_tokens")
        stub.tool_answer({"claims": [{**first, "quote": "the"}]}, stop_reason="refusal")
        llm = AnthropicLLM("test-key", "claude-stub", base_url=stub.url, max_retries=0)
        ingestor = Ingestor(svc.graph(), svc.embedder, LLMExtractor(llm))
        (out,) = ingestor.ingest_paths([str(doc)])
    assert out.status == "ingested" and out.claims == 3, out
    assert any(
        "Claude's answer could not be used for 2 passage(s) (an answer cut off at its token "
        "limit ×1; a refusal ×1): the offline rules read them" in w
        for w in out.warnings
    ), out.warnings


def test_claude_extraction_keeps_each_answer_and_stops_at_the_runs_cap(
    clean_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Red-teamed: `--llm-extractor` kept no answer, so a file failed by a request error was
    paid for again in full by the rerun, as was every unchanged passage of a revised file;
    and no cap bounded it. Each passage's answer is now kept as it comes, a run stops sending
    at its cap (the file fails, clearly, and is not stored), the rerun asks only what it was
    not answered, and the ingest says what Claude cost."""
    from app.ingest import ingest
    from consilience.llm import AnthropicLLM
    from ingest.claims.llm import LLMExtractor
    from tests.messages_stub import MessagesStub

    svc = clean_services
    doc = tmp_path / "two.md"
    passages = [
        "We find that linear probes detect deception with AUROC 0.91.",
        "Steering reduced sandbagging by 40% on every benchmark we tried.",
    ]
    doc.write_text("# Results\n\n" + "\n\n".join(passages) + "\n")

    def claims(quote: str) -> dict[str, object]:
        return {"claims": [{"reasoning": "r", "kind": "finding", "quote": quote}]}

    def keyed(cap: float, stub: MessagesStub) -> None:
        llm_settings = svc.settings.llm.model_copy(update={"budget_usd": cap})
        monkeypatch.setattr(svc, "settings", svc.settings.model_copy(update={"llm": llm_settings}))
        llm = AnthropicLLM("k", "claude-stub", base_url=stub.url, max_retries=0)
        monkeypatch.setattr(svc, "extractor", LLMExtractor(llm))

    def sent(stub: MessagesStub) -> list[str]:
        return [r["body"]["messages"][0]["content"] for r in stub.requests]

    from consilience.llm import _worst
    from consilience.llm_spend import Spend, not_sent_warning
    from ingest.claims.prompts import extract

    one = _worst(Spend(1.0, (3.0, 15.0)), extract.SYSTEM, "x" * 400, extract.LLMClaims, 4096)
    with MessagesStub() as stub:  # room for one passage's worst case, not two
        stub.tool_answer(claims(passages[0]), usage=(900, 60))
        keyed(one, stub)  # one's worst case fits; then the answer's cost plus another doesn't
        result = ingest(svc, [str(doc)], investigate_after=False)
        assert len(sent(stub)) == 1
    (out,) = result.outcomes
    assert out.status == "failed" and "past its $" in (out.error or ""), out
    assert "Run again to go on" in (out.hint or "")
    assert result.extraction is not None and result.extraction.requests == 1
    assert result.extraction.not_sent_by == {"claim extraction": 1}
    assert "(claim extraction: 1 file(s) stopped there)" in not_sent_warning(result.extraction)
    with MessagesStub() as stub:  # the rerun asks only the passage not answered
        stub.tool_answer(claims(passages[1]), usage=(900, 60))
        keyed(10.0, stub)
        result = ingest(svc, [str(doc)], investigate_after=False)
        (prompt,) = sent(stub)
    assert passages[1] in prompt and passages[0] not in prompt
    (out,) = result.outcomes
    assert out.status == "ingested" and out.claims == 2, out
    assert result.extraction is not None and result.extraction.cached == 1
    doc.write_text(  # a revision: only the new passage is asked about
        "# Results\n\n" + "\n\n".join([*passages, "Probes failed on the largest model."]) + "\n"
    )
    with MessagesStub() as stub:
        stub.tool_answer(claims("Probes failed on the largest model."), usage=(700, 50))
        keyed(10.0, stub)  # and the investigation after it asks Claude too (answered 500 here)
        monkeypatch.setattr(svc, "llm", AnthropicLLM("k", "c", base_url=stub.url, max_retries=0))
        result = ingest(svc, [str(doc)])
        assert passages[0] not in sent(stub)[0] and "largest model" in sent(stub)[0]
    assert result.outcomes[0].status == "ingested" and result.outcomes[0].claims == 3
    # one cap for the command: the investigation's account holds the extraction's request
    assert result.extraction is not None and result.extraction.input_tokens == 700
    assert result.investigation is not None and result.investigation.claude is not None
    assert result.investigation.claude.input_tokens == 700
    assert result.investigation.claude.cap_usd == 10.0
