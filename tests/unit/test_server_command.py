"""The managed server's command line follows the settings (no server is started here)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

import pytest

from consilience.settings import Neo4jSettings, Settings
from kg.driver import managed_server
from kg.server import GC_FLAGS

COLLECTORS = ("-XX:+UseParallelGC", "-XX:+UseG1GC", "-XX:+UseSerialGC", "-XX:+UseZGC")


@pytest.mark.parametrize(
    ("gc", "flag"), [("parallel", "-XX:+UseParallelGC"), ("g1", "-XX:+UseG1GC")]
)
def test_the_collector_setting_picks_exactly_one_collector(
    tmp_path: Path, gc: Literal["parallel", "g1"], flag: str
) -> None:
    s = Settings(data_dir=tmp_path)
    s.neo4j.gc = gc
    s.neo4j.heap = "768m"
    cmd = managed_server(s).command("java")
    assert [f for f in cmd if f in COLLECTORS] == [flag]
    assert cmd[:3] == ["java", "-Xms768m", "-Xmx768m"]
    assert cmd.index(flag) < cmd.index("-cp")  # a JVM option, not a program argument


def test_the_default_collector_is_parallel_and_an_unknown_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONSILIENCE_NEO4J__GC", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert Settings(data_dir=tmp_path).neo4j.gc == "parallel"
    monkeypatch.setenv("CONSILIENCE_NEO4J__GC", "G1")  # any case
    assert Settings(data_dir=tmp_path).neo4j.gc == "g1"
    monkeypatch.setenv("CONSILIENCE_NEO4J__GC", "zgc")
    with pytest.raises(ValueError, match="'parallel' or 'g1'"):
        Settings(data_dir=tmp_path)


def test_every_allowed_collector_has_a_flag() -> None:
    allowed = set(get_args(Neo4jSettings.model_fields["gc"].annotation))
    assert allowed == set(GC_FLAGS) == {"parallel", "g1"}
