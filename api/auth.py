"""API keys: every write needs one; reads too when configured. Compared in constant time."""

from __future__ import annotations

import hmac

from fastapi import Request
from fastapi.security import APIKeyHeader

from consilience.errors import AuthError, ConsilienceError
from consilience.settings import ApiSettings

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")


class WritesDisabledError(ConsilienceError):
    http_status = 403


def check_key(settings: ApiSettings, given: str | None, *, write: bool) -> None:
    """Raise unless the request may proceed."""
    if not write and not settings.keys_for_reads:
        return
    if not settings.keys:
        raise WritesDisabledError(
            "This server has no API keys configured, so it accepts no writes.",
            "Start it with CONSILIENCE_API__KEYS='[\"a-long-random-key\"]' and send the key "
            "in the X-API-Key header.",
        )
    if not given:
        raise AuthError("This request needs an API key.", "Send it in the X-API-Key header.")
    # bytes, not str: compare_digest raises TypeError on non-ASCII text (a 500, not a 401)
    raw = given.encode("utf-8", "surrogateescape")
    if not any(
        hmac.compare_digest(raw, k.get_secret_value().encode("utf-8", "surrogateescape"))
        for k in settings.keys
    ):
        raise AuthError("The API key is not valid.", "Check the key in the X-API-Key header.")


def api_settings(request: Request) -> ApiSettings:
    return request.app.state.settings.api
