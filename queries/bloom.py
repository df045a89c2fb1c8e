"""The Neo4j Bloom perspective: categories per label (captions, colours, sizes, style rules
for confidence and score), relationship styles, and search phrases built from
`queries.cypher.bloom`. `python -m queries.bloom [OUT]` writes bloom/consilience.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from consilience.vocabulary import FindingKind
from queries.cypher import bloom as q

OUT = Path(__file__).resolve().parents[1] / "bloom" / "consilience.json"
STAMP = 1795132800000  # fixed timestamps keep the generated file reproducible

# label: (colour, size, caption property, [(property, dataType)])
CATEGORIES: dict[str, tuple[str, int, str, list[tuple[str, str]]]] = {
    "Claim": (
        "#4C8EDA",
        2,
        "text",
        [
            ("id", "string"),
            ("text", "string"),
            ("kind", "string"),
            ("hedge", "string"),
            ("speaker", "string"),
            ("section", "string"),
            ("confidence", "number"),
            ("confidence_low", "number"),
            ("confidence_high", "number"),
            ("confidence_lines", "number"),
            ("safety_critical", "boolean"),
            ("confidence_contested", "boolean"),
            ("stated_probability", "number"),
        ],
    ),
    "Finding": (
        "#F79767",
        2,
        "kind",
        [
            ("id", "string"),
            ("kind", "string"),
            ("score", "number"),
            ("status", "string"),
            ("rationale", "string"),
            ("investigator", "string"),
            ("independent", "boolean"),
            ("reviewer", "string"),
        ],
    ),
    "Source": (
        "#57C7E3",
        3,
        "title",
        [
            ("id", "string"),
            ("title", "string"),
            ("kind", "string"),
            ("date", "string"),
            ("path", "string"),
            ("url", "string"),
            ("retracted", "boolean"),
        ],
    ),
    "Line": ("#8DCC93", 3, "name", [("id", "string"), ("name", "string")]),
    "Author": ("#C990C0", 1, "name", [("name", "string")]),
    "Organisation": ("#DA7194", 1, "name", [("name", "string")]),
    "Passage": ("#D9C8AE", 1, "section", [("id", "string"), ("section", "string")]),
    "Measure": ("#ECB5C9", 1, "name", [("name", "string")]),
    "Work": ("#FFE081", 1, "key", [("key", "string")]),
    "Method": ("#F16667", 1, "name", [("name", "string")]),
    "Dataset": ("#A5ABB6", 1, "name", [("name", "string")]),
    "Topic": (
        "#FFC454",
        3,
        "label",
        [
            ("id", "string"),
            ("label", "string"),
            ("size", "number"),
            ("n_sources", "number"),
        ],
    ),
    "Aspect": ("#E0E0E0", 1, "key", [("key", "string")]),
    "ConfidenceSnapshot": (
        "#B0B0B0",
        1,
        "p",
        [
            ("claim_id", "string"),
            ("p", "number"),
            ("reason", "string"),
        ],
    ),
}

# type: (colour, size)
RELATIONSHIPS: dict[str, tuple[str, int]] = {
    "ABOUT": ("#D62728", 3),
    "HAS_CLAIM": ("#A5ABB6", 1),
    "IN_LINE": ("#2CA02C", 2),
    "SUMMARISES": ("#9467BD", 2),
    "AUTHORED_BY": ("#A5ABB6", 1),
    "FROM_ORGANISATION": ("#A5ABB6", 1),
    "CITES": ("#A5ABB6", 1),
    "USES_METHOD": ("#A5ABB6", 1),
    "USES_DATASET": ("#A5ABB6", 1),
    "MEASURES": ("#A5ABB6", 1),
    "HAS_PASSAGE": ("#A5ABB6", 1),
    "CONTAINS": ("#A5ABB6", 1),
    "HAD_CONFIDENCE": ("#B0B0B0", 1),
    "ABOUT_TOPIC": ("#FFC454", 2),
    "HAS_ASPECT": ("#E0E0E0", 1),
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


def build_perspective() -> dict[str, Any]:
    categories: list[dict[str, Any]] = []
    for i, (label, (colour, size, caption, props)) in enumerate(CATEGORIES.items(), 1):
        caps = [_caption(label, "label", False), _caption(caption, "property", True)]
        if label == "Claim":
            caps.append(_caption("confidence", "property", True))
        if label == "Finding":
            caps.append(_caption("score", "property", True))
        categories.append(
            {
                "id": i,
                "name": label,
                "labels": [label],
                "properties": [{"name": n, "exclude": False, "dataType": t} for n, t in props],
                "color": colour,
                "size": size,
                "icon": "no-icon",
                "captionKeys": [caption],
                "captions": caps,
                "textSize": 1,
                "textAlign": "top",
                "styleRules": STYLE_RULES.get(label, []),
            }
        )
    rels = [
        {
            "name": t,
            "id": t,
            "properties": [],
            "color": c,
            "size": s,
            "captions": [_caption(t, "relationship", True)],
            "textSize": 1,
            "textAlign": "top",
            "styleRules": [],
        }
        for t, (c, s) in RELATIONSHIPS.items()
    ]
    templates: list[dict[str, Any]] = []
    for i, (name, text, cypher, params) in enumerate(PHRASES):
        templates.append(
            {
                "name": name,
                "id": f"tmpl:{STAMP + i}",
                "createdAt": str(STAMP + i),
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
                        "suggestionBoolean": sl is not None,
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
        "labels": {label: [p for p, _ in props] for label, (_, _, _, props) in CATEGORIES.items()},
        "relationshipTypes": rels,
        "palette": {"colors": sorted({c for c, *_ in CATEGORIES.values()}), "currentIndex": 0},
        "createdAt": STAMP,
        "lastEditedAt": STAMP,
        "templates": templates,
        "sceneActions": [],
        "hiddenRelationshipTypes": ["HAS_PASSAGE", "CONTAINS", "HAD_CONFIDENCE", "HAS_ASPECT"],
        "hideUncategorisedData": False,
        "type": "STANDARD_PERSPECTIVE",
        "parentPerspectiveId": None,
        "metadata": {
            "pathSegments": [
                {"source": "Source", "relationshipType": "HAS_CLAIM", "target": "Claim"},
                {"source": "Finding", "relationshipType": "ABOUT", "target": "Claim"},
                {"source": "Finding", "relationshipType": "ABOUT", "target": "Line"},
                {"source": "Source", "relationshipType": "IN_LINE", "target": "Line"},
                {"source": "Source", "relationshipType": "SUMMARISES", "target": "Source"},
                {"source": "Source", "relationshipType": "AUTHORED_BY", "target": "Author"},
                {"source": "Claim", "relationshipType": "MEASURES", "target": "Measure"},
                {"source": "Claim", "relationshipType": "ABOUT_TOPIC", "target": "Topic"},
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
