"""Builders for real test documents (PDF bytes written by hand, hostile inputs)."""

from __future__ import annotations


def make_pdf(lines: list[str], title: str = "Test paper") -> bytes:
    """A valid one-page PDF whose text layer holds `lines` (Helvetica, WinAnsi)."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 11 Tf", "14 TL", "72 760 Td"]
    for line in lines:
        ops.append(f"({esc(line)}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Title (" + esc(title).encode("latin-1") + b") >>",
    ]
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
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\n"
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
