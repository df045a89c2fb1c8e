"""Claim views for investigator tests: each claim from a source of its own."""

from __future__ import annotations

from investigators.base import ClaimView


def view(cid: str, text: str) -> ClaimView:
    """A claim as an investigator sees it, from its own source."""
    return ClaimView(
        id=cid,
        text=text,
        normalized=text,
        kind="finding",
        hedge="none",
        source_id=f"s{cid}",
        source_title=f"S{cid}",
        source_kind="paper",
    )
