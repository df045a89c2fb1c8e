"""Run the real API with uvicorn on a free local port in a thread (tests, benchmarks)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Generator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from app.services import Services
from consilience.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_api(
    settings: Settings,
    services: Services | None = None,
    configure: Callable[[FastAPI], None] | None = None,
) -> Generator[str]:
    """Yield the base URL of a live server; stop it afterwards. `configure` may add routes
    (tests of the error layer)."""
    port = free_port()
    app = create_app(settings, services)
    if configure is not None:
        configure(app)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
