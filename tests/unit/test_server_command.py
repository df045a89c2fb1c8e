"""The managed server's command line follows the settings (no server is started here)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Literal, get_args

import pytest

from consilience.settings import Neo4jSettings, Settings
from kg.driver import managed_server
from kg.server import GC_FLAGS, JIT_FLAGS, SettingDrift

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


def test_the_lean_jit_inlines_less_and_default_leaves_the_jvm_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONSILIENCE_NEO4J__JIT", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    s = Settings(data_dir=tmp_path)
    assert s.neo4j.jit == "lean"
    cmd = managed_server(s).command("java")
    inlining = [f for f in cmd if "Inline" in f]
    assert inlining == list(JIT_FLAGS["lean"]) and len(inlining) == 4
    assert all(cmd.index(f) < cmd.index("-cp") for f in inlining)  # JVM options
    monkeypatch.setenv("CONSILIENCE_NEO4J__JIT", "Default")
    s = Settings(data_dir=tmp_path)
    assert [f for f in managed_server(s).command("java") if "Inline" in f] == []
    monkeypatch.setenv("CONSILIENCE_NEO4J__JIT", "none")
    with pytest.raises(ValueError, match="'lean' or 'default'"):
        Settings(data_dir=tmp_path)


def _running_state(s: Settings, pid: int, **started_with: str) -> None:
    server = managed_server(s)
    server.root.mkdir(parents=True, exist_ok=True)
    state = {"pid": pid, "bolt_port": 7687, "version": s.neo4j.version, **started_with}
    server.state_file.write_text(json.dumps(state))


def test_a_running_server_started_with_other_settings_is_reported(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path)
    s.neo4j.heap, s.neo4j.gc, s.neo4j.jit = "1g", "parallel", "lean"
    # this test's own process stands in for the running server
    _running_state(s, os.getpid(), heap="512m", gc="g1")
    assert managed_server(s).settings_drift() == {
        "heap": SettingDrift(running="512m", settings="1g"),
        "gc": SettingDrift(running="g1", settings="parallel"),
    }
    _running_state(s, os.getpid(), heap="1g", gc="parallel")
    assert managed_server(s).settings_drift() == {}
    _running_state(s, os.getpid(), heap="1g", gc="parallel", jit="default")
    assert managed_server(s).settings_drift() == {
        "jit": SettingDrift(running="default", settings="lean"),
    }
    _running_state(s, os.getpid(), heap="1024M", gc="parallel")  # the same size, spelt otherwise
    assert managed_server(s).settings_drift() == {}
    _running_state(s, os.getpid())  # started before the state file recorded them: unknown
    assert managed_server(s).settings_drift() == {}


def test_no_drift_is_reported_for_a_server_that_is_not_running(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path)
    gone = subprocess.Popen(["true"])
    gone.wait()  # reaped: its pid is free
    _running_state(s, gone.pid, heap="512m", gc="g1")
    assert managed_server(s).settings_drift() == {}
