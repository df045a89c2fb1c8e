"""A multi-page PDF into the real graph: claims keep their page, running heads stay out."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from app.services import Services
from cli.report import render_hits
from queries.search import search_claims
from tests.documents import paged_pdf


def test_pdf_claims_keep_their_page_in_the_graph_and_in_search(
    clean_services: Services, tmp_path: Path
) -> None:
    svc = clean_services
    pdf = tmp_path / "paged.pdf"
    pdf.write_bytes(paged_pdf())
    (o,) = svc.ingestor().ingest_paths([str(pdf)])
    assert o.status == "ingested" and o.claims >= 3, o

    with svc.graph().read() as s:
        claims = {
            r["t"][:20]: (r["page"], r["section"])
            for r in s.run(
                "MATCH (c:Claim) RETURN c.text AS t, c.page AS page, c.section AS section"
            )
        }
        source = s.run(
            "MATCH (s:Source) RETURN s.title AS title, s.text AS text, s.authors AS authors"
        ).single()
        passage_pages = {r["p"] for r in s.run("MATCH (p:Passage) RETURN p.page AS p")}
    assert claims["Probes detect decept"] == (2, "3 Results")
    assert claims["Larger models were e"] == (3, "3 Results")  # its paragraph began on p. 2
    assert passage_pages == {1, 2}
    assert source is not None and source["title"] == "Synthetic Probes Find Deception"
    assert source["authors"] == ["Alice Smith", "Bob Jones"]
    assert "Synthetic Results Journal" not in source["text"]

    hits = search_claims(
        svc.graph(), "larger models are easier to probe", svc.embedder.embed, limit=3
    )
    assert hits and hits[0].quote.startswith("Larger models") and hits[0].page == 3
    console = Console(record=True, width=200)
    render_hits(console, "larger models", hits[:1])
    assert "paged.pdf · p. 3" in console.export_text()
