"""One error body for every failure, and the one place errors become HTTP statuses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.private_paths import maybe_hidden, paths_hidden
from consilience.errors import ConsilienceError

log = logging.getLogger("consilience.api")


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code", examples=["not_found"])
    message: str = Field(description="What went wrong", examples=["No finding 'fnd_x'."])
    hint: str | None = Field(default=None, description="What to do next")
    retryable: bool = Field(default=False, description="Whether retrying the same request may help")


class ErrorBody(BaseModel):
    """Every error response has this shape."""

    error: ErrorDetail


CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "internal",
    502: "upstream_error",
    503: "database_unavailable",
}
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    s: {"model": ErrorBody, "description": CODES[s].replace("_", " ")}
    for s in (401, 404, 413, 422, 500, 503)
}
ERROR_RESPONSES[503]["description"] = (
    "database unavailable (code database_unavailable, retryable), out of memory "
    "(code database_out_of_memory), or the server stopping (code service_unavailable, "
    "retryable)"
)


def error_response(
    status: int,
    message: str,
    hint: str | None = None,
    retryable: bool = False,
    code: str | None = None,
) -> JSONResponse:
    # a message or hint written for the command line can name the server's files (the
    # managed server's password file, a data folder): over HTTP only their names
    body = ErrorBody(
        error=ErrorDetail(
            code=code or CODES.get(status, "error"),
            message=paths_hidden(message),
            hint=maybe_hidden(hint),
            retryable=retryable,
        )
    )
    return JSONResponse(body.model_dump(), status_code=status)


def _validation_message(exc: RequestValidationError) -> str:
    parts: list[str] = []
    for e in exc.errors()[:5]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "request"
        parts.append(f"{loc}: {e.get('msg', 'invalid')}")
    return "; ".join(parts) or "Invalid request."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ConsilienceError)
    async def _consilience(_: Request, exc: ConsilienceError) -> JSONResponse:
        if exc.http_status >= 500 and exc.http_status != 503:
            log.error("server error: %s", exc)
        return error_response(
            exc.http_status, exc.message, exc.hint or None, exc.retryable, exc.code
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if errors and all(e.get("type") == "json_invalid" for e in errors):
            # a body that is not JSON at all (cut short, say) is one that cannot be parsed:
            # 400 as the README says, not 422 (red-teamed)
            return error_response(
                400,
                f"The body is not valid JSON: {_validation_message(exc)}",
                "Send a UTF-8 JSON body as the OpenAPI docs at /docs describe.",
            )
        return error_response(422, _validation_message(exc), "See the OpenAPI docs at /docs.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # 400: a body that cannot be parsed at all (not UTF-8, JSON nested 100,000 deep)
        hint = (
            "Send a UTF-8 JSON body as the OpenAPI docs at /docs describe."
            if (exc.status_code == 400)
            else None
        )
        return error_response(exc.status_code, str(exc.detail), hint)

    # Handlers for specific classes (above; an outage arrives as DatabaseUnavailableError,
    # translated by kg's graph handle) run inside Starlette's ExceptionMiddleware, which
    # answers and keeps the connection open. A handler for `Exception` would run in the
    # outermost ServerErrorMiddleware, which re-raises after answering, so the server drops
    # the keep-alive connection with no "Connection: close" (clients saw resets). Unexpected
    # errors are therefore caught by CatchAllMiddleware, below the outermost layer.
    app.add_middleware(CatchAllMiddleware)


class CatchAllMiddleware:
    """Turn any exception a route lets through into the error body (500), sent as a normal
    response so the connection stays usable."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if started:  # too late for an error body: let the server close the stream
                raise
            log.exception("unexpected error")  # the trace goes to the log, never the client
            response = error_response(500, "Internal error.", "The server log has the details.")
            await response(scope, receive, send)
