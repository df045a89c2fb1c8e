"""Reads of findings: filtered, keyset-paginated lists and single findings."""

from __future__ import annotations

from typing import LiteralString

# A page of findings comes back as ONE record holding every row as a map shaped like
# `queries.models.FindingRow` (validated in one call by pydantic's core): a record per finding
# cost the driver a Bolt message, a Record object and a Python FindingRow built field by field
# per row, about a third of the API's own CPU on GET /findings (bench/api). Only the verdict
# history, stored as JSON strings, is decoded in Python. The finding's timestamps are not shown.
_FINDING_FIELDS: LiteralString = """id: f.id, kind: f.kind, score: f.score,
     status: CASE WHEN coalesce(f.status, '') = '' THEN 'open' ELSE f.status END,
     independent: f.independent,
     independence_reason: f.independence_reason, rationale: f.rationale,
     cues: coalesce(f.cues, []), investigator: f.investigator, version: f.version,
     model: f.model, reviewer: f.reviewer, review_reason: f.review_reason,
     carried_from: f.carried_from, history: coalesce(f.verdict_history, [])"""


def _side(node: LiteralString, source: LiteralString, detail: LiteralString = "") -> LiteralString:
    """One side as a `FindingSide` map: a line of research (its name and size as the quote), or
    a claim with its source; `detail` adds fields to a claim side (the one-finding view)."""
    return (
        "CASE WHEN " + node + ":Line THEN {node: 'line', line_id: " + node + ".id,\n"
        "         quote: 'line of research “' + CASE WHEN coalesce(" + node + ".name, '') = ''"
        " THEN " + node + ".id ELSE " + node + ".name END\n"
        "                + '” (' + CASE WHEN coalesce(" + node + ".size, 0) = 0 THEN '?'"
        " ELSE toString(" + node + ".size) END + ' sources)'}\n"
        "       ELSE {node: 'claim', claim_id: " + node + ".id, quote: " + node + ".text,\n"
        "             speaker: " + node + ".speaker, source_id: " + source + ".id,\n"
        "             source_title: " + source + ".title, source_path: " + source + ".path,\n"
        "             page: " + node + ".page, lost_content: coalesce(" + node + ".lost_content,"
        " false), source_retracted: coalesce(" + source + ".retracted, false),\n"
        "             source_authors: coalesce("
        + source
        + ".authors, []), source_date: "
        + source
        + ".date"
        + detail
        + "} END"
    )


def _rows(carried: LiteralString, order: LiteralString) -> LiteralString:
    """The two sides of the findings in scope (`carried`: any other variable the order needs),
    then every row, in `order`, as one list `rows`. A finding's sides are two claims, two lines
    of research (line_disagrees) or a claim and a line (evidence_concentrated); a claim side
    comes with its source. The list keeps the order of the rows sorted just before `collect`
    (as Neo4j documents it for the slotted runtime, Community's; the parallel runtime of an
    Enterprise server would not keep it)."""
    return (
        """
MATCH (f)-[:ABOUT {side: 'a'}]->(a)
MATCH (f)-[:ABOUT {side: 'b'}]->(b)
OPTIONAL MATCH (a)<-[:HAS_CLAIM]-(sa:Source)
OPTIONAL MATCH (b)<-[:HAS_CLAIM]-(sb:Source)
WITH f, a, b, sa, sb"""
        + carried
        + "\nORDER BY "
        + order
        + "\nRETURN collect({"
        + _FINDING_FIELDS
        + ",\n     a: "
        + _side("a", "sa")
        + ",\n     b: "
        + _side("b", "sb")
        + "}) AS rows\n"
    )


# The filters every findings list shares (one place: the lists differ only in how they find
# their candidate findings). Only the filters a request sets are in its statement: a clause
# such as `($source_id IS NULL OR EXISTS {...})` costs the planner an operator per filter on
# every row even when the parameter is null (a third of the database's time for an
# unfiltered page). At most 2^6 statements per list, each planned once and cached.
_FILTERS: dict[str, LiteralString] = {
    "kind": "f.kind = $kind",
    "status": "f.status = $status",
    "independent": "f.independent = $independent",
    "after": "(f.score < $after[0] OR (f.score = $after[0] AND f.id < $after[1]))",
    "source_id": """(EXISTS { (f)-[:ABOUT]->(:Claim)<-[:HAS_CLAIM]-(:Source {id: $source_id}) }
       OR EXISTS { (f)-[:ABOUT]->(:Line)<-[:IN_LINE]-(:Source {id: $source_id}) })""",
    "line_id": """(EXISTS { (f)-[:ABOUT]->(:Claim)<-[:HAS_CLAIM]-(:Source)
                   -[:IN_LINE]->(:Line {id: $line_id}) }
       OR EXISTS { (f)-[:ABOUT]->(:Line {id: $line_id}) })""",
}


