from __future__ import annotations

from pathlib import Path

import pytest

from consilience.errors import EmptyDocumentError, IngestError, UnsupportedInputError
from ingest.claims.rules import RuleExtractor
from ingest.loaders import load_file
from ingest.loaders.markdown import BAD_DATE_FLAG
from ingest.pipeline import RecordBuilder
from kg.models import DocumentRecord
from tests.documents import PAGED_PAPER, PAPER_LINES, make_pdf, paged_pdf

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def records(name: str, data: bytes) -> list[DocumentRecord]:
    return RecordBuilder(RuleExtractor()).build_records(Path(name), data)[1]


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


def test_pdf_running_heads_and_page_numbers_are_dropped() -> None:
    _, (doc,) = load_file(Path("paged.pdf"), paged_pdf())
    texts = [b.text for b in doc.blocks]
    assert not any("Synthetic Results Journal" in t for t in texts), texts
    assert not any(t.strip().isdigit() for t in texts)
    # the sentence broken by the page break is whole again, with no footer or header inside
    assert any(
        "three open-weight models and evaluated them on held-out prompts" in t for t in texts
    )
    assert any(
        "in this study. Monitoring with probes therefore improves safety" in t for t in texts
    )


def test_pdf_chapter_heads_go_but_table_labels_stay() -> None:
    chapters = ["Chapter 1: Setup", "Chapter 1: Setup", "Chapter 2: Results", "Chapter 2: Results"]
    words = "one two three four five six seven eight nine".split()
    pages = [
        [f"{head} {n}", f"Probe {words[n - 2]} detected deception in most transcripts we read."]
        for n, head in enumerate(chapters * 2, 2)
    ]
    pages[1][1:1] = ["Table 1", "1.0 2.0 3.0"]
    pages[4][1:1] = ["Table 2", "4.0 5.0 6.0"]
    _, (doc,) = load_file(Path("book.pdf"), make_pdf(["A Book of Probes"], pages=pages))
    texts = [b.text for b in doc.blocks]
    assert not any("Chapter" in t for t in texts), texts
    joined = " ".join(texts)
    assert "Table 1 1.0" in joined and "Table 2 4.0" in joined
    assert joined.count("detected deception") == 8


def test_pdf_blocks_and_claims_carry_their_page() -> None:
    _, (doc,) = load_file(Path("paged.pdf"), paged_pdf())
    page_of = {b.text[:20]: b.page for b in doc.blocks}
    assert page_of["Synthetic Probes Fin"] == 1 and page_of["2.1 Data"] == 2
    (results,) = [b for b in doc.blocks if b.text.startswith("Probes detect")]
    assert results.page == 2 and results.page_breaks  # it runs on to page 3
    assert results.page_at(results.text.index("Larger models")) == 3
    (rec,) = records("paged.pdf", paged_pdf())
    claim_page = {c.text[:20]: c.page for c in rec.claims}
    assert claim_page["Probes detect decept"] == 2
    assert claim_page["Larger models were e"] == 3
    assert {p.page for p in rec.passages} == {1, 2}
    # other formats have no pages
    (txt,) = records("paper.txt", "\n".join(x for page in PAGED_PAPER for x in page).encode())
    assert all(c.page is None for c in txt.claims) and txt.claims


def test_pdf_sections_from_numbered_headings() -> None:
    (rec,) = records("paged.pdf", paged_pdf())
    section = {c.text[:20]: c.section for c in rec.claims}
    assert section["Probes detect decept"] == "3 Results"
    assert section["Larger models were e"] == "3 Results"
    assert section["The dataset contains"] == "2.1 Data"
    from ingest.loaders.pdf import read_pdf

    pdf = read_pdf(paged_pdf(), "paged.pdf")
    assert pdf.sections_from == "headings"
    assert [b.text for b in pdf.blocks if b.kind == "heading"] == [
        "Synthetic Probes Find Deception",
        "1 Introduction",
        "2 Method",
        "2.1 Data",
        "3 Results",
    ]


