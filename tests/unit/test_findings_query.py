"""The findings list statement carries exactly the filters a request sets."""

from __future__ import annotations

import pytest

from queries.cypher import findings as q


def test_unfiltered_page_has_no_filter_clauses() -> None:
    text = q.list_findings(frozenset(), for_claims=False)
    assert "$min_score" in text and "LIMIT $limit" in text
    for param in ("$kind", "$status", "$independent", "$after", "$source_id", "$line_id"):
        assert param not in text
    assert "$claim_ids" not in text


def test_each_active_filter_is_in_the_statement_and_only_it() -> None:
    for name in q.finding_filters():
        text = q.list_findings(frozenset({name}), for_claims=True)
        assert f"${name}" in text and "$claim_ids" in text
        others = [f"${o}" for o in q.finding_filters() if o != name]
        assert not any(o in text for o in others), name


def test_unknown_filter_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown finding filters"):
        q.list_findings(frozenset({"speaker"}), for_claims=False)
