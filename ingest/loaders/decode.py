"""Bytes to text, refusing binary junk and undecodable input with a clear error."""

from __future__ import annotations

from consilience.errors import EmptyDocumentError, UnsupportedInputError


def looks_binary(data: bytes) -> bool:
    head = data[:65536]
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control / len(head) > 0.05


# A UTF-8 file with a few bad bytes (a truncated copy-paste, one stray Latin-1 byte) is still
# UTF-8: decode it with U+FFFD for the bad bytes and say so, instead of letting detection pick
# a legacy code page that turns every accented letter and dash into mojibake.
MAX_BAD_UTF8 = 0.002
ENCODING_REPAIRED = "encoding-repaired"


def decode_text(data: bytes, name: str) -> str:
    """Decode text bytes (UTF-8 first, then detection)."""
    return decode_noted(data, name)[0]


def _utf8_with_few_errors(data: bytes) -> bool:
    """True when the bytes are UTF-8 apart from a few invalid sequences: there are valid
    multi-byte characters (a legacy code page such as cp1252 has none: every accented letter
    is an invalid sequence) and the invalid ones are rare among them."""
    valid = sum(1 for ch in data.decode("utf-8", errors="ignore") if ord(ch) >= 0x80)
    if not valid:
        return False
    allowed = min(max(1, valid // 10), max(8, int(MAX_BAD_UTF8 * len(data))))
    bad = 0
    view = data
    while True:
        try:
            view.decode("utf-8")
            return True
        except UnicodeDecodeError as exc:
            bad += 1
            if bad > allowed:
                return False
            view = view[exc.end :]


def decode_noted(data: bytes, name: str) -> tuple[str, list[str]]:
    """(text, flags): UTF-8 first, then UTF-8 with a few bad bytes replaced (flagged
    "encoding-repaired"), then detection."""
    if not data.strip():
        raise EmptyDocumentError(f"{name} is empty.", "Check that the file was saved completely.")
    if looks_binary(data):
        raise UnsupportedInputError(
            f"{name} looks like binary data, not a document.",
            "Supported inputs: PDF, HTML, markdown, plain text, saved web pages.",
        )
    for enc in (
        ("utf-8-sig", "utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig",)
    ):
        try:
            return data.decode(enc), []
        except UnicodeDecodeError:
            pass
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and _utf8_with_few_errors(data):
        return data.decode("utf-8-sig", errors="replace"), [ENCODING_REPAIRED]
    from charset_normalizer import from_bytes

    matches = from_bytes(data[:2_000_000])
    best = matches.best()
    # Western text decodes "cleanly" under several code pages; prefer cp1252 on a tie.
    for m in matches:
        if (
            best is not None
            and m.encoding in ("cp1252", "latin_1")
            and m.chaos <= best.chaos + 0.01
            and m.coherence >= best.coherence - 0.05
        ):
            best = m
            break
    if best is None or best.encoding is None:
        raise UnsupportedInputError(
            f"{name}: the text encoding could not be determined.",
            "Re-save the file as UTF-8 (e.g. `iconv -f <encoding> -t utf-8`).",
        )
    try:
        return data.decode(best.encoding), []
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnsupportedInputError(
            f"{name}: could not decode as {best.encoding}.", "Re-save the file as UTF-8."
        ) from exc