def finding_filters() -> tuple[str, ...]:
    """The names `list_findings` accepts as active filters."""
    return tuple(_FILTERS)


def _filtered_page(active: frozenset[str]) -> LiteralString:
    """WHERE (score floor and the active filters), then the top `$limit` by score, id."""
    clauses: list[LiteralString] = ["f.score >= $min_score"]
    for name, clause in _FILTERS.items():
        if name in active:
            clauses.append(clause)
    return (
        "\nWHERE "
        + "\n  AND ".join(clauses)
        + "\nWITH f ORDER BY f.score DESC, f.id DESC LIMIT $limit\n"
    )


_ALL: LiteralString = "\nMATCH (f:Finding)"

# Findings touching any of $claim_ids (one claim, or the claims a topic search found).
_FOR_CLAIMS: LiteralString = """
UNWIND $claim_ids AS cid
MATCH (c:Claim {id: cid})<-[:ABOUT]-(f:Finding)
USING INDEX c:Claim(id)
WITH DISTINCT f"""


def list_findings(active: frozenset[str], *, for_claims: bool) -> LiteralString:
    """A page of findings (all, or touching $claim_ids) with the active filters (names from
    `finding_filters()`), highest score first, with both sides."""
    unknown = active - set(_FILTERS)
    if unknown:
        raise ValueError(f"unknown finding filters: {sorted(unknown)}")
    head = _FOR_CLAIMS if for_claims else _ALL
    return head + _filtered_page(active) + _rows("", "f.score DESC, f.id DESC")


def _detail(node: LiteralString, source: LiteralString, passage: LiteralString) -> LiteralString:
    """What the one-finding view adds to a claim side: its section and the paragraph around
    it (every view has its source's authors and date: red-teamed, lists gave [] and null)."""
    return (
        ", section: " + node + ".section,\n"
        "             context: CASE WHEN " + passage + " IS NULL OR " + source + " IS NULL"
        " THEN null\n"
        "                           ELSE substring("
        + source
        + ".text, "
        + passage
        + ".start, "
        + passage
        + ".end - "
        + passage
        + ".start) END"
    )


# One finding in full: each claim side also with its section and the paragraph around it
# (capped in Python: `queries.findings`). One record, `row`.
GET_FINDING: LiteralString = (
    """
MATCH (f:Finding {id: $id})
MATCH (f)-[:ABOUT {side: 'a'}]->(a)
MATCH (f)-[:ABOUT {side: 'b'}]->(b)
OPTIONAL MATCH (a)<-[:HAS_CLAIM]-(sa:Source)
OPTIONAL MATCH (b)<-[:HAS_CLAIM]-(sb:Source)
OPTIONAL MATCH (pa:Passage)-[:CONTAINS]->(a)
OPTIONAL MATCH (pb:Passage)-[:CONTAINS]->(b)
WITH f, a, b, sa, sb, head(collect(DISTINCT pa)) AS pa, head(collect(DISTINCT pb)) AS pb
RETURN {"""
    + _FINDING_FIELDS
    + ",\n     a: "
    + _side("a", "sa", _detail("a", "sa", "pa"))
    + ",\n     b: "
    + _side("b", "sb", _detail("b", "sb", "pb"))
    + "} AS row\n"
)

# The review queue: open findings by the expected value of a human verdict. A verdict is
# worth most where the judge is least sure (score near 0.5: uncertainty 1 - |2s - 1|) and
# where it moves most (each safety-critical claim the finding is about adds one).
REVIEW_QUEUE: LiteralString = """
MATCH (f:Finding {status: 'open'})
WITH f, (1.0 - abs(2.0 * f.score - 1.0))
        * (1 + COUNT { (f)-[:ABOUT]->(c:Claim) WHERE c.safety_critical }) AS value
ORDER BY value DESC, f.score DESC, f.id DESC
SKIP $skip LIMIT $limit""" + _rows(", value", "value DESC, f.score DESC, f.id DESC")

# Verdicts archived when their quotes left the graph, newest first (offset paging).
ARCHIVED_VERDICTS: LiteralString = """
MATCH (v:ArchivedVerdict)
RETURN v.finding_id AS finding_id, v.kind AS kind, v.status AS status,
       v.reviewer AS reviewer, v.review_reason AS review_reason,
       toString(v.reviewed_at) AS reviewed_at, toString(v.archived_at) AS archived_at,
       v.quote_a AS quote_a, v.quote_b AS quote_b, v.carried_to AS carried_to,
       v.key IS NOT NULL AS comes_back
ORDER BY v.archived_at DESC, v.finding_id
SKIP $skip LIMIT $limit
"""

# A finding id that is gone: whether its verdict was archived, and where it went.
ARCHIVED_FINDING: LiteralString = """
MATCH (v:ArchivedVerdict {finding_id: $id})
RETURN v.carried_to AS carried_to, toString(v.archived_at) AS archived_at
"""
