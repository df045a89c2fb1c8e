"""The project-managed Neo4j Community server, laid out from Maven Central jars.

Layout under `<data_dir>/neo4j/` (NEO4J_HOME): `lib/` (jars, built by Maven; may live
elsewhere and be shared), `conf/`, `data/`, `logs/`, `run/`, `password` (generated, mode
600) and `server.json` (pid, port, version) while a server runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from consilience.errors import ServerError, ToolMissingError
from consilience.settings import Neo4jSettings
from kg.private import private_dir, write_private_bytes

# The collector is a setting (`neo4j.gc`): on the 2-core machines this project is measured on,
# the parallel collector left the database ~12% less CPU than G1 for the same 100k-claim
# confidence write (bench/calibration's warm full recompute, 8 alternated restarts of one server
# each; presumably G1's costlier write barriers and concurrent marking). G1 bounds pauses better
# on heaps of several GB. A collector chosen in JAVA_TOOL_OPTIONS as well stops the JVM at start
# ("multiple garbage collectors selected"), shown in the start error's log tail.
GC_FLAGS = {"parallel": "-XX:+UseParallelGC", "g1": "-XX:+UseG1GC"}
# How much the JIT compiler inlines is a setting (`neo4j.jit`). With the JVM's defaults, a server
# re-ingesting the corpus spent more CPU compiling (6-8 s a pass, still in the third pass) than
# running the writes (4-5 s), on a 2-core machine where every compile competes with the database
# and the embedder. Inlining less (smaller methods, shallower) cut the compile CPU to 1-3 s a
# pass (jstat: 4.0-4.7 s against 9.4-10.9 s in bench/ingest's warm pass, 18 s against 34 s for a
# 5x corpus, 6.7 s against 15.5 s in a first 100k-claim confidence recompute). Wall times moved
# less than this machine's noise in some runs: first recompute 9.8-13.5 s against 12.1-14.6 s,
# warm corpus ingest 1.33-1.63x the embedding time against 1.64-1.79x; warm recompute and the
# API's latencies the same within noise.
JIT_FLAGS: dict[str, tuple[str, ...]] = {
    "lean": (
        "-XX:InlineSmallCode=500",
        "-XX:MaxInlineSize=20",
        "-XX:FreqInlineSize=100",
        "-XX:MaxInlineLevel=6",
    ),
    "default": (),
}
JVM_FLAGS = (
    "-Dio.netty.tryReflectionSetAccessible=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_ENTRY_POINT = "org.neo4j.server.startup.Neo4jAdminCommand"


@dataclass(frozen=True)
class ServerStatus:
    """What `db status` reports."""

    running: bool
    pid: int | None
    uri: str | None
    version: str
    home: Path
    built: bool


@dataclass(frozen=True)
class SettingDrift:
    """A server setting as the running server was started with it, and as set now."""

    running: str
    settings: str


def _heap_bytes(heap: str) -> int | str:
    """A JVM size ("1g", "1024M", "512m") in bytes; the text itself when it is not one."""
    units = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
    text = heap.strip().lower()
    digits, unit = (text[:-1], text[-1]) if text[-1:] in units else (text, "")
    return int(digits) * units[unit] if digits.isdigit() else heap


def initial_password_command(java: str, lib: Path, argfile: Path) -> list[str]:
    """The set-initial-password command line: the password is only in the argument file."""
    return [java, "-cp", f"{lib}/*", f"@{argfile}"]


class ManagedServer:
    """Builds, starts, stops and reports on one local Neo4j server. No I/O in __init__."""

    def __init__(self, root: Path, settings: Neo4jSettings) -> None:
        self.root = root
        self.settings = settings
        self.home = root
        self.lib = settings.lib_dir or root / "lib"
        self.conf_dir = root / "conf"
        self.state_file = root / "server.json"
        self.password_file = root / "password"
        self.log_file = root / "logs" / "console.log"
        # the bolt port used before, when `start` found it taken and chose another (a client
        # set up for the old one, Bloom or Desktop, must be told: red-teamed, it was silent)
        self.moved_from: int | None = None

    # ---- build -------------------------------------------------------------------------
    def is_built(self) -> bool:
        marker = self.lib / ".version"
        return marker.exists() and marker.read_text().strip() == self.settings.version

    def build(self) -> None:
        """Lay out NEO4J_HOME/lib with Maven (idempotent; ~/.m2 caches the jars)."""
        if self.is_built():
            return
        _require_tool("java")  # fail early with the JDK hint, before a long Maven run
        mvn = _require_tool("mvn")
        pom = Path(str(resources.files("kg") / "neo4j" / "pom.xml"))
        self.lib.mkdir(parents=True, exist_ok=True)
        for old in self.lib.glob("*.jar"):
            old.unlink()
        cmd = [
            mvn,
            "-q",
            "-B",
            "-f",
            str(pom),
            "package",
            f"-Dneo4j.lib={self.lib}",
            f"-Dneo4j.version={self.settings.version}",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not any(self.lib.glob("neo4j-kernel-*.jar")):
            raise ServerError(
                f"Maven could not lay out Neo4j {self.settings.version}:\n"
                f"{(proc.stdout + proc.stderr)[-2000:]}",
                "Check that Maven Central is reachable (`mvn -v`, ~/.m2/settings.xml), "
                "or point NEO4J_URI at an existing Neo4j 5 server.",
            )
        (self.lib / ".version").write_text(self.settings.version)

    # ---- password / config -------------------------------------------------------------
    def password(self) -> str:
        if self.settings.password is not None:
            return self.settings.password.get_secret_value()
        if self.password_file.exists():
            return self.password_file.read_text().strip()
        pw = secrets.token_hex(16)  # hex: never starts with "-" (read as an option)
        private_dir(self.root)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(pw)
        return pw

    def _port(self) -> int:
        if self.settings.bolt_port:
            return self.settings.bolt_port
        state = self._read_state()
        port = state.get("bolt_port") if state else None
        if isinstance(port, int) and _port_free(port):
            return port
        remembered = self.root / "bolt_port"
        try:
            before: int | None = int(remembered.read_text())
        except (OSError, ValueError):  # none yet, or not a number: choose one
            before = None
        if before is not None and _port_free(before):
            return before
        port = _free_port()
        remembered.write_text(str(port))
        self.moved_from = before
        return port

    def _write_conf(self, port: int) -> None:
        private_dir(self.root)
        private_dir(self.conf_dir)
        dirs = {d: self.root / d for d in ("data", "logs", "run", "plugins", "import")}
        for d in dirs.values():
            private_dir(d)
        lines = [f"server.directories.{k}={v}" for k, v in dirs.items()] + [
            "server.default_listen_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{port}",
            "server.http.enabled=false",
            "server.https.enabled=false",
            "dbms.usage_report.enabled=false",
            "dbms.security.auth_enabled=true",
            f"server.memory.pagecache.size={self.settings.pagecache}",
            "db.tx_log.rotation.retention_policy=2 files",
        ]
        (self.conf_dir / "neo4j.conf").write_text("\n".join(lines) + "\n")

    def _set_initial_password(self, java: str) -> None:
        if (self.root / "data" / "dbms" / "auth.ini").exists() or (
            self.root / "data" / "databases" / "system"
        ).exists():
            return
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.conf_dir)}  # noqa: TID251 (child env)
        # The password goes through a 0600 argument file (the java launcher expands @file
        # itself), never the command line: process arguments are visible to every account
        # on the machine (ps, /proc/<pid>/cmdline) while the tool runs.
        argfile = self.root / "set-password.args"
        write_private_bytes(
            argfile,
            "\n".join(
                [ADMIN_ENTRY_POINT, "dbms", "set-initial-password", self.password()]
            ).encode(),
        )
        try:
            proc = subprocess.run(
                initial_password_command(java, self.lib, argfile),
                capture_output=True,
                text=True,
                env=env,
                check=False,
                umask=0o077,
            )
        finally:
            argfile.unlink(missing_ok=True)
        if proc.returncode != 0:
            raise ServerError(f"Could not set the initial Neo4j password: {proc.stderr[-1000:]}")

    # ---- lifecycle ---------------------------------------------------------------------
    def _read_state(self) -> dict[str, object] | None:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None

    def _ours(self, pid: int) -> bool:
        """Whether `pid` is this home's Neo4j server: its command line names the entry point
        and this home (red-teamed: after a restart, a state file's pid reused by another
        program was "the server", and `db stop` killed that program). Where the command line
        cannot be read (no /proc), a live pid is taken as it was."""
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            return _alive(pid) and not Path("/proc/self").exists()
        except OSError:
            return False
        return ENTRY_POINT.encode() in args and f"--home-dir={self.home}".encode() in args

    def _find_untracked(self) -> int | None:
        """A live server of this home that no state file records (the state file could not be
        written, or was damaged, while it ran): found by its command line."""
        proc = Path("/proc")
        if not proc.is_dir():
            return None
        for entry in proc.iterdir():
            if entry.name.isdigit() and _alive(int(entry.name)) and self._ours(int(entry.name)):
                return int(entry.name)
        return None

    def _conf_port(self) -> int | None:
        """The bolt port the configuration written at the last start names."""
        try:
            for line in (self.conf_dir / "neo4j.conf").read_text().splitlines():
                key, _, value = line.partition("=")
                if key.strip() == "server.bolt.listen_address":
                    return int(value.rsplit(":", 1)[1])
        except (OSError, ValueError, IndexError):
            return None
        return None

    def running_pid(self) -> int | None:
        state = self._read_state()
        pid = state.get("pid") if state else None
        if isinstance(pid, int) and _alive(pid) and self._ours(pid):
            return pid
        self.state_file.unlink(missing_ok=True)  # stale, damaged, or another program's pid
        found = self._find_untracked()
        port = self._conf_port()
        if found is None or port is None:
            return None
        with contextlib.suppress(OSError):  # recorded again, for stop, status and the driver
            self._write_state(found, port, recovered=True)
        return found

    def _write_state(self, pid: int, port: int, *, recovered: bool = False) -> None:
        state: dict[str, object] = {
            "pid": pid,
            "bolt_port": port,
            "version": self.settings.version,
            "started_at": time.time(),
        }
        if not recovered:  # the settings it started with are known only at its start
            state |= {"heap": self.settings.heap, "gc": self.settings.gc, "jit": self.settings.jit}
        self.state_file.write_text(json.dumps(state))

    def settings_drift(self) -> dict[str, SettingDrift]:
        """The settings the running server was started with that differ from the settings now
        ("heap", "gc", "jit"); empty when they agree, when no server runs, or when it was started
        before the state file recorded them. They apply at the next start only."""
        state = self._read_state()
        if not state or not self.running_pid():
            return {}
        out: dict[str, SettingDrift] = {}
        if "heap" in state and _heap_bytes(str(state["heap"])) != _heap_bytes(self.settings.heap):
            out["heap"] = SettingDrift(running=str(state["heap"]), settings=self.settings.heap)
        if "gc" in state and str(state["gc"]) != self.settings.gc:
            out["gc"] = SettingDrift(running=str(state["gc"]), settings=self.settings.gc)
        if "jit" in state and str(state["jit"]) != self.settings.jit:
            out["jit"] = SettingDrift(running=str(state["jit"]), settings=self.settings.jit)
        return out

    def uri(self) -> str | None:
        state = self._read_state()
        port = state.get("bolt_port") if state else self._conf_port()
        return f"bolt://127.0.0.1:{port}" if isinstance(port, int) else None

    def command(self, java: str) -> list[str]:
        """The server's command line (heap, collector and paths from the settings)."""
        heap = self.settings.heap
        return [
            java,
            f"-Xms{heap}",
            f"-Xmx{heap}",
            GC_FLAGS[self.settings.gc],
            *JIT_FLAGS[self.settings.jit],
            *JVM_FLAGS,
            "-cp",
            f"{self.root / 'plugins'}/*:{self.conf_dir}/*:{self.lib}/*",
            ENTRY_POINT,
            f"--home-dir={self.home}",
            f"--config-dir={self.conf_dir}",
            "--console-mode",
        ]

    def start(self, wait: bool = True) -> str:
        """Start the server (building it first if needed); return its bolt URI."""
        if self.running_pid():
            uri = self.uri()
            assert uri
            return uri
        self.build()
        java = _require_tool("java")
        self.root.mkdir(parents=True, exist_ok=True)
        port = self._port()
        if self.settings.bolt_port and not _port_free(port):
            raise ServerError(
                f"Port {port} (CONSILIENCE_NEO4J__BOLT_PORT) is in use by another program.",
                "Choose a free port, or unset CONSILIENCE_NEO4J__BOLT_PORT to let the project "
                "pick one.",
            )
        self._write_conf(port)
        self._set_initial_password(java)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        cmd = self.command(java)
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.conf_dir)}  # noqa: TID251 (child env)
        with open(self.log_file, "ab") as log:
            proc = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                cwd=self.root,
                umask=0o077,  # database files, logs and transaction logs: this user only
            )
        try:
            self._write_state(proc.pid, port)
        except OSError as exc:  # untracked, it would hold the store until killed by hand
            proc.kill()
            proc.wait()
            raise ServerError(
                f"Could not record the server's state in {self.state_file}: {exc}. The server "
                "was stopped again.",
                f"Make {self.root} writable (and check the disk has room), then start again.",
            ) from exc
        uri = f"bolt://127.0.0.1:{port}"
        if wait:
            self._await_ready(proc, port, offset)
        return uri

    def _await_ready(self, proc: subprocess.Popen[bytes], port: int, offset: int) -> None:
        deadline = time.monotonic() + self.settings.start_timeout_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self.state_file.unlink(missing_ok=True)
                log = _tail(self.log_file, offset)
                raise ServerError(
                    f"Neo4j exited during start-up (code {proc.returncode}).\n" + log,
                    _start_hint(log, self.log_file),
                )
            if _log_says_started(self.log_file, offset) and not _port_free(port):
                return
            time.sleep(0.5)
        self.stop()
        raise ServerError(
            f"Neo4j did not become ready in {self.settings.start_timeout_s:.0f}s",
            f"Read {self.log_file}.",
            retryable=True,
        )

    def stop(self, timeout_s: float = 60.0) -> bool:
        """Stop the server by PID (SIGTERM, then SIGKILL). Returns whether one was running."""
        pid = self.running_pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.25)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        self.state_file.unlink(missing_ok=True)
        return True

    def status(self) -> ServerStatus:
        pid = self.running_pid()
        return ServerStatus(
            running=pid is not None,
            pid=pid,
            uri=self.uri() if pid else None,
            version=self.settings.version,
            home=self.home,
            built=self.is_built(),
        )


