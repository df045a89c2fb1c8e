"""Request body size limit, enforced on the stream (Content-Length may be absent or wrong)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLargeError(Exception):
    pass


class BodyLimitMiddleware:
    """Answer 413 (the common error body) once a request body passes `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, send: Send) -> None:
        mb = self.max_bytes / 1_000_000
        body = json.dumps(
            {
                "error": {
                    "code": "payload_too_large",
                    "message": f"Request body is larger than {mb:g} MB.",
                    "hint": "Split the upload, or raise CONSILIENCE_API__MAX_BODY_MB.",
                    "retryable": False,
                }
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._reject(send)
                return
        seen = 0
        exceeded = False
        replied = False

        async def guarded_receive() -> Message:
            nonlocal seen, exceeded
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_bytes:
                    exceeded = True
                    raise BodyTooLargeError
            return msg

        async def guarded_send(msg: Message) -> None:
            # A body parser may catch BodyTooLargeError and answer 400: answer 413 instead.
            nonlocal replied
            if exceeded:
                if not replied:
                    replied = True
                    await self._reject(send)
                return
            replied = replied or msg["type"] == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except BodyTooLargeError:
            if not replied:
                replied = True
                await self._reject(send)
