"""Deterministic ids: the same content always maps to the same node."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB chunks (model weights: tens of MB)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_text(text: str) -> str:
    return sha256_bytes(text.encode("utf-8"))


def quote_sha(text: str) -> str:
    """A claim's quote identity across document versions (its `text_sha`): equal quotes, equal
    hashes, whatever the claim's id."""
    return sha256_text(text)[:24]


def embed_key(embedder: str, text: str) -> str:
    """What a claim's vector is a function of: the embedder and the text it embedded."""
    return hashlib.sha256(f"{embedder}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()[:24]


def source_id(cleaned_text: str) -> str:
    return "src_" + sha256_text(cleaned_text)[:24]


def span_id(prefix: str, owner_id: str, start: int, end: int) -> str:
    return f"{prefix}_" + sha256_text(f"{owner_id}:{start}:{end}")[:24]


def pair_id(kind: str, a: str, b: str, by: str = "") -> str:
    """Order-independent id for a finding about two nodes. `by` (an investigator) keeps an
    adjudicator's finding beside the model's instead of overwriting it."""
    x, y = sorted((a, b))
    return "fnd_" + sha256_text(f"{kind}:{x}:{y}" + (f":{by}" if by else ""))[:24]
