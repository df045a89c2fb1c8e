"""A local HTTP stub of the Anthropic Messages API with queued canned responses."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class MessagesStub:
    """`batch_polls`: how many status reads a Message Batch stays in progress (None: until it
    is cancelled); a cancelled batch has answered its first `answered_when_cancelled` and
    ends at the next read, or never with `cancel_ends=False`. The first `failed_polls` status
    reads fail (529, overloaded), and so do the first `failed_cancels` cancels and (500) the
    first `failed_results` reads of the results; `cancel_refused`: the batch ended just
    before the cancel, which the API refuses; `create_failures`: how the first batch creates
    fail (an HTTP status, or seconds without an answer)."""

    def __init__(
        self,
        *,
        batch_polls: int | None = 0,
        answered_when_cancelled: int = 0,
        cancel_ends: bool = True,
        failed_polls: int = 0,
        cancel_refused: bool = False,
        failed_cancels: int = 0,
        failed_results: int = 0,
        malformed_batch: bool = False,
        create_failures: list[int | float] | None = None,
    ) -> None:
        self.queue: list[object] = []  # a message (dict), any JSON or bytes to test errors, an
        # HTTP status (int; or a tuple with the error's message) or seconds without an answer
        # (float)
        self.requests: list[dict[str, Any]] = []
        self.batch_requests: list[dict[str, Any]] = []
        self.batch_polls = batch_polls
        self.answered_when_cancelled = answered_when_cancelled
        self.polls = 0
        self.cancelled = False
        self.cancel_ends = cancel_ends
        self.failed_polls = failed_polls
        self.cancel_refused = cancel_refused
        self.failed_cancels = failed_cancels
        self.failed_results = failed_results
        self.malformed_batch = malformed_batch
        self.create_failures = list(create_failures or [])
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.endswith("/cancel"):
                    stub.requests.append({"path": self.path, "body": body, "api_key": None})
                    if stub.failed_cancels > 0:  # overloaded: a transient error
                        stub.failed_cancels -= 1
                        self.send_response(529)
                        self.end_headers()
                        return
                    if stub.cancel_refused:  # it ended meanwhile: the API refuses to cancel
                        stub.batch_polls = 0
                        self.send_response(409)
                        self.end_headers()
                        return
                    stub.cancelled = True
                    self._send(json.dumps(stub.batch("canceling")).encode())
                    return
                if self.path.endswith("/messages/batches"):
                    stub.requests.append({"path": self.path, "body": body, "api_key": None})
                    if stub.create_failures:  # an HTTP status, or seconds without an answer
                        failure = stub.create_failures.pop(0)
                        if isinstance(failure, float):
                            time.sleep(failure)
                        self.send_response(failure if isinstance(failure, int) else 500)
                        with contextlib.suppress(OSError):
                            self.end_headers()
                        return
                    stub.batch_requests = body["requests"]
                    if stub.malformed_batch:  # a 200 whose body is not JSON
                        self._send(b'{"id": "msgbatch_1", "type": ')
                        return
                    self._send(json.dumps(stub.batch("in_progress")).encode())
                    return
                stub.requests.append(
                    {
                        "path": self.path,
                        "body": body,
                        "api_key": self.headers.get("x-api-key")
                        or (self.headers.get("authorization") or "").removeprefix("Bearer "),
                    }
                )
                if not stub.queue:
                    self.send_response(500)
                    self.end_headers()
                    return
                head = stub.queue.pop(0)  # bytes: a body sent as it is (malformed JSON)
                if isinstance(head, float):  # answers nothing for that long: a timeout
                    time.sleep(head)
                    self.send_response(500)
                    with contextlib.suppress(OSError):
                        self.end_headers()
                    return
                status = 200
                if isinstance(head, int):  # an HTTP error with the API's error body
                    head = (head, f"stub {head}")
                if isinstance(head, tuple):  # (HTTP status, the error's message)
                    status, kinds = head[0], {401: "authentication_error", 429: "rate_limit_error"}
                    kinds[400] = "invalid_request_error"
                    err = {"type": kinds.get(status, "api_error"), "message": head[1]}
                    head = {"type": "error", "error": err}
                payload = head if isinstance(head, bytes) else json.dumps(head).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                if self.path.endswith("/results"):
                    if stub.failed_results > 0:  # the stream breaks: a server error
                        stub.failed_results -= 1
                        self.send_response(500)
                        self.end_headers()
                        return
                    lines = [
                        json.dumps({"custom_id": r["custom_id"], "result": stub.result(i)})
                        for i, r in enumerate(stub.batch_requests)
                    ]
                    self._send("\n".join(lines).encode(), "application/binary")
                else:
                    stub.polls += 1
                    if stub.polls <= stub.failed_polls:  # overloaded: a transient error
                        self.send_response(529)
                        self.end_headers()
                        return
                    if stub.cancelled:
                        status = "ended" if stub.cancel_ends else "canceling"
                    elif stub.batch_polls is not None and stub.polls > stub.batch_polls:
                        status = "ended"
                    else:
                        status = "in_progress"
                    self._send(json.dumps(stub.batch(status)).encode())

            def _send(self, payload: bytes, ctype: str = "application/json") -> None:
                self.send_response(200)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def result(self, i: int) -> dict[str, Any]:
        if self.cancelled and i >= self.answered_when_cancelled:
            return {"type": "canceled"}
        message = self.queue.pop(0)
        assert isinstance(message, dict), "a batch result is a message"
        return {"type": "succeeded", "message": message}

    def batch(self, status: str) -> dict[str, Any]:
        n = len(self.batch_requests)
        done = status == "ended"
        answered = min(n, self.answered_when_cancelled) if self.cancelled else n
        return {
            "id": "msgbatch_1",
            "type": "message_batch",
            "processing_status": status,
            "request_counts": {
                "processing": 0 if done else n,
                "succeeded": answered if done else 0,
                "errored": 0,
                "canceled": n - answered if done else 0,
                "expired": 0,
            },
            "created_at": "2026-11-22T00:00:00Z",
            "expires_at": "2026-11-23T00:00:00Z",
            "ended_at": "2026-11-22T00:01:00Z" if done else None,
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{self.url}/v1/messages/batches/msgbatch_1/results" if done else None,
        }

    def tool_answer(
        self,
        data: dict[str, Any],
        model: str = "claude-stub",
        stop_reason: str = "tool_use",
        usage: tuple[int, int] = (10, 10),
    ) -> None:
        self.queue.append(
            {
                "id": f"msg_{len(self.queue)}",
                "type": "message",
                "role": "assistant",
                "model": model,
                "stop_reason": stop_reason,
                "stop_sequence": None,
                "content": [{"type": "tool_use", "id": "toolu_1", "name": "record", "input": data}],
                "usage": {"input_tokens": usage[0], "output_tokens": usage[1]},
            }
        )

    def __enter__(self) -> MessagesStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
