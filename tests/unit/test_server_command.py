"""The managed server's command line follows the settings (no server is started here)."""

from __future__ import annotations

import json
import subprocess
import time
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


def _stand_in(s: Settings) -> subprocess.Popen[bytes]:
    """A process with the server's command line shape (its entry point and this home)."""
    home = managed_server(s).home
    proc = subprocess.Popen(
        ["sh", "-c", "sleep 60", "org.neo4j.server.CommunityEntryPoint", f"--home-dir={home}"]
    )
    # until the child has exec'd, its command line is this process's (a full run with the
    # machine loaded read it then: flaky)
    cmdline = Path(f"/proc/{proc.pid}/cmdline")
    deadline = time.monotonic() + 10
    while b"CommunityEntryPoint" not in cmdline.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.01)
    return proc


def test_a_running_server_started_with_other_settings_is_reported(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path)
    s.neo4j.heap, s.neo4j.gc, s.neo4j.jit = "1g", "parallel", "lean"
    stand_in = _stand_in(s)
    try:
        _drift_cases(s, stand_in.pid)
    finally:
        stand_in.kill()
        stand_in.wait()


def _drift_cases(s: Settings, pid: int) -> None:
    _running_state(s, pid, heap="512m", gc="g1")
    assert managed_server(s).settings_drift() == {
        "heap": SettingDrift(running="512m", settings="1g"),
        "gc": SettingDrift(running="g1", settings="parallel"),
    }
    _running_state(s, pid, heap="1g", gc="parallel")
    assert managed_server(s).settings_drift() == {}
    _running_state(s, pid, heap="1g", gc="parallel", jit="default")
    assert managed_server(s).settings_drift() == {
        "jit": SettingDrift(running="default", settings="lean"),
    }
    _running_state(s, pid, heap="1024M", gc="parallel")  # the same size, spelt otherwise
    assert managed_server(s).settings_drift() == {}
    _running_state(s, pid)  # started before the state file recorded them: unknown
    assert managed_server(s).settings_drift() == {}


def test_no_drift_is_reported_for_a_server_that_is_not_running(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path)
    gone = subprocess.Popen(["true"])
    gone.wait()  # reaped: its pid is free
    _running_state(s, gone.pid, heap="512m", gc="g1")
    assert managed_server(s).settings_drift() == {}


@pytest.mark.parametrize(
    ("uri", "says"),
    [
        ("localhost:7687", "is not a Neo4j address"),  # red-teamed: tracebacks, all three
        ("http://127.0.0.1:7474", "is not a Neo4j address"),
        ("bolt://host:notaport", "is not a valid address"),
        ("neo4j+s://", "is not a Neo4j address"),
    ],
)
def test_a_malformed_neo4j_uri_is_a_clear_error(tmp_path: Path, uri: str, says: str) -> None:
    from consilience.errors import DatabaseUnavailableError
    from kg.driver import open_driver

    s = Settings(data_dir=tmp_path)
    s.neo4j.uri = uri
    with pytest.raises(DatabaseUnavailableError, match=says) as exc:
        open_driver(s)
    assert "NEO4J_URI" in exc.value.hint and not exc.value.retryable


def test_a_port_where_something_else_answers_is_named_as_such(tmp_path: Path) -> None:
    """Red-teamed: NEO4J_URI at an HTTP server waited 63 s, then said "not reachable"."""
    import socket
    import threading

    from consilience.errors import DatabaseUnavailableError
    from kg.driver import open_driver

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)

    def answer_http() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            conn.recv(64)
            conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")
            conn.close()

    threading.Thread(target=answer_http, daemon=True).start()
    s = Settings(data_dir=tmp_path)
    s.neo4j.uri = f"bolt://127.0.0.1:{srv.getsockname()[1]}"
    try:
        with pytest.raises(DatabaseUnavailableError, match="not Neo4j's bolt protocol") as exc:
            open_driver(s)
        assert "bolt port" in exc.value.hint
    finally:
        srv.close()


def test_a_state_file_naming_another_programs_pid_is_stale(tmp_path: Path) -> None:
    """Red-teamed: a pid reused after a restart was "the server"; `db stop` killed it."""
    s = Settings(data_dir=tmp_path)
    server = managed_server(s)
    other = subprocess.Popen(["sleep", "60"])
    try:
        server.root.mkdir(parents=True)
        server.state_file.write_text(json.dumps({"pid": other.pid, "bolt_port": 1}))
        assert server.running_pid() is None and not server.state_file.exists()
        assert server.stop() is False
        assert other.poll() is None  # still alive: never signalled
    finally:
        other.kill()
        other.wait()


def test_a_server_no_state_file_records_is_found_by_its_command_line(tmp_path: Path) -> None:
    """Red-teamed: with server.json unwritable or damaged while the server ran, nothing could
    see or stop it, and the next start failed on the store lock."""
    s = Settings(data_dir=tmp_path)
    server = managed_server(s)
    server.conf_dir.mkdir(parents=True)
    (server.conf_dir / "neo4j.conf").write_text("server.bolt.listen_address=127.0.0.1:7999\n")
    server.state_file.write_text("garbage")
    # a stand-in with the server's command line shape (its entry point and this home)
    fake = _stand_in(s)
    try:
        assert server.running_pid() == fake.pid
        assert server.uri() == "bolt://127.0.0.1:7999"
        assert json.loads(server.state_file.read_text())["pid"] == fake.pid  # recorded again
        assert server.stop(timeout_s=5) is True
        fake.wait(timeout=5)
    finally:
        fake.kill()
        fake.wait()
    assert server.running_pid() is None


