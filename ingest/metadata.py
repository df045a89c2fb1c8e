"""Document metadata that the text states: kind, authors, organisation, summary-of."""

from __future__ import annotations

import re

from ingest.document import ParsedDocument
from kg.models import SourceKind

KNOWN_ORGS = (
    "Google DeepMind",
    "DeepMind",
    "GDM",
    "Anthropic Fellows",
    "Anthropic",
    "OpenAI",
    "Redwood Research",
    "Goodfire",
    "MATS",
    "Forethought",
    "FLF",
    "Manifund",
    "Clearer Thinking",
    "UK AISI",
    "AISI",
    "Apollo Research",
    "METR",
    "Epoch",
    "80,000 Hours",
    "Future of Life Institute",
    "CAISI",
)
_ORG_RE = re.compile(r"\b(" + "|".join(re.escape(o) for o in KNOWN_ORGS) + r")\b")
_AUTHORS_LINE = re.compile(r"^Authors?:\s*(.+)$", re.M)
_AUTHOR_PAREN = re.compile(r"^Author:\s*([^()\n]+?)\s*\(([^)]+)\)", re.M)
_BY_LINE = re.compile(
    r"(?<!mentored )(?<!supported )(?<!funded )(?<!inspired )(?<!reviewed )(?<!advised )"
    r"\b(?:written |summary |post )?by ([A-Z][a-z]+(?:,? (?:&|and)? ?[A-Z][a-z]+)+)\b"
)
_ORG_CONTEXT = re.compile(
    r"(?:as part of|created by|done at|work(?:ed|s)? at|researcher at|from|mentored by|"
    r"published by|team at|\()\s*(?:the )?(" + "|".join(re.escape(o) for o in KNOWN_ORGS) + r")\b"
)
_SUMMARY_TITLE = re.compile(r"^(.*?)\s*[-–—:]\s*Summary$", re.I)
_SPEAKER_TURN = re.compile(r"^[A-Z][a-z]+ [A-Z][a-z]+:\s", re.M)
_QUESTION_TITLE = re.compile(r"\?\s*$")


def _split_names(raw: str) -> list[str]:
    parts = re.split(r",|&|\band\b", raw)
    return [p.strip(" .") for p in parts if 1 < len(p.strip()) < 60]


def infer_metadata(doc: ParsedDocument) -> None:
    """Fill what the document's own text states; never overwrite what a loader found."""
    head = "\n".join(b.text for b in doc.blocks[:25])
    body = "\n".join(b.text for b in doc.blocks)
    m = _SUMMARY_TITLE.match(doc.title)
    if m and not doc.summary_of_title:
        doc.summary_of_title = m.group(1).strip()
        doc.kind = doc.kind or SourceKind.SUMMARY
        stated = _AUTHORS_LINE.search(head)
        if stated:
            doc.flags.append(f"summarised-authors:{stated.group(1).strip()[:200]}")
    if not doc.authors:
        pm = _AUTHOR_PAREN.search(head)
        if pm:
            doc.authors = [pm.group(1).strip()]
            doc.organisation = doc.organisation or pm.group(2).strip()
            doc.author_confidence = "stated"
        elif not doc.summary_of_title and (am := _AUTHORS_LINE.search(head)):
            doc.authors = _split_names(am.group(1))
            doc.author_confidence = "stated"
        elif bm := _BY_LINE.search(head[:600]):
            doc.authors = _split_names(bm.group(1))
            doc.author_confidence = "stated"
    if not doc.organisation:
        om = _ORG_CONTEXT.search(head[:3000])
        if om:
            doc.organisation = om.group(1)
    if doc.kind is None:
        doc.kind = infer_kind(doc.title, head, body)


def infer_kind(title: str, head: str, body: str) -> SourceKind:
    t = title.lower()
    h = head.lower()
    if "protocol" in t or "replication" in t:
        return SourceKind.PROTOCOL
    if re.search(r"^ai #\d+", t):
        return SourceKind.NEWS_DIGEST
    if "summary" in t:
        return SourceKind.SUMMARY
    if len(_SPEAKER_TURN.findall(body)) >= 8 or "transcript" in h:
        return SourceKind.INTERVIEW
    if re.search(
        r"\bwrite-up\b|\bbootcamp\b|\bnotes\b|\bproject plan\b|\blog\b", t + " " + h[:400]
    ):
        return SourceKind.RESEARCH_LOG
    if body.count("“") > 150:
        return SourceKind.NEWS_DIGEST
    if re.search(r"competition|participate|survey|announc|a tool for|call for", t):
        return SourceKind.ANNOUNCEMENT
    if re.search(r"\bwe (?:find|show|train|study|evaluate)\b|\babstract\b|\btl;?dr\b|arxiv", h):
        return SourceKind.PAPER
    if _QUESTION_TITLE.search(title) and len(body) < 3000:
        return SourceKind.POST
    return SourceKind.POST
