"""Which stored claim tags make an unchanged file worth reading again."""

from __future__ import annotations

from ingest.claims.base import outdated, tag
from ingest.claims.rules import RuleExtractor


class _Rules3(RuleExtractor):
    version = "3"


def test_tag_is_name_at_version() -> None:
    assert tag(_Rules3()) == "rules@3"


def test_only_another_version_of_the_same_extractor_is_outdated() -> None:
    rules = _Rules3()
    assert outdated(["rules@3"], rules) is None
    assert outdated([], rules) is None  # nothing extracted: nothing to compare
    assert outdated(["claude@7"], rules) is None  # another extractor's claims stay
    assert outdated(["claude@7", "rules@2", "rules@3"], rules) == "rules@2"
    assert outdated(["rules@10"], rules) == "rules@10"  # newer tags too: versions are names
    assert outdated(["rulesx@3", "ru@3"], rules) is None  # the whole name must match