def test_a_start_failure_shows_this_starts_log_and_a_hint_that_fits(tmp_path: Path) -> None:
    from kg.server import _start_hint, _tail

    log = tmp_path / "console.log"
    log.write_text("old run: Started.\nold FileLockException trace\n")
    offset = log.stat().st_size
    with log.open("a") as fh:
        fh.write("Invalid maximum heap size: -Xmxabc\n")
    tail = _tail(log, offset)
    assert "old run" not in tail and "heap size" in tail
    assert "CONSILIENCE_NEO4J__HEAP" in _start_hint(tail, log)
    assert "Another Neo4j server" in _start_hint("FileLockException: store_lock", log)
    assert "port" in _start_hint("java.net.BindException: Address already in use", log)


def test_a_start_that_cannot_record_its_state_stops_the_server_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Red-teamed: server.json unwritable left a server running that no command could see."""
    import kg.server as ks
    from consilience.errors import ServerError

    s = Settings(data_dir=tmp_path)
    server = managed_server(s)
    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def popen(*args: object, **kw: object) -> subprocess.Popen[bytes]:
        started.append(real_popen(["sleep", "60"]))  # stands in for java
        return started[-1]

    def unwritable(*args: object, **kw: object) -> None:
        raise PermissionError(13, "Permission denied", str(server.state_file))

    monkeypatch.setattr(ks.subprocess, "Popen", popen)
    monkeypatch.setattr(server, "build", lambda: None)
    monkeypatch.setattr(server, "_set_initial_password", lambda java: None)
    monkeypatch.setattr(server, "_write_state", unwritable)
    with pytest.raises(ServerError, match="Could not record the server's state") as exc:
        server.start(wait=False)
    assert "writable" in exc.value.hint
    assert len(started) == 1 and started[0].poll() is not None  # stopped, not left running


def test_a_setting_that_is_not_valid_names_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Red-teamed: CONSILIENCE_NEO4J__HEAP=abc reached the JVM (a start-up trace and a hint
    about ports); refused when read, every command ended in a pydantic traceback."""
    from consilience.errors import ConfigurationError
    from consilience.settings import load_settings

    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("CONSILIENCE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CONSILIENCE_NEO4J__HEAP", "abc")
    with pytest.raises(ConfigurationError, match="CONSILIENCE_NEO4J__HEAP: a memory size"):
        load_settings()
    monkeypatch.setenv("CONSILIENCE_NEO4J__HEAP", " 1536M ")
    assert load_settings().neo4j.heap == "1536M"
    monkeypatch.setenv("CONSILIENCE_NEO4J__HEAP", "0")
    with pytest.raises(ConfigurationError, match="above zero"):
        load_settings()
    monkeypatch.setenv("CONSILIENCE_NEO4J__HEAP", "1g")
    for size in ("512MiB", "2GB", "1.5g"):  # Neo4j's own sizes (review: refused)
        monkeypatch.setenv("CONSILIENCE_NEO4J__PAGECACHE", size)
        assert load_settings().neo4j.pagecache == size
    monkeypatch.setenv("CONSILIENCE_NEO4J__PAGECACHE", "lots")
    with pytest.raises(ConfigurationError, match="CONSILIENCE_NEO4J__PAGECACHE"):
        load_settings()
    monkeypatch.delenv("CONSILIENCE_NEO4J__PAGECACHE")
    # "null" is None where a setting allows it (its description says so): it was "not a
    # valid number"; where None is not allowed it is still refused
    monkeypatch.setenv("CONSILIENCE_NLI__SKIP_NEUTRAL", "null")
    assert load_settings().nli.skip_neutral is None
    monkeypatch.setenv("CONSILIENCE_NLI__SKIP_NEUTRAL", "0.95")
    assert load_settings().nli.skip_neutral == 0.95
    monkeypatch.setenv("CONSILIENCE_NEO4J__HEAP", "null")
    with pytest.raises(ConfigurationError, match="CONSILIENCE_NEO4J__HEAP"):
        load_settings()
    monkeypatch.setenv("CONSILIENCE_NEO4J__HEAP", "1g")
    monkeypatch.setenv("CONSILIENCE_API__KEYS", "[[")  # review: a SettingsError traceback
    with pytest.raises(ConfigurationError, match="could not be read"):
        load_settings()


def test_a_remembered_port_that_is_taken_moves_and_says_so(tmp_path: Path) -> None:
    """Red-teamed: when the bolt port of the last start was taken, the server moved to another
    without a word, and Bloom, set up for the old one, could not connect."""
    import socket

    server = managed_server(Settings(data_dir=tmp_path))
    server.root.mkdir(parents=True, exist_ok=True)
    first = server._port()
    assert server.moved_from is None
    assert managed_server(Settings(data_dir=tmp_path))._port() == first
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", first))
        holder.listen()
        again = managed_server(Settings(data_dir=tmp_path))
        moved = again._port()
        assert moved != first and again.moved_from == first
    (server.root / "bolt_port").write_text("not a port")
    assert managed_server(Settings(data_dir=tmp_path))._port() > 0