def test_pdf_sections_from_the_outline_when_it_has_one() -> None:
    import io

    from pypdf import PdfWriter

    from ingest.loaders.pdf import read_pdf

    writer = PdfWriter(clone_from=io.BytesIO(paged_pdf()))
    for title, page in (("Introduction", 0), ("Method", 0), ("Results", 1)):
        writer.add_outline_item(title=title, page_number=page)
    buf = io.BytesIO()
    writer.write(buf)
    pdf = read_pdf(buf.getvalue(), "outlined.pdf")
    assert pdf.sections_from == "outline"
    heads = [b.text for b in pdf.blocks if b.kind == "heading"]
    # "2.1 Data" is not in the outline, so it is text under "2 Method"
    assert heads == ["Synthetic Probes Find Deception", "1 Introduction", "2 Method", "3 Results"]


def test_pdf_title_and_authors_from_metadata() -> None:
    data = paged_pdf(title="Probing: a Study", author="Carol White and Dan Brown; Eve Black")
    _, (doc,) = load_file(Path("paged.pdf"), data)
    assert doc.title == "Probing: a Study"
    assert doc.authors == ["Carol White", "Dan Brown", "Eve Black"]
    assert doc.author_confidence == "stated"


def test_pdf_title_and_authors_from_the_first_page() -> None:
    _, (doc,) = load_file(Path("paged.pdf"), paged_pdf())
    assert doc.title == "Synthetic Probes Find Deception"
    assert doc.authors == ["Alice Smith", "Bob Jones"]
    assert doc.author_confidence == "inferred"
    # a single-page PDF with neither: the title is its first line, no authors are invented
    _, (plain,) = load_file(Path("p.pdf"), make_pdf(PAPER_LINES, title=""))
    assert plain.title == "Probing for Deception in Language Models" and plain.authors == []


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


def test_a_gist_uploader_is_not_the_author_of_the_file() -> None:
    from ingest.loaders.gist import split_gist

    page = (
        "Skip to content\nInstantly share code, notes, and snippets.\n@uploader\n"
        "Show Gist options\nnotes.md\n\nMonitors trained on transcripts catch most sabotage "
        "attempts in our tests.\n\n@commenter\n\nCopy link\n\nI think the monitors would miss "
        "subtler sabotage than this.\n"
    )
    file_doc, comment = split_gist(page)
    assert file_doc.authors == [] and "uploaded-by:uploader" in file_doc.flags
    assert comment.authors == ["commenter"]


def test_markdown_front_matter_footnotes_and_format() -> None:
    text = (
        "---\ntitle: Sandbagging notes\nauthors: [Ada Lovelace, Alan Turing]\n"
        "date: 2025-03-01\nurl: https://example.org/post\norigin: Example Forum\n---\n"
        "Models sandbag on capability tests when told the results gate deployment[^1], "
        + "and they do so consistently across the settings we tried. " * 20
        + "\n\n[^1]: We used the prompts\n    from the appendix.\n"
    )
    fmt, docs = load_file(Path("notes.md"), text.encode())
    (doc,) = docs
    assert fmt == "markdown" and doc.title == "Sandbagging notes"
    assert doc.authors == ["Ada Lovelace", "Alan Turing"] and doc.author_confidence == "stated"
    assert doc.date == "2025-03-01" and doc.url == "https://example.org/post"
    assert doc.organisation == "Example Forum"
    body = [b for b in doc.blocks if b.kind == "paragraph"]
    assert len(body) == 1 and "[^" not in body[0].text and "deployment," in body[0].text
    notes = [b for b in doc.blocks if b.kind == "footnote"]
    assert [n.text for n in notes] == ["We used the prompts from the appendix."]


