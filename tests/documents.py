"""Builders for real test documents (PDF bytes written by hand, hostile inputs)."""

from __future__ import annotations


def _pdf_string(s: str) -> str:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _page_stream(lines: list[str], header: str | None, footer: str | None) -> bytes:
    """One page's content: a running header at the top, the lines, a footer at the bottom."""
    ops: list[str] = []
    if header:
        ops += ["BT", "/F1 9 Tf", "72 770 Td", f"({_pdf_string(header)}) Tj", "ET"]
    ops += ["BT", "/F1 11 Tf", "14 TL", "72 740 Td"]
    ops += [f"({_pdf_string(line)}) Tj T*" for line in lines]
    ops.append("ET")
    if footer:
        ops += ["BT", "/F1 9 Tf", "300 40 Td", f"({_pdf_string(footer)}) Tj", "ET"]
    return "\n".join(ops).encode("latin-1")


def make_pdf(
    lines: list[str],
    title: str = "Test paper",
    *,
    pages: list[list[str]] | None = None,
    header: str | None = None,
    footer: str | None = None,
    author: str | None = None,
) -> bytes:
    """A valid PDF whose text layer holds `lines` on page 1 and each of `pages` on a page of
    its own (Helvetica, WinAnsi). `header` and `footer` are drawn on every page, with
    "{page}" replaced by the page number; `title` ("" for none) and `author` go in /Info."""
    texts = [lines, *(pages or [])]
    n = len(texts)
    # objects: 1 catalog, 2 page tree, 3 font, 4 info, then a page and its content per page
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(n))
    info = b"<< "
    if title:
        info += b"/Title (" + _pdf_string(title).encode("latin-1") + b") "
    if author:
        info += b"/Author (" + _pdf_string(author).encode("latin-1") + b") "
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        info + b">>",
    ]
    for i, page_lines in enumerate(texts):
        number = i + 1
        stream = _page_stream(
            page_lines,
            header.replace("{page}", str(number)) if header else None,
            footer.replace("{page}", str(number)) if footer else None,
        )
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {6 + 2 * i} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
        objects.append(
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream"
        )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 4 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


PAPER_LINES = [
    "Probing for Deception in Language Models",
    "",
    "Abstract",
    "We find that linear probes detect deceptive behaviour with an AUROC of 0.91 on",
    "held-out prompts. Probes trained on Qwen3-32B transfer to Llama-3.1-8B (Fig. 3),",
    "as Smith et al. reported for smaller models. Monitoring therefore improves safety.",
]


# A three-page paper: numbered sections, a paragraph that runs from page 2 onto page 3.
PAGED_PAPER = [
    [
        "Synthetic Probes Find Deception",
        "Alice Smith, Bob Jones",
        "1 Introduction",
        "Deceptive behaviour in language models is a growing concern for safety research,",
        "and linear probes are a cheap way to look for it in the activations of a model.",
        "2 Method",
        "We trained linear probes on the residual stream of three open-weight models and",
    ],
    [
        "evaluated them on held-out prompts drawn from a separate distribution of tasks.",
        "2.1 Data",
        "The dataset contains twelve thousand labelled transcripts collected in 2024.",
        "3 Results",
        "Probes detect deceptive behaviour with an AUROC of 0.91 on held-out prompts, and",
        "the effect holds across all three models that we tested in this study. Monitoring",
    ],
    [
        "with probes therefore improves safety at almost no cost to the deployment budget.",
        "Larger models were easier to probe than smaller ones in every setting we tried.",
    ],
]
PAGED_HEADER = "{page} Synthetic Results Journal"  # a running head with the page number in it
PAGED_FOOTER = "{page}"  # a bare page number


def paged_pdf(title: str = "", author: str | None = None) -> bytes:
    """PAGED_PAPER as a PDF with a running header and page numbers (no /Title by default)."""
    first, *rest = PAGED_PAPER
    return make_pdf(
        first, title, pages=rest, header=PAGED_HEADER, footer=PAGED_FOOTER, author=author
    )


def huge_html(target_mb: float = 50.0) -> bytes:
    """A very large page: mostly script and style, with a real article inside."""
    filler = "<script>var x = '" + "A" * 1_000_000 + "';</script>\n"
    style = "<style>" + ".c{color:red}" * 50_000 + "</style>\n"
    article = (
        "<article><h1>Big page</h1><p>Monitoring detects scheming in most "
        "transcripts we examined.</p><p>Control will become infeasible for "
        "very capable systems.</p></article>"
    )
    parts = ["<!doctype html><html><head><title>Big page</title>", style, "</head><body>"]
    size = sum(len(p) for p in parts)
    while size < target_mb * 1024 * 1024:
        parts.append(filler)
        size += len(filler)
    parts.append(article + "</body></html>")
    return "".join(parts).encode()
