"""The managed server, the schema, and every Cypher constant against the real server."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from pathlib import Path
from typing import LiteralString, cast

import pytest
from pydantic import SecretStr

from app.services import Services
from consilience.errors import DatabaseUnavailableError
from consilience.settings import Settings
from kg.driver import managed_server, open_driver
from kg.graph import Graph, Rows
from kg.schema import ensure_schema
from kg.server import GC_FLAGS, JIT_FLAGS, SettingDrift
from queries.cypher import findings as findings_cypher

CYPHER_PACKAGES = ("kg.cypher", "queries.cypher", "investigators.cypher", "calibration.cypher")


def _constants() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for pkg_name in CYPHER_PACKAGES:
        try:
            pkg = importlib.import_module(pkg_name)
        except ModuleNotFoundError:
            continue
        for mod in pkgutil.iter_modules(pkg.__path__):
            module = importlib.import_module(f"{pkg_name}.{mod.name}")
            for name, value in vars(module).items():
                if name.isupper() and isinstance(value, str) and not name.startswith("_"):
                    found.append((f"{pkg_name}.{mod.name}.{name}", value))
                if name.isupper() and isinstance(value, tuple):
                    found.extend(
                        (f"{pkg_name}.{mod.name}.{name}[{i}]", v)
                        for i, v in enumerate(value)
                        if isinstance(v, str)
                    )
    return found


def test_server_status_reports_running(settings: Settings) -> None:
    if settings.uses_external_db:
        pytest.skip("external server")
    st = managed_server(settings).status()
    assert st.running and st.uri and st.uri.startswith("bolt://127.0.0.1:")
    assert (settings.neo4j_dir / "password").stat().st_mode & 0o777 == 0o600


def test_schema_is_idempotent(services: Services) -> None:
    db: Graph = services.graph()
    assert ensure_schema(db) == []  # second run applies nothing
    with db.write() as s:
        names = {r["name"] for r in s.run("SHOW INDEXES YIELD name")}
        mig = s.run("MATCH (m:Migration) RETURN count(m) AS n").single()
    assert {"claim_embedding", "claim_text", "source_title"} <= names
    # schema, orphan snapshots, quote hashes, tags, absolute source paths
    assert mig is not None and mig["n"] == 5


@pytest.mark.parametrize(("name", "cypher"), _constants())
def test_every_cypher_constant_explains(services: Services, name: str, cypher: str) -> None:
    statement = cypher if cypher.lstrip().upper().startswith("CREATE") else "EXPLAIN " + cypher
    if statement.startswith("CREATE"):
        return  # schema statements are executed by test_schema_is_idempotent
    with services.graph().write() as s:
        # every constant is declared LiteralString in its module; found dynamically here
        s.run(cast(LiteralString, statement)).consume()


def test_orphan_snapshot_migration(services: Services) -> None:
    """Snapshots left unattached by earlier versions are dropped once; attached ones stay."""
    db: Graph = services.graph()
    name = "0002_drop_orphan_confidence_snapshots"
    with db.write() as s:
        s.run(
            "CREATE (:ConfidenceSnapshot {claim_id: 'gone', p: 0.5}) "
            "CREATE (:Claim {id: 'mig-test-claim'})-[:HAD_CONFIDENCE]->"
            "(:ConfidenceSnapshot {claim_id: 'mig-test-claim', p: 0.6})"
        ).consume()
        s.run("MATCH (m:Migration {name: $n}) DELETE m", n=name).consume()
    try:
        assert ensure_schema(db) == [name]
        with db.write() as s:
            left = [r["id"] for r in s.run("MATCH (h:ConfidenceSnapshot) RETURN h.claim_id AS id")]
        assert "gone" not in left and "mig-test-claim" in left
    finally:
        with db.write() as s:
            s.run(
                "MATCH (c:Claim {id: 'mig-test-claim'})-[:HAD_CONFIDENCE]->(h) DETACH DELETE c, h"
            ).consume()


def test_every_findings_list_statement_explains(services: Services) -> None:
    """The findings list is composed from the filters a request sets: every combination."""
    names = findings_cypher.finding_filters()
    with services.graph().write() as s:
        for mask in range(2 ** len(names)):
            active = frozenset(n for i, n in enumerate(names) if mask >> i & 1)
            for for_claims in (False, True):
                statement = findings_cypher.list_findings(active, for_claims=for_claims)
                s.run("EXPLAIN " + statement).consume()


def test_wrong_password_and_no_server_give_clear_errors(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    nowhere = Settings(data_dir=tmp_path_factory.mktemp("none"))
    with pytest.raises(DatabaseUnavailableError) as exc:
        open_driver(nowhere)
    assert "consilience db start" in exc.value.hint
    down = Settings(
        data_dir=tmp_path_factory.mktemp("down"),
        neo4j_uri="bolt://127.0.0.1:1",
        neo4j_password=SecretStr("x"),
    )
    with pytest.raises(DatabaseUnavailableError):
        open_driver(down)


def test_the_managed_servers_files_are_private(services: Services, settings: Settings) -> None:
    """Nothing the project writes (database, logs, password, index) is readable by others,
    and the generated password never appears in a process's arguments."""
    import os
    import stat

    if settings.uses_external_db:
        pytest.skip("an external server's files are not ours")
    services.claim_index().save()
    root = settings.data_dir
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    loose = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            if not os.path.islink(p) and os.stat(p).st_mode & 0o077:
                loose.append(p)
    # Neo4j itself may create a few files with explicit modes; every folder must still be
    # closed, so nothing inside can be reached by another account
    assert not [p for p in loose if os.path.isdir(p)], loose[:10]
    assert not [p for p in loose if "password" in p or "faiss" in p or "uploads" in p]
    server = managed_server(settings)
    assert not (server.root / "set-password.args").exists()
    pid = server.running_pid()
    assert pid
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    assert server.password() not in cmdline


