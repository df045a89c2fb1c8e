from __future__ import annotations

from pathlib import Path

import pytest

from consilience.errors import EmptyDocumentError, IngestError, UnsupportedInputError
from ingest.claims.rules import RuleExtractor
from ingest.loaders import load_file
from ingest.pipeline import Ingestor
from tests.documents import PAPER_LINES, make_pdf

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def records(name: str, data: bytes):  # type: ignore[no-untyped-def]
    ing = Ingestor(driver=None, embedder=None, extractor=RuleExtractor())  # type: ignore[arg-type]
    return ing.build_records(Path(name), data)[1]


def test_html_strips_scripts_entities_and_footnote_markers() -> None:
    html = (
        "<html><head><title>T &amp; U</title><style>p{}</style></head><body><nav>Home</nav>"
        "<p>We find a high chance (&gt;90%?) of success.<sup><a href='#fn1'>[1]</a></sup></p>"
        "<script>alert('x')</script><ol><li id='fn1'>A footnote claim is here. "
        "<a class='footnote-backref'>↩︎</a></li></ol></body></html>"
    )
    _, docs = load_file(Path("x.html"), html.encode())
    text = " ".join(b.text for b in docs[0].blocks)
    assert docs[0].title == "T & U"
    assert "(>90%?)" in text and "[1]" not in text and "alert" not in text and "Home" not in text
    assert [b.kind for b in docs[0].blocks][-1] == "footnote"


def test_pdf_text_and_segmentation() -> None:
    docs = records("paper.pdf", make_pdf(PAPER_LINES, title="Probing"))
    quotes = [c.text for c in docs[0].claims]
    assert any("AUROC of 0.91" in q for q in quotes)
    assert any(q.startswith("Probes trained on Qwen3-32B") and "(Fig. 3)," in q for q in quotes)


def test_truncated_pdf_is_a_clear_error() -> None:
    data = make_pdf(PAPER_LINES)
    with pytest.raises(IngestError) as exc:
        records("broken.pdf", data[: len(data) // 3])
    assert "hint" in str(exc.value)


def test_empty_and_binary_inputs() -> None:
    with pytest.raises(EmptyDocumentError):
        load_file(Path("empty.txt"), b"   \n")
    with pytest.raises(UnsupportedInputError):
        load_file(Path("junk.txt"), bytes(range(256)) * 40)


def test_legacy_encoding_is_detected() -> None:
    text = "Мониторинг обнаруживает обман в большинстве случаев, которые мы изучили. " * 5
    _, docs = load_file(Path("ru.txt"), text.encode("cp1251"))
    assert "Мониторинг" in docs[0].blocks[0].text


@pytest.mark.skipif(not CORPUS.exists(), reason="corpus not present")
def test_rss_page_yields_19_titled_dated_posts() -> None:
    docs = records("002.txt", (CORPUS / "002_3313d4898cde18c9.txt").read_bytes())
    assert len(docs) == 19
    assert docs[0].source.title == "(Mis)generalization of Helpful-Only Fine-tuning"
    assert docs[6].source.title == "Logits as a new monitor for evaluation awareness"
    assert all(d.source.date and d.source.date.startswith("2026-06-0") for d in docs)
    question = docs[1]
    assert question.source.title.startswith("What Separates an Optimizer")
    assert not any(c.text.endswith("?") for c in question.claims)
    assert not any("Вы здесь" in d.source.text or d.source.text[-7:] == "Discuss" for d in docs)


@pytest.mark.skipif(not CORPUS.exists(), reason="corpus not present")
def test_html_post_with_front_matter() -> None:
    (doc,) = records("001.txt", (CORPUS / "001_0fd1727efc6e253d.txt").read_bytes())
    s = doc.source
    assert s.title == "How do we (more) safely defer to AIs?"
    assert s.url and s.url.startswith("https://www.alignmentforum.org/")
    assert "&amp;" not in s.text and "R&D" in s.text and "(>90%?)" in s.text
    assert "内容抓取" not in s.text and "<span" not in s.text
    hedged = [c for c in doc.claims if "(>90%?)" in c.text]
    assert hedged and hedged[0].hedge.value in ("moderate", "strong")
    assert hedged[0].stated_probability == pytest.approx(0.9)


@pytest.mark.skipif(not CORPUS.exists(), reason="corpus not present")
def test_gist_splits_summary_and_protocol_without_chrome() -> None:
    docs = records("000.txt", (CORPUS / "000_66e86404b9d5ec84.txt").read_bytes())
    assert [d.source.kind.value for d in docs] == ["summary", "protocol"]
    assert docs[0].source.summary_of_title == "How Do We (More) Safely Defer to AIs?"
    for d in docs:
        assert "Skip to content" not in d.source.text and "Copy link" not in d.source.text
        for c in d.claims:
            assert d.source.text[c.start : c.end] == c.text
