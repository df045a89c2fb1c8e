"""Open the graph handle on the managed server or on NEO4J_URI, with errors that say what to do."""

from __future__ import annotations

from urllib.parse import urlsplit

from neo4j import Driver, GraphDatabase
from neo4j.exceptions import AuthError, ClientError, DriverError, Neo4jError, ServiceUnavailable

from consilience.errors import DatabaseUnavailableError
from consilience.settings import Settings
from kg.graph import Graph
from kg.server import ManagedServer


def managed_server(settings: Settings) -> ManagedServer:
    return ManagedServer(settings.neo4j_dir, settings.neo4j)


SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
_URI_HINT = (
    "Set NEO4J_URI to a Neo4j bolt address, e.g. bolt://localhost:7687 or "
    "neo4j+s://xxxx.databases.neo4j.io (Aura); unset it to use the project's own server."
)


def check_uri(uri: str) -> str:
    """The URI, stripped, when it is one the driver takes; else a clear error (red-teamed:
    `localhost:7687`, `bolt://host:notaport` and `http://…` ended in tracebacks)."""
    text = uri.strip()
    try:
        parts = urlsplit(text)
        port = parts.port  # a port that is not a number raises here
    except ValueError as exc:
        raise DatabaseUnavailableError(
            f"NEO4J_URI {text[:200]!r} is not a valid address: {exc}.", _URI_HINT, retryable=False
        ) from exc
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise DatabaseUnavailableError(
            f"NEO4J_URI {text[:200]!r} is not a Neo4j address (it needs one of the schemes "
            f"{', '.join(s + '://' for s in SCHEMES)} and a host).",
            _URI_HINT,
            retryable=False,
        )
    del port
    return text


def connection_target(settings: Settings) -> tuple[str, tuple[str, str]]:
    """URI and credentials for the configured database (no network I/O)."""
    if settings.uses_external_db:
        pw = settings.neo4j.password.get_secret_value() if settings.neo4j.password else ""
        assert settings.neo4j.uri
        return check_uri(settings.neo4j.uri), (settings.neo4j.user, pw)
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
    external = settings.uses_external_db
    try:
        # neo4j types the driver options as **config: Unknown (here and verify_connectivity)
        driver = GraphDatabase.driver(  # pyright: ignore[reportUnknownMemberType]
            uri,
            auth=auth,
            connection_timeout=10.0,
            # also the deadline of the bolt handshake: a port where something else listens
            # (an HTTP server) kept the first command waiting 60 s (the default)
            connection_acquisition_timeout=20.0,
            max_transaction_retry_time=15.0,
            notifications_min_severity="OFF",  # e.g. "property does not exist yet" on a new graph
        )
    except (DriverError, ValueError) as exc:  # the URI's form, in the driver's own terms
        raise DatabaseUnavailableError(
            f"NEO4J_URI {uri[:200]!r} cannot be used: {str(exc)[:300]}",
            _URI_HINT,
            retryable=False,
        ) from exc
    if verify:
        try:
            driver.verify_connectivity()  # pyright: ignore[reportUnknownMemberType]
        except ServiceUnavailable as exc:
            driver.close()
            if "handshake" in str(exc) or "looks like HTTP" in str(exc):
                raise DatabaseUnavailableError(
                    f"Something answers at {uri}, but not Neo4j's bolt protocol (no bolt "
                    "handshake).",
                    "Point NEO4J_URI at the server's bolt port (7687 by default), not at its "
                    "HTTP port (7474) or another service."
                    if external
                    else "Another program took the server's port: run `consilience db stop` "
                    "then `consilience db start`.",
                ) from exc
            raise DatabaseUnavailableError(
                f"Neo4j is not reachable at {uri}.",
                "Check that NEO4J_URI names a running Neo4j server's bolt port (7687 by "
                "default; the browser's HTTP port 7474 does not answer bolt)."
                if external
                else "Run `consilience db start` or set NEO4J_URI to a running server.",
            ) from exc
        except AuthError as exc:
            driver.close()
            raise DatabaseUnavailableError(
                f"Neo4j at {uri} refused the credentials.",
                "Check NEO4J_USER/NEO4J_PASSWORD (the managed server's password is in "
                f"{settings.neo4j_dir / 'password'}).",
                retryable=False,
            ) from exc
        except ClientError as exc:
            driver.close()
            if "AuthenticationRateLimit" in (exc.code or ""):
                raise DatabaseUnavailableError(
                    f"Neo4j at {uri} refuses logins for a few seconds after too many failed ones.",
                    "Wait about 5 seconds, then try again; check NEO4J_USER/NEO4J_PASSWORD if "
                    "another program is logging in with a wrong password.",
                ) from exc
            raise DatabaseUnavailableError(
                f"Neo4j at {uri} refused the connection: {exc.message or exc.code}",
                "Check NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD.",
                retryable=False,
            ) from exc
        except (Neo4jError, DriverError, ValueError, OSError) as exc:  # e.g. a name not resolved
            driver.close()
            raise DatabaseUnavailableError(
                f"Neo4j at {uri} could not be reached: {str(exc)[:300]}",
                _URI_HINT if external else "Run `consilience db start`.",
            ) from exc
    return driver


def open_graph(settings: Settings, verify: bool = True) -> Graph:
    """The graph handle for the configured server and database (`neo4j.database`)."""
    return Graph(open_driver(settings, verify), settings.neo4j.database)