def test_the_running_server_uses_the_configured_collector_and_jit(settings: Settings) -> None:
    if settings.uses_external_db:
        pytest.skip("an external server's JVM is not ours")
    pid = managed_server(settings).running_pid()
    assert pid
    args = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    assert [a for a in args if a.startswith("-XX:+Use") and a.endswith("GC")] == [
        GC_FLAGS[settings.neo4j.gc]
    ]
    assert [a for a in args if "Inline" in a] == list(JIT_FLAGS[settings.neo4j.jit])
    assert managed_server(settings).settings_drift() == {}
    # the same server seen with other settings: both differences are named
    other = settings.model_copy(deep=True)
    other.neo4j.heap = "3g" if settings.neo4j.heap != "3g" else "2g"
    other.neo4j.gc = "g1" if settings.neo4j.gc == "parallel" else "parallel"
    assert managed_server(other).settings_drift() == {
        "heap": SettingDrift(running=settings.neo4j.heap, settings=other.neo4j.heap),
        "gc": SettingDrift(running=settings.neo4j.gc, settings=other.neo4j.gc),
    }


def test_a_database_that_does_not_exist_is_a_configuration_error(services: Services) -> None:
    """NEO4J_DATABASE reaches every session; a wrong name says what to do, no traceback."""
    from consilience.errors import ConfigurationError
    from kg.driver import open_graph

    settings = services.settings.model_copy(deep=True)
    settings.neo4j.database = "claimz"
    graph = open_graph(settings)
    try:
        with pytest.raises(ConfigurationError) as exc:
            ensure_schema(graph)
        assert "claimz" in exc.value.message and "NEO4J_DATABASE" in exc.value.hint
        with pytest.raises(ConfigurationError), graph.read() as s:
            s.run("RETURN 1").consume()
    finally:
        graph.close()


def _applies_once(db: Graph, name: str) -> None:
    """The migration, forgotten as if never applied, runs at the next set-up, and only then."""
    with db.write() as s:
        s.run("MATCH (m:Migration {name: $n}) DELETE m", n=name).consume()
    assert ensure_schema(db) == [name]
    assert ensure_schema(db) == []  # once


def test_quote_hash_migration(services: Services) -> None:
    """Claims written before quotes were hashed get `text_sha` once, equal to what ingest
    writes now; claims that have one keep it."""
    from kg.ids import quote_sha

    db: Graph = services.graph()
    name = "0003_hash_claim_quotes"
    with db.write() as s:
        s.run(
            "CREATE (:Claim {id: 'mig-old', text: 'Probes detect deception.'}) "
            "CREATE (:Claim {id: 'mig-new', text: 'Other text.', text_sha: 'kept'})"
        ).consume()
    try:
        _applies_once(db, name)
        with db.write() as s:
            got = {r["id"]: r["sha"] for r in s.run(
                "MATCH (c:Claim) WHERE c.id STARTS WITH 'mig-' "
                "RETURN c.id AS id, c.text_sha AS sha")}  # fmt: skip
        assert got == {"mig-old": quote_sha("Probes detect deception."), "mig-new": "kept"}
    finally:
        with db.write() as s:
            s.run("MATCH (c:Claim) WHERE c.id STARTS WITH 'mig-' DETACH DELETE c").consume()