def _require_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        hint = {
            "java": "Install a JDK 17+ (e.g. `apt-get install openjdk-17-jdk-headless`), "
            "or set NEO4J_URI to use an existing Neo4j server.",
            "mvn": "Install Maven (e.g. `apt-get install maven`), "
            "or set NEO4J_URI to use an existing Neo4j server.",
        }.get(name, "")
        raise ToolMissingError(f"`{name}` was not found on PATH.", hint)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child counts as gone
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT after a stop is fine
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _log_says_started(log: Path, offset: int) -> bool:
    try:
        with open(log, "rb") as fh:
            fh.seek(offset)
            return b"Started." in fh.read()
    except OSError:
        return False


def _tail(path: Path, offset: int = 0, n: int = 2000) -> str:
    """The end of what the log gained from `offset` on (this start's lines, not earlier runs')."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            return fh.read().decode(errors="replace")[-n:]
    except OSError:
        return ""


def _start_hint(log: str, path: Path) -> str:
    """What to do, from what this start wrote to its log."""
    if "FileLockException" in log or "store_lock" in log:
        return (
            "Another Neo4j server holds this data folder (a server started by hand, or one a "
            "crashed command left running): stop it (`pgrep -af CommunityEntryPoint`), then "
            "start again."
        )
    if "Address already in use" in log or "BindException" in log:
        return "The bolt port is in use by another program: free it, or set another port."
    if "heap size" in log.lower() or "Could not create the Java Virtual Machine" in log:
        return "The JVM refused its options: check CONSILIENCE_NEO4J__HEAP (e.g. 1g, 512m)."
    return f"Read {path}; a port clash or a damaged data folder are usual."
