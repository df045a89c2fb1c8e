"""The names uploads are stored under (api.routers.ingest._safe_name)."""

from __future__ import annotations

import re

from api.routers.ingest import _safe_name


def test_clean_names_stay_and_others_carry_a_hash_of_the_name_as_given() -> None:
    assert _safe_name("study.md") == "study.md"
    assert _safe_name("Risk (low).md") == f"Risk_low_-{_safe_name('Risk (low).md')[10:18]}.md"
    assert _safe_name("Risk: low?.md") != _safe_name("Risk (low).md")
    assert re.fullmatch(r"passwd-[0-9a-f]{8}", _safe_name("../../etc/passwd"))  # no folders
    assert re.fullmatch(r"upload-[0-9a-f]{8}", _safe_name(".."))


def test_a_long_name_keeps_its_suffix() -> None:
    """Red-teamed: the whole name was cut at 120 characters, so a long `….pdf` was stored as
    `…-hash.p` and a long `….md` was read as plain text."""
    for suffix in ("pdf", "md", "txt"):
        stored = _safe_name("report " + "x" * 150 + "." + suffix)
        assert stored.endswith("." + suffix) and len(stored) <= 130
        assert re.fullmatch(r"report_x+-[0-9a-f]{8}\." + suffix, stored)


def test_a_name_without_latin_letters_keeps_its_suffix() -> None:
    """Red-teamed: "Результаты.md" cleaned to "md" (no suffix, read as plain text)."""
    for name, suffix in (("Результаты.md", ".md"), ("доклад.pdf", ".pdf"), ("!!!.md", ".md")):
        assert re.fullmatch(r"upload-[0-9a-f]{8}" + re.escape(suffix), _safe_name(name)), name
    assert _safe_name("Результаты.md") != _safe_name("доклад.md")
    # names that were stored before keep the same stored name
    assert _safe_name("Risk (low).md").startswith("Risk_low_-")
    assert _safe_name("a.b.c.md") == "a.b.c.md" and _safe_name("name.tar.gz") == "name.tar.gz"