def test_orphan_tag_migration(services: Services) -> None:
    """Authors and measures that sources forgotten before DELETE_SOURCE cleaned up left with
    no edge go once; one that a source still names stays."""
    db: Graph = services.graph()
    name = "0004_drop_orphan_tags"
    with db.write() as s:
        s.run(
            "CREATE (:Author {name: 'mig-lonely'}) CREATE (:Measure {name: 'mig-lonely'}) "
            "CREATE (:Source {id: 'mig-src'})-[:AUTHORED_BY]->(:Author {name: 'mig-kept'})"
        ).consume()
    try:
        _applies_once(db, name)
        with db.write() as s:
            rows = s.run(
                "MATCH (x:Author|Measure) WHERE x.name STARTS WITH 'mig-' RETURN x.name AS n"
            )
            left = sorted(r["n"] for r in rows)
        assert left == ["mig-kept"]
    finally:
        with db.write() as s:
            s.run(
                "MATCH (x) WHERE x.id = 'mig-src' OR x.name STARTS WITH 'mig-' DETACH DELETE x"
            ).consume()


def test_relative_source_paths_migration(services: Services) -> None:
    """Sources recorded with the path as typed take the absolute path of a file that yields
    them, the one their path names where several do; an absolute one and one no file yields
    stay as they are."""
    db: Graph = services.graph()
    name = "0005_absolute_source_paths"
    with db.write() as s:
        s.run(
            "CREATE (:File {path: '/d/mig/b.md'})-[:YIELDED]->(:Source {id: 'mig-one', "
            "path: 'mig/b.md'}) "
            "WITH 1 AS x MATCH (one:Source {id: 'mig-one'}) "
            "CREATE (:File {path: '/d/mig/a.md'})-[:YIELDED]->(one) "
            "CREATE (:File {path: '/d/mig/c.md'})-[:YIELDED]->(:Source {id: 'mig-abs', "
            "path: '/d/mig/c.md'}) "
            "CREATE (:Source {id: 'mig-none', path: 'gone.md'})"
        ).consume()
    try:
        _applies_once(db, name)
        with db.write() as s:
            got = {r["id"]: r["p"] for r in s.run(
                "MATCH (s:Source) WHERE s.id STARTS WITH 'mig-' RETURN s.id AS id, s.path AS p"
            )}  # fmt: skip
        assert got == {"mig-one": "/d/mig/b.md", "mig-abs": "/d/mig/c.md", "mig-none": "gone.md"}
    finally:
        with db.write() as s:
            s.run(
                "MATCH (x) WHERE x.id STARTS WITH 'mig-' OR x.path STARTS WITH '/d/mig/' "
                "DETACH DELETE x"
            ).consume()


def test_rows_reach_the_server_as_a_list_with_a_short_repr(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    """`Rows` (a batch parameter whose repr the driver's debug log takes) is sent exactly as
    the plain list: nested maps, lists, floats and None all arrive unchanged; the driver's
    debug log shows the row count, not the rows."""
    batch = [
        {"id": f"r{i}", "p": i / 7, "tags": ["a", str(i)], "emb": [0.5, -1.25], "none": None}
        for i in range(300)
    ]
    with services.graph().read() as s:
        plain = s.run("RETURN $rows AS rows", rows=batch).single(strict=True)["rows"]
        with caplog.at_level(logging.DEBUG, logger="neo4j"):
            wrapped = s.run("RETURN $rows AS rows", rows=Rows(batch)).single(strict=True)["rows"]
    assert wrapped == plain == batch
    runs = [r.getMessage() for r in caplog.records if "C: RUN" in r.getMessage()]
    assert runs and "<300 rows>" in runs[0] and "r299" not in runs[0]


def test_a_pinned_graph_answers_every_read_with_one_session(services: Services) -> None:
    """`Graph.pinned`: the reads inside share one session (one connection checkout for the
    three queries of `GET /claims/{id}`); writes still get their own; a query error inside
    still reaches the caller as the driver's error, and the session is closed after."""
    from neo4j import Session
    from neo4j.exceptions import CypherSyntaxError

    db = services.graph()
    with db.pinned() as one:
        with one.read() as a, one.read() as b:
            assert a is b
            assert a.run("RETURN 1 AS x").single(strict=True)["x"] == 1
        with one.write() as w:
            assert w.run("RETURN 2 AS x").single(strict=True)["x"] == 2
        assert w.closed() and not a.closed()  # the write had a session of its own
        with one.read() as c:
            assert c is a and c.run("RETURN 4 AS x").single(strict=True)["x"] == 4
    assert a.closed()
    held: list[Session] = []
    with pytest.raises(CypherSyntaxError), db.pinned() as one, one.read() as s:
        held.append(s)
        s.run("RETURN RETURN").consume()
    assert held[0].closed()
    one.close()  # the view's close leaves the shared driver open
    with db.read() as s:
        assert s.run("RETURN 3 AS x").single(strict=True)["x"] == 3
