"""What a finding shows, as the database shapes it: every field of both kinds of side, in the
list, the review queue and the single finding."""

from __future__ import annotations

import json

from app.services import Services
from queries.findings import CONTEXT_CHARS, get_finding, list_findings, review_queue

PARAGRAPH = "x" * (CONTEXT_CHARS + 300)

GRAPH = """
CREATE (s:Source {id: 'src_1', title: 'Paper one', path: '/srv/private/one.md',
                  text: $text, authors: ['Ada', 'Bo'], date: '2024-05-01'})
CREATE (c:Claim {id: 'clm_1', text: 'Probes find the feature.', speaker: 'Ada', page: 3,
                 section: 'Results', lost_content: true})
CREATE (s)-[:HAS_CLAIM]->(c)
CREATE (p:Passage {start: 0, end: size($text)})-[:CONTAINS]->(c)
CREATE (l:Line {id: 'line_7', name: '', size: 0})
CREATE (m:Line {id: 'line_8', name: 'Probing', size: 4})
CREATE (f:Finding {id: 'fnd_cl', kind: 'evidence_concentrated', score: 0.7,
                   rationale: 'r1', investigator: 'lines', version: '1',
                   verdict_history: [$verdict]})
CREATE (f)-[:ABOUT {side: 'a'}]->(c), (f)-[:ABOUT {side: 'b'}]->(l)
CREATE (g:Finding {id: 'fnd_ll', kind: 'line_disagrees', score: 0.9, status: 'open',
                   rationale: 'r2', investigator: 'lines', version: '1', cues: ['cue']})
CREATE (g)-[:ABOUT {side: 'a'}]->(m), (g)-[:ABOUT {side: 'b'}]->(l)
CREATE (bare:Line {id: 'line_9'})
CREATE (lone:Claim {id: 'clm_2', text: 'A claim whose source went.'})
CREATE (h:Finding {id: 'fnd_bare', kind: 'evidence_concentrated', score: 0.5, status: '',
                   rationale: 'r3', investigator: 'lines', version: '1'})
CREATE (h)-[:ABOUT {side: 'a'}]->(lone), (h)-[:ABOUT {side: 'b'}]->(bare)
"""

VERDICT = {"status": "confirmed", "reviewer": "alice", "reason": "read both", "at": "2026-01-01"}


def test_every_field_of_a_finding_and_its_sides(clean_services: Services) -> None:
    """A claim side carries its quote, speaker, page, lost-math flag and source (the file name,
    never the server path, is for the API to reduce); a line side reads "line of research
    “name” (N sources)", its id and "?" standing in for a missing name or size; the verdict
    history is decoded; unset status is open; the source's authors and date. The single
    finding adds the section and the paragraph (capped)."""
    db = clean_services.graph()
    with db.write() as s:
        s.run(GRAPH, text=PARAGRAPH, verdict=json.dumps(VERDICT)).consume()
    page = list_findings(db)
    assert [f.id for f in page.items] == ["fnd_ll", "fnd_cl", "fnd_bare"]
    assert page.next_cursor is None
    ll, cl, bare = page.items
    # a line with no name or size stored, a claim whose source is gone, an empty status
    assert bare.b.quote == "line of research “line_9” (? sources)" and bare.status == "open"
    assert (bare.a.claim_id, bare.a.source_id, bare.a.source_title) == ("clm_2", None, None)
    assert get_finding(db, "fnd_bare").a.source_authors == []
    assert ll.a.model_dump(exclude_defaults=True) == {
        "node": "line",
        "line_id": "line_8",
        "quote": "line of research “Probing” (4 sources)",
    }
    assert ll.b.quote == "line of research “line_7” (? sources)" and ll.b.claim_id is None
    assert (ll.status, ll.cues, ll.history) == ("open", ["cue"], [])
    assert (cl.status, cl.cues, [h.model_dump() for h in cl.history]) == ("open", [], [VERDICT])
    assert cl.a.model_dump() == {
        "node": "claim", "claim_id": "clm_1", "line_id": None,
        "quote": "Probes find the feature.", "speaker": "Ada", "source_id": "src_1",
        "source_title": "Paper one", "source_path": "/srv/private/one.md", "section": None,
        "page": 3, "lost_content": True, "source_retracted": False, "context": None,
        "source_authors": ["Ada", "Bo"],  # in every view (red-teamed: lists gave [] and null)
        "source_date": "2024-05-01",
    }  # fmt: skip
    (queued,) = review_queue(db).items  # status 'open' stored: fnd_ll only
    assert queued == ll

    one = get_finding(db, "fnd_cl")
    assert one.model_dump(exclude={"a"}) == cl.model_dump(exclude={"a"})
    assert one.a.model_dump(exclude={"section", "context"}) == (
        cl.a.model_dump(exclude={"section", "context"})
    )
    assert one.a.section == "Results"
    assert one.a.context == "x" * (CONTEXT_CHARS - 1) + "…"
    assert get_finding(db, "fnd_ll").b == ll.b
