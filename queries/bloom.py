"""The Neo4j Bloom perspective: categories per label (captions, colours, sizes, style rules
for confidence and score), relationship styles, and search phrases built from
`queries.cypher.bloom`. `python -m queries.bloom [OUT]` writes bloom/consilience.json."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consilience.vocabulary import FindingKind
from queries.cypher import bloom as q

OUT = Path(__file__).resolve().parents[1] / "bloom" / "consilience.json"
STAMP = 1795132800000  # fixed timestamps keep the generated file reproducible

# Bloom's property data types, as its own exports write them (neo4j-graph-examples
# perspectives): floats are "number", integers "bigint", lists "array", temporal values
# their Cypher type name ("Date" in the exports; "DateTime" by the same rule).
STR, NUM, INT, BOOL, ARR, DT = "string", "number", "bigint", "boolean", "array", "DateTime"


@dataclass(frozen=True)
class Category:
    """One label's category: colour, size, the short properties shown as its caption, its
    properties with their Bloom data types, longer properties shown only in the tooltip,
    and properties kept but excluded from the inspector and search (vectors, whole texts)."""

    colour: str
    size: int
    captions: tuple[str, ...]
    props: tuple[tuple[str, str], ...]
    tooltip: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()


# One category for every label kg writes (kg/cypher/*.py), so no node reaches the scene
# uncategorised. Captions are short on purpose: a claim shows its kind and confidence (its
# text is in the tooltip and the inspector), never the whole quote.
CATEGORIES: dict[str, Category] = {
    "Claim": Category("#4C8EDA", 2, ("kind", "confidence"), (
        ("id", STR), ("text", STR), ("normalized", STR), ("kind", STR), ("hedge", STR),
        ("hedge_cues", ARR), ("speaker", STR), ("section", STR), ("page", INT),
        ("source_id", STR), ("start", INT), ("end", INT), ("aspects", ARR),
        ("measured", ARR), ("has_numbers", BOOL), ("numbers_json", STR), ("text_sha", STR),
        ("lost_content", BOOL), ("in_footnote", BOOL), ("extractor", STR), ("embed_key", STR),
        ("stated_probability", NUM), ("confidence", NUM), ("confidence_low", NUM),
        ("confidence_high", NUM), ("confidence_lines", INT), ("confidence_oppose_lines", INT),
        ("confidence_effective_lines", NUM), ("confidence_evidence", INT),
        ("confidence_contested", BOOL), ("confidence_derivation", STR),
        ("confidence_sig", STR), ("confidence_inputs", STR), ("confidence_at", DT),
        ("confidence_since", DT), ("confidence_reason", STR), ("confidence_read", INT),
        ("confidence_stale", BOOL),
        ("safety_critical", BOOL),
        ("missing_dimensions", ARR), ("missing_dimensions_by", STR),
        ("missing_dimensions_json", STR),
        ("investigated_version", STR), ("investigated_at", DT), ("created_at", DT),
        ("embedding", ARR)), tooltip=("text",), hidden=("embedding",)),
    "Finding": Category("#F79767", 2, ("kind", "score"), (
        ("id", STR), ("kind", STR), ("score", NUM), ("status", STR), ("rationale", STR),
        ("a_id", STR), ("b_id", STR), ("cues", ARR), ("investigator", STR), ("version", STR),
        ("model", STR), ("independent", BOOL),
        ("independence_reason", STR), ("reviewer", STR), ("review_reason", STR),
        ("reviewed_at", DT), ("verdict_history", ARR), ("carried_from", STR),
        ("created_at", DT), ("updated_at", DT)), tooltip=("status",)),
    "Source": Category("#57C7E3", 3, ("title",), (
        ("id", STR), ("title", STR), ("kind", STR), ("date", STR), ("path", STR),
        ("url", STR), ("authors", ARR), ("author_confidence", STR), ("organisation", STR),
        ("speakers", ARR), ("language", STR), ("flags", ARR), ("n_claims", INT),
        ("part_index", INT), ("content_hash", STR), ("file_sha256", STR),
        ("summary_of_title", STR), ("summary_of_url", STR), ("retracted", BOOL),
        ("retraction_reason", STR), ("retracted_at", DT), ("created_at", DT),
        ("updated_at", DT), ("not_summary_of", ARR), ("text", STR)), tooltip=("date",),
        hidden=("text",)),
    "Line": Category("#8DCC93", 3, ("name",), (
        ("id", STR), ("name", STR), ("size", INT), ("basis", ARR))),
    "Topic": Category("#FFC454", 3, ("label",), (
        ("id", STR), ("label", STR), ("key_phrases", ARR), ("size", INT),
        ("n_sources", INT), ("created_at", DT), ("updated_at", DT), ("centroid", ARR)),
        hidden=("centroid",)),
    "Passage": Category("#D9C8AE", 1, ("section",), (
        ("id", STR), ("source_id", STR), ("index", INT), ("section", STR), ("page", INT),
        ("start", INT), ("end", INT), ("lost_content", BOOL), ("is_footnote", BOOL))),
    "Author": Category("#C990C0", 1, ("name",), (("name", STR),)),
    "Organisation": Category("#DA7194", 1, ("name",), (("name", STR),)),
    "Measure": Category("#ECB5C9", 1, ("name",), (("name", STR),)),
    "Work": Category("#FFE081", 1, ("key",), (("key", STR),)),
    "Method": Category("#F16667", 1, ("name",), (("name", STR),)),
    "Dataset": Category("#A5ABB6", 1, ("name",), (("name", STR),)),
    "Aspect": Category("#E0E0E0", 1, ("key",), (("key", STR),)),
    "ConfidenceSnapshot": Category("#B0B0B0", 1, ("p",), (
        ("claim_id", STR), ("p", NUM), ("low", NUM), ("high", NUM), ("reason", STR),
        ("derivation", STR), ("at", DT))),
    "ArchivedVerdict": Category("#C9A227", 1, ("status",), (
        ("finding_id", STR), ("kind", STR), ("investigator", STR), ("status", STR),
        ("reviewer", STR),
        ("review_reason", STR), ("reviewed_at", DT), ("verdict_history", ARR),
        ("archived_at", DT), ("quote_a", STR),
        ("quote_b", STR), ("source_a", STR), ("source_b", STR), ("key", STR),
        ("carried_to", STR), ("carried_at", DT), ("file_a", STR), ("file_b", STR))),
    "File": Category("#569480", 1, ("format",), (
        ("path", STR), ("format", STR), ("sha256", STR), ("size", INT), ("status", STR),
        ("n_sources", INT), ("first_ingested_at", DT), ("ingested_at", DT)),
        tooltip=("path",)),
    "LLMJudgement": Category("#848484", 1, ("model",), (
        ("id", STR), ("model", STR), ("prompt_version", STR), ("response", STR),
        ("created_at", DT))),
    "CalibrationMap": Category("#D9D9D9", 1, ("investigator",), (
        ("investigator", STR), ("method", STR), ("n", INT), ("positives", INT),
        ("a", NUM), ("b", NUM), ("x", ARR), ("y", ARR), ("fitted_at", DT))),
    "CalibrationState": Category("#D9D9D9", 1, ("name",), (("name", STR), ("last_run", DT))),
    "Migration": Category("#D9D9D9", 1, ("name",), (
        ("name", STR), ("version", INT), ("applied_at", DT))),
    "Lock": Category("#D9D9D9", 1, ("name",), (("name", STR),)),
}  # fmt: skip

# type: (colour, size, [(property, dataType)])
RELATIONSHIPS: dict[str, tuple[str, int, tuple[tuple[str, str], ...]]] = {
    "ABOUT": ("#D62728", 3, (("side", STR),)),
    "HAS_CLAIM": ("#A5ABB6", 1, ()),
    "IN_LINE": ("#2CA02C", 2, (("since", DT), ("reasons", ARR))),
    "SUMMARISES": ("#9467BD", 2, (("declared", STR),)),
    "AUTHORED_BY": ("#A5ABB6", 1, ()),
    "FROM_ORGANISATION": ("#A5ABB6", 1, ()),
    "CITES": ("#A5ABB6", 1, ()),
    "USES_METHOD": ("#A5ABB6", 1, ()),
    "USES_DATASET": ("#A5ABB6", 1, ()),
    "MEASURES": ("#A5ABB6", 1, ()),
    "HAS_PASSAGE": ("#A5ABB6", 1, ()),
    "CONTAINS": ("#A5ABB6", 1, ()),
    "YIELDED": ("#A5ABB6", 1, (("index", INT),)),
    "HAD_CONFIDENCE": ("#B0B0B0", 1, ()),
    "ABOUT_TOPIC": ("#FFC454", 2, ()),
    "HAS_ASPECT": ("#E0E0E0", 1, ()),
}

# name, text with $slots, cypher, [(param, dataType, suggestion label, suggestion property)]
PHRASES: list[tuple[str, str, str, list[tuple[str, str, str | None, str | None]]]] = [
    ("Contradictions of a claim", "contradictions of $claim", q.CONTRADICTIONS_OF_CLAIM,
     [("claim", "String", "Claim", "text")]),
    ("What supports a claim", "what supports $claim", q.WHAT_SUPPORTS_CLAIM,
     [("claim", "String", "Claim", "text")]),
    ("Claims about a topic", "claims about $topic", q.CLAIMS_ABOUT_TOPIC,
     [("topic", "String", None, None)]),
    ("Open findings in a source", "open findings in $source", q.OPEN_FINDINGS_IN_SOURCE,
     [("source", "String", "Source", "title")]),
    ("Line of research of a source", "line of $source", q.LINE_OF_SOURCE,
     [("source", "String", "Source", "title")]),
    ("Weak safety-critical claims", "safety-critical claims below $max_confidence",
     q.WEAK_SAFETY_CRITICAL_CLAIMS, [("max_confidence", "Float", None, None)]),
    ("Summary distortions", "summary distortions", q.SUMMARY_DISTORTIONS, []),
    ("Positions on a topic", "positions on $topic", q.POSITIONS_ON_TOPIC,
     [("topic", "String", "Topic", "label")]),
]  # fmt: skip

# structural edges, hidden until asked for
HIDDEN_RELATIONSHIPS = ("HAS_PASSAGE", "CONTAINS", "YIELDED", "HAD_CONFIDENCE", "HAS_ASPECT")

# (source label, relationship type, target label), as kg writes them
PATH_SEGMENTS: tuple[tuple[str, str, str], ...] = (
    ("File", "YIELDED", "Source"),
    ("Source", "HAS_PASSAGE", "Passage"),
    ("Passage", "CONTAINS", "Claim"),
    ("Source", "HAS_CLAIM", "Claim"),
    ("Finding", "ABOUT", "Claim"),
    ("Finding", "ABOUT", "Line"),
    ("Source", "IN_LINE", "Line"),
    ("Source", "SUMMARISES", "Source"),
    ("Source", "AUTHORED_BY", "Author"),
    ("Source", "FROM_ORGANISATION", "Organisation"),
    ("Source", "CITES", "Work"),
    ("Source", "USES_METHOD", "Method"),
    ("Source", "USES_DATASET", "Dataset"),
    ("Claim", "MEASURES", "Measure"),
    ("Claim", "ABOUT_TOPIC", "Topic"),
    ("Claim", "HAS_ASPECT", "Aspect"),
    ("Claim", "HAD_CONFIDENCE", "ConfidenceSnapshot"),
)

STYLE_RULES: dict[str, list[dict[str, Any]]] = {
    "Claim": [
        {
            "basedOn": "confidence",
            "dataType": "number",
            "type": "range",
            "minValue": 0.0,
            "maxValue": 1.0,
            "applyColor": True,
            "minColor": "#D73027",
            "maxColor": "#1A9850",
            "applySize": True,
            "minSize": 1,
            "maxSize": 4,
            "existenceOnly": False,
            "isGdsData": False,
        },
        {
            "basedOn": "confidence_contested",
            "dataType": "boolean",
            "type": "single",
            "condition": "equals",
            "conditionValue": True,
            "applyColor": True,
            "color": "#FF00FF",
            "applySize": False,
            "existenceOnly": False,
            "isGdsData": False,
        },
    ],
    "Finding": [
        {
            "basedOn": "kind",
            "dataType": "string",
            "type": "single",
            "condition": "equals",
            "conditionValue": FindingKind.CONTRADICTS.value,
            "applyColor": True,
            "color": "#E41A1C",
            "applySize": True,
            "size": 4,
            "existenceOnly": False,
            "isGdsData": False,
        },
        {
            "basedOn": "kind",
            "dataType": "string",
            "type": "single",
            "condition": "equals",
            "conditionValue": FindingKind.CONVERGES_WITH.value,
            "applyColor": True,
            "color": "#4DAF4A",
            "applySize": False,
            "existenceOnly": False,
            "isGdsData": False,
        },
        {
            "basedOn": "score",
            "dataType": "number",
            "type": "range",
            "minValue": 0.0,
            "maxValue": 1.0,
            "applySize": True,
            "minSize": 1,
            "maxSize": 4,
            "applyColor": False,
            "existenceOnly": False,
            "isGdsData": False,
        },
    ],
}


def _caption(key: str, kind: str, is_caption: bool) -> dict[str, Any]:
    return {
        "key": key,
        "type": kind,
        "isCaption": is_caption,
        "inTooltip": True,
        "styles": [],
        "isGdsData": False,
    }


def _property_keys(owner: str, props: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    """The `{propertyKey, type, dataType}` objects Bloom writes for a label's (top-level
    `labels`) or a relationship type's properties; `type` is the label or type itself."""
    return [{"propertyKey": n, "type": owner, "dataType": t} for n, t in props]


