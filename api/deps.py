"""Request-scoped access to the app's services (no module-level state).

The dependencies are `async def` although they wait for nothing: FastAPI runs a plain `def`
dependency in its thread pool, and two such hops per request were a sixth of the API's own
time on a read. They only look things up, so they cannot block the event loop."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security

from api.auth import api_key_header, check_key
from api.jobs import JobRegistry
from app.services import Services


async def services(request: Request) -> Services:
    return request.app.state.services


async def jobs(request: Request) -> JobRegistry:
    return request.app.state.jobs


async def read_access(
    request: Request, key: Annotated[str | None, Security(api_key_header)] = None
) -> None:
    check_key(request.app.state.settings.api, key, write=False)


async def write_access(
    request: Request, key: Annotated[str | None, Security(api_key_header)] = None
) -> None:
    check_key(request.app.state.settings.api, key, write=True)


Svc = Annotated[Services, Depends(services)]
Jobs = Annotated[JobRegistry, Depends(jobs)]
Read = [Depends(read_access)]
Write = [Depends(write_access)]


def page_limit(request: Request, limit: int) -> int:
    return max(1, min(limit, request.app.state.settings.api.max_page))
