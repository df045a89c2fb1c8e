"""A claim read again keeps the vector the graph already holds for its text (kg.ids.embed_key):
re-reading unchanged files (--force, an extractor upgrade) embeds nothing, and a revised
document embeds only its new sentences."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.services import Services
from ingest.claims.rules import RuleExtractor
from ingest.pipeline import Ingestor
from kg.embedding import Embedder
from kg.writers import store
from tests.probe_documents import POST, REPLY


class Counting:
    """The services' embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimensions = inner.dimensions
        self.texts: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        return self.inner.embed(texts)


def _vectors(svc: Services) -> dict[str, list[float]]:
    with svc.graph().read() as s:
        rows = s.run("MATCH (c:Claim) RETURN c.text AS text, c.embedding AS e")
        return {r["text"]: list(r["e"]) for r in rows}


def test_reading_again_reuses_the_vectors_of_unchanged_claims(
    clean_services: Services, tmp_path: Path
) -> None:
    svc = clean_services
    counting = Counting(svc.embedder)
    ingest = Ingestor(svc.graph(), counting, RuleExtractor())
    (tmp_path / "post.md").write_text(POST)
    (tmp_path / "reply.md").write_text(REPLY)
    ingest.ingest_paths([str(tmp_path)])
    assert len(counting.texts) == 4
    first = _vectors(svc)

    counting.texts.clear()
    out = ingest.ingest_paths([str(tmp_path)], force=True)
    assert [o.status for o in out] == ["ingested", "ingested"]
    assert counting.texts == []  # every claim kept its vector
    assert _vectors(svc) == first

    revised = REPLY.replace("AUROC 0.55", "AUROC 0.61")
    (tmp_path / "reply.md").write_text(revised)
    counting.texts.clear()
    ingest.ingest_paths([str(tmp_path)])
    assert counting.texts == [
        "The logit monitor achieves AUROC 0.61 from a single rollout on our benchmark."
    ]
    after = _vectors(svc)
    probes = "Linear probes do not detect deceptive behaviour in most transcripts we examined."
    assert after[probes] == first[probes]  # a new source id, the same sentence, the same vector
    fresh = svc.embedder.embed(counting.texts)[0]
    got = after[counting.texts[0]]
    assert np.allclose(got, fresh, atol=1e-6)
    # the index sees the vectors the graph holds
    assert len(store.claim_embeddings(svc.graph())) == 4


def test_a_text_repeated_in_one_reading_is_embedded_once(
    clean_services: Services, tmp_path: Path
) -> None:
    """A sentence written twice in one document (a summary that repeats a finding): two
    claims, one embedding, both claims hold it."""
    svc = clean_services
    counting = Counting(svc.embedder)
    ingest = Ingestor(svc.graph(), counting, RuleExtractor())
    body = POST.split("\n", 1)[1]
    (tmp_path / "post.md").write_text(POST + "\n## Summary\n" + body)
    ingest.ingest_paths([str(tmp_path)])
    assert len(counting.texts) == len(set(counting.texts)) == 2  # no text twice
    with svc.graph().read() as s:
        rows = list(
            s.run("MATCH (c:Claim) RETURN c.text AS text, count(*) AS n, collect(c.embedding) AS e")
        )
    assert sorted(r["n"] for r in rows) == [2, 2]  # each sentence is two claims
    for r in rows:
        assert all(list(e) == list(r["e"][0]) for e in r["e"])
