"""Which sources are dependent, and the lines of research they form (pure logic)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from investigators.base import Independence
from kg.ids import sha256_text

# A line is named after a primary source, never after a summary or a replication protocol.
SECONDARY_KINDS = frozenset({"summary", "protocol"})


class ResearchLine(TypedDict):
    """One line of research: dependent sources, named after a primary one."""

    id: str
    members: list[str]
    name: str
    basis: list[str]
    member_reasons: dict[str, list[str]]


@dataclass(frozen=True)
class SourceFacts:
    id: str
    title: str
    kind: str
    authors: frozenset[str] = field(default_factory=frozenset)
    orgs: frozenset[str] = field(default_factory=frozenset)
    summarises: frozenset[str] = field(default_factory=frozenset)
    cites: frozenset[str] = field(default_factory=frozenset)
    methods: frozenset[str] = field(default_factory=frozenset)
    datasets: frozenset[str] = field(default_factory=frozenset)
    speakers: frozenset[str] = field(default_factory=frozenset)


def judge(a: SourceFacts, b: SourceFacts) -> Independence:
    """Independent only if they share no author or organisation and no summary link."""
    if a.id == b.id:
        return Independence(independent=False, reason="same source")
    if b.id in a.summarises or a.id in b.summarises:
        summary = a.id if b.id in a.summarises else b.id  # both ways: a's link is taken
        return Independence(
            independent=False, reason="one summarises the other", summary_source=summary
        )
    if a.summarises & b.summarises:
        return Independence(independent=False, reason="both summarise the same source")
    shared = a.authors & b.authors
    if shared:
        return Independence(independent=False, reason=f"shared author: {sorted(shared)[0]}")
    orgs = a.orgs & b.orgs
    if orgs:
        return Independence(independent=False, reason=f"same organisation: {sorted(orgs)[0]}")
    speakers = a.speakers & b.speakers
    if speakers:
        return Independence(independent=False, reason=f"both quote {sorted(speakers)[0]}")
    cited = a.cites & b.cites
    if cited:
        return Independence(
            independent=False, reason=f"both rest on the cited work {sorted(cited)[0]}"
        )
    method, data = a.methods & b.methods, a.datasets & b.datasets
    if method and data:
        return Independence(
            independent=False,
            reason=(f"same method ({sorted(method)[0]}) on the same data ({sorted(data)[0]})"),
        )
    return Independence(
        independent=True, reason="no shared author, organisation or summary link known"
    )


def lines_of_research(sources: list[SourceFacts]) -> list[ResearchLine]:
    """Group sources into lines: connected components of the dependence relation.

    Linear in the number of sources: sources are joined through shared keys (author,
    organisation, summarised source), never compared pairwise.
    """
    parent = {s.id: s.id for s in sources}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x: str, y: str) -> None:
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[rx] = ry

    by_key: dict[str, list[str]] = {}
    reasons: dict[str, set[str]] = {s.id: set() for s in sources}
    for s in sources:
        for a in s.authors:
            by_key.setdefault(f"shared author: {a}", []).append(s.id)
        for o in s.orgs:
            by_key.setdefault(f"same organisation: {o}", []).append(s.id)
        for sp in s.speakers:
            by_key.setdefault(f"quotes {sp}", []).append(s.id)
        for t in s.summarises:
            if t in parent:
                union(s.id, t)
                reasons[s.id].add("summary of a source in the line")
            by_key.setdefault(f"summarises {t}", []).append(s.id)
    for key, ids in by_key.items():
        if len(ids) > 1:
            for other in ids[1:]:
                union(ids[0], other)
            for i in ids:
                reasons[i].add(
                    key if not key.startswith("summarises") else "summaries of the same source"
                )
    groups: dict[str, list[SourceFacts]] = {}
    for s in sources:
        groups.setdefault(find(s.id), []).append(s)
    lines: list[ResearchLine] = []
    for members in groups.values():
        ids = sorted(m.id for m in members)
        head = sorted(members, key=lambda m: (m.kind in SECONDARY_KINDS, m.title))[0]
        basis = sorted({r for m in members for r in reasons[m.id]}) or ["single source"]
        lines.append(
            {
                "id": "line_" + sha256_text("|".join(ids))[:20],
                "members": ids,
                "name": head.title[:120],
                "basis": basis,
                # why each source is in this line (what it shares with another member)
                "member_reasons": {
                    m.id: sorted(reasons[m.id]) or ["single source"] for m in members
                },
            }
        )
    return lines