def _category(i: int, label: str, cat: Category) -> dict[str, Any]:
    captions = [
        _caption(label, "label", False),
        *(_caption(k, "property", True) for k in cat.captions),
        *(_caption(k, "property", False) for k in cat.tooltip),
    ]
    rules = [
        {**rule, "id": f"rule:{STAMP + 100 * i + n}"}
        for n, rule in enumerate(STYLE_RULES.get(label, []))
    ]
    return {
        "id": i,
        "name": label,
        "labels": [label],
        "properties": [
            {"name": n, "exclude": n in cat.hidden, "dataType": t} for n, t in cat.props
        ],
        "createdAt": STAMP,
        "lastEditedAt": STAMP,
        "color": cat.colour,
        "size": cat.size,
        "icon": "no-icon",
        "captionKeys": list(cat.captions),
        "captions": captions,
        "textSize": 1,
        "textAlign": "top",
        "styleRules": rules,
    }


def build_perspective() -> dict[str, Any]:
    categories = [_category(i, lb, c) for i, (lb, c) in enumerate(CATEGORIES.items(), 1)]
    rels = [
        {
            "name": t,
            "id": t,
            "properties": _property_keys(t, props),
            "color": c,
            "size": s,
            "captions": [_caption(t, "relationship", True)],
            "textSize": 1,
            "textAlign": "top",
            "styleRules": [],
        }
        for t, (c, s, props) in RELATIONSHIPS.items()
    ]
    templates: list[dict[str, Any]] = []
    for i, (name, text, cypher, params) in enumerate(PHRASES):
        templates.append(
            {
                "name": name,
                "id": f"tmpl:{STAMP + i}",
                "createdAt": STAMP + i,
                "text": text,
                "cypher": cypher.strip(),
                "isUpdateQuery": False,
                "isWriteTransactionChecked": False,
                "hasCypherErrors": False,
                "params": [
                    {
                        "name": f"${p}",
                        "dataType": dt,
                        "collapsed": False,
                        "suggestionLabel": sl,
                        "suggestionProp": sp,
                        "suggestionBoolean": False,
                        "cypher": None,
                    }
                    for p, dt, sl, sp in params
                ],
            }
        )
    return {
        "name": "Consilience",
        "id": "consilience-perspective-v1",
        "categories": categories,
        "labels": {label: _property_keys(label, c.props) for label, c in CATEGORIES.items()},
        "relationshipTypes": rels,
        "palette": {"colors": sorted({c.colour for c in CATEGORIES.values()}), "currentIndex": 0},
        "createdAt": STAMP,
        "lastEditedAt": STAMP,
        "templates": templates,
        "sceneActions": [],
        "hiddenRelationshipTypes": list(HIDDEN_RELATIONSHIPS),
        "hiddenCategories": [],
        "hideUncategorisedData": False,
        "type": "STANDARD_PERSPECTIVE",
        "parentPerspectiveId": None,
        "metadata": {
            "pathSegments": [
                {"source": s, "relationshipType": r, "target": t} for s, r, t in PATH_SEGMENTS
            ],
            "indexes": [
                {"label": "Claim", "type": "FULLTEXT", "propertyKeys": ["text"]},
                {"label": "Source", "type": "FULLTEXT", "propertyKeys": ["title"]},
                {"label": "Claim", "type": "VECTOR", "propertyKeys": ["embedding"]},
            ],
        },
        "version": "2.19.0",
    }


def render() -> str:
    return json.dumps(build_perspective(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {out}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
