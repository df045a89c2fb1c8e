"""Open the graph handle on the managed server or on NEO4J_URI, with errors that say what to do."""

from __future__ import annotations

from neo4j import Driver, GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

from consilience.errors import DatabaseUnavailableError
from consilience.settings import Settings
from kg.graph import Graph
from kg.server import ManagedServer


def managed_server(settings: Settings) -> ManagedServer:
    return ManagedServer(settings.neo4j_dir, settings.neo4j)


def connection_target(settings: Settings) -> tuple[str, tuple[str, str]]:
    """URI and credentials for the configured database (no network I/O)."""
    if settings.uses_external_db:
        pw = settings.neo4j.password.get_secret_value() if settings.neo4j.password else ""
        assert settings.neo4j.uri
        return settings.neo4j.uri, (settings.neo4j.user, pw)
    server = managed_server(settings)
    uri = server.uri() if server.running_pid() else None
    if uri is None:
        raise DatabaseUnavailableError(
            "The project's Neo4j server is not running.",
            "Run `consilience db start`; if your project lives elsewhere, run from its folder or "
            "set CONSILIENCE_DATA_DIR to its .consilience folder; or set NEO4J_URI (and "
            "NEO4J_USER/NEO4J_PASSWORD) to use your own Neo4j.",
        )
    return uri, (settings.neo4j.user, server.password())


def open_driver(settings: Settings, verify: bool = True) -> Driver:
    """A driver for the configured database; verifies connectivity unless told not to."""
    uri, auth = connection_target(settings)
    # neo4j types the driver options as **config: Unknown (here and verify_connectivity)
    driver = GraphDatabase.driver(  # pyright: ignore[reportUnknownMemberType]
        uri,
        auth=auth,
        connection_timeout=10.0,
        max_transaction_retry_time=15.0,
        notifications_min_severity="OFF",  # e.g. "property does not exist yet" on a new graph
    )
    if verify:
        try:
            driver.verify_connectivity()  # pyright: ignore[reportUnknownMemberType]
        except ServiceUnavailable as exc:
            driver.close()
            raise DatabaseUnavailableError(
                f"Neo4j is not reachable at {uri}.",
                "Run `consilience db start` or set NEO4J_URI to a running server.",
            ) from exc
        except AuthError as exc:
            driver.close()
            raise DatabaseUnavailableError(
                f"Neo4j at {uri} refused the credentials.",
                "Check NEO4J_USER/NEO4J_PASSWORD (the managed server's password is in "
                f"{settings.neo4j_dir / 'password'}).",
                retryable=False,
            ) from exc
    return driver


def open_graph(settings: Settings, verify: bool = True) -> Graph:
    """The graph handle for the configured server and database (`neo4j.database`)."""
    return Graph(open_driver(settings, verify), settings.neo4j.database)
