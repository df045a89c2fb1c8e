"""A local HTTP stub of the Anthropic Messages API with queued canned responses."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class MessagesStub:
    def __init__(self) -> None:
        self.queue: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
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
                payload = json.dumps(stub.queue.pop(0)).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def tool_answer(self, data: dict[str, Any]) -> None:
        self.queue.append(
            {
                "id": f"msg_{len(self.queue)}",
                "type": "message",
                "role": "assistant",
                "model": "claude-stub",
                "stop_reason": "tool_use",
                "stop_sequence": None,
                "content": [{"type": "tool_use", "id": "toolu_1", "name": "record", "input": data}],
                "usage": {"input_tokens": 10, "output_tokens": 10},
            }
        )

    def __enter__(self) -> MessagesStub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