@pytest.mark.parametrize(
    "front",
    [
        "+++\ntitle = 'Toml post'\nauthors = ['Ada Lovelace']\n+++\n",
        "---\ntitle: Toml post\nauthors: Ada Lovelace\n...\n",
    ],
)
def test_toml_and_dot_terminated_front_matter(front: str) -> None:
    text = front + "<p>Monitors catch most sabotage attempts in the settings we tested.</p>\n"
    _, (doc,) = load_file(Path("p.md"), text.encode())
    assert doc.title == "Toml post" and doc.authors == ["Ada Lovelace"]
    assert [b.text for b in doc.blocks] == [
        "Monitors catch most sabotage attempts in the settings we tested."
    ]


@pytest.mark.parametrize(
    ("written", "read", "flagged"),
    [
        ("2024-13-45", None, True),  # red-teamed: a ValueError failed the whole file
        ("2024-02-30", None, True),
        ("2024-05-01", "2024-05-01", False),
        ("2024-05-01 10:30:00", "2024-05-01T10:30:00", False),
        ("May 2024", "May 2024", False),
        ("2024-05-01 to 2024-06-01", "2024-05-01 to 2024-06-01", False),  # review: kept
        ("2024-5-1 10:30", "2024-5-1 10:30", False),
        ("2024-02-30 10:00", None, True),
        ("2024-02-30T10:00:00Z", None, True),  # review: "30T" hid the impossible day
    ],
)
def test_front_matter_dates(written: str, read: str | None, flagged: bool) -> None:
    text = f"---\ntitle: Dated\nauthors: [Ada Lovelace]\ndate: {written}\n---\nProbes work.\n"
    _, (doc,) = load_file(Path("d.md"), text.encode())
    assert doc.title == "Dated" and doc.authors == ["Ada Lovelace"]  # the rest is still read
    assert doc.date == read
    assert any(f.endswith(written) for f in doc.flags) == flagged


@pytest.mark.parametrize(
    ("written", "read", "flagged"),
    [
        ("2024-13-45", None, True),  # review: TOML dropped the whole front matter
        ("2024-02-30  # typo", None, True),
        ("2024-5-1", "2024-05-01", False),
        ("2024-05-01", "2024-05-01", False),  # valid: TOML's own date, as before
        ("2024-05-01T10:30:00", "2024-05-01T10:30:00", False),
        ("2024-02-30T10:00:00Z", None, True),  # review: a datetime was not quoted
    ],
)
@pytest.mark.parametrize("eol", ["\n", "\r\n"])  # review: CRLF put "\r" inside the quotes
def test_toml_front_matter_dates(written: str, read: str | None, flagged: bool, eol: str) -> None:
    text = f"+++\ntitle = 'Dated'\nauthors = ['Ada Lovelace']\ndate = {written}\n+++\nProbes.\n"
    text = text.replace("\n", eol)
    _, (doc,) = load_file(Path("d.md"), text.encode())
    assert doc.title == "Dated" and doc.authors == ["Ada Lovelace"]
    assert doc.date == read
    assert any(BAD_DATE_FLAG in f for f in doc.flags) == flagged


@pytest.mark.parametrize("delim", ['"""', "'''"])
def test_toml_dates_are_quoted_only_outside_multi_line_strings(delim: str) -> None:
    """Review: the fallback that quotes an impossible bare date also rewrote a line of a
    multi-line string that looked like one (the title gained quotation marks)."""
    text = (
        f"+++\ntitle = {delim}Probes, second draft\nrevised = 2024-13-45 by hand\n{delim}\n"
        "authors = ['Ada Lovelace']\ndate = 2024-13-45\n+++\nProbes.\n"
    )
    _, (doc,) = load_file(Path("d.md"), text.encode())
    assert doc.title is not None and doc.title.endswith("revised = 2024-13-45 by hand")
    assert doc.authors == ["Ada Lovelace"] and doc.date is None
    assert any(BAD_DATE_FLAG in f for f in doc.flags)
