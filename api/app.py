"""The FastAPI service: `create_app(settings)`; the lifespan opens and closes everything."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import access_log
from api.errors import install_error_handlers
from api.job_store import store_folder
from api.jobs import JobRegistry
from api.limits import BodyLimitMiddleware
from api.private_paths import PrivatePathsJSONResponse
from api.routers import (
    cases,
    claims,
    confidences,
    findings,
    health,
    ingest,
    lines,
    sources,
    stats,
    topics,
)
from app.services import Services, build_services
from consilience import __version__
from consilience.llm import AnthropicLLM
from consilience.settings import Settings

DESCRIPTION = """
Cross-paper consistency checks on a Neo4j claim graph: claims (exact quotes), findings
between them (contradictions, convergences of independent lines, restatements, summary
distortions), claim confidences and safety-case evaluation.

Every write needs an API key in the `X-API-Key` header (reads too when the server is
configured so). Every error has the same body: `{"error": {"code", "message", "hint",
"retryable"}}`; a database that is down gives 503.
"""


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    """The app over these settings (and, for tests, already-built services)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncGenerator[None]:
        svc = services or build_services(settings)
        app.state.services = svc
        app.state.jobs = JobRegistry(store_folder(settings.data_dir), settings.api.job_workers)
        try:
            yield
        finally:
            if isinstance(svc.llm, AnthropicLLM):  # a job waiting on Claude stops waiting
                svc.llm.abandon()
            app.state.jobs.shutdown()
            if services is None:
                svc.close()

    app = FastAPI(
        title="Consilience",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        redirect_slashes=False,  # a trailing slash is a 404 with the error body, not a 307
        default_response_class=PrivatePathsJSONResponse,  # file names, never server paths
    )
    app.state.settings = settings
    access_log.install()
    install_error_handlers(app)
    for r in (health, stats, sources, claims, findings, lines, topics, confidences, cases, ingest):
        app.include_router(r.router)
    app.add_middleware(BodyLimitMiddleware, max_bytes=int(settings.api.max_body_mb * 1_000_000))
    return app
