"""Read routes answered in one worker-thread hop, serialised by pydantic's Rust core.

A plain `def` route costs FastAPI two hops to its thread pool (the endpoint, then the
validation of what it returned) and a walk of the whole response in Python to reduce server
paths to file names (`api.private_paths`). On the hot read routes that was about a third of
the server's CPU per request (measured with py-spy under bench/api). `json_route` runs the
endpoint and writes its result to JSON bytes in the same hop; path fields are reduced by
their own serializer (`queries.models.ServerPath`, under the PRIVATE_PATHS context), and the
route refuses, when the app is built, a response model with a path field not declared so.

Errors raised by the endpoint reach the usual handlers; `response_model` on the route still
documents the body in the OpenAPI schema.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable
from typing import Any, ParamSpec

from fastapi import Response
from pydantic import BaseModel, PlainSerializer, TypeAdapter
from starlette.concurrency import run_in_threadpool

from api.private_paths import PATH_FIELDS
from queries.models import PRIVATE_PATHS, ServerPath

P = ParamSpec("P")
_CONTEXT = {PRIVATE_PATHS: True}
_PATH_SERIALIZER = typing.get_args(ServerPath)[1]


def _unchecked_paths(tp: object, seen: set[type]) -> list[str]:
    """Path fields (by name) anywhere in `tp` that are not declared as ServerPath."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp in seen:
            return []
        seen.add(tp)
        bad: list[str] = []
        for name, field in tp.model_fields.items():
            if name in PATH_FIELDS and not any(
                isinstance(m, PlainSerializer) and m is _PATH_SERIALIZER for m in field.metadata
            ):
                bad.append(f"{tp.__name__}.{name}")
            bad += _unchecked_paths(field.annotation, seen)
        return bad
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is not None:
        return [b for arg in typing.get_args(tp) for b in _unchecked_paths(arg, seen)]
    return []


def json_route(fn: Callable[P, Any]) -> Callable[P, typing.Awaitable[Response]]:
    """Decorate a synchronous read endpoint (under `@router.get`): see the module doc."""
    hints = typing.get_type_hints(fn)
    injected = [
        name
        for name, tp in hints.items()
        if name != "return" and isinstance(tp, type) and issubclass(tp, Response)
    ]
    if injected:
        # the route answers with a Response of its own: headers, cookies or a status set
        # on an injected one would be dropped without a word. (Only the endpoint's own
        # parameters are seen here: a dependency taking a Response would lose its headers too,
        # and none of the read routes' dependencies does.)
        raise TypeError(
            f"{fn.__qualname__}: json_route builds the response itself; the headers or status "
            f"set on the injected parameter(s) {', '.join(injected)} would be lost. Use a plain "
            "route for it."
        )
    returned = hints["return"]
    bad = _unchecked_paths(returned, set())
    if bad:
        raise TypeError(
            f"{fn.__qualname__}: path fields {bad} would reveal server paths; "
            "declare them as queries.models.ServerPath."
        )
    adapter: TypeAdapter[Any] = TypeAdapter(returned)

    def render(*args: P.args, **kwargs: P.kwargs) -> Response:
        # warnings="error": a value that is not the declared model (a plain dict, say) would
        # be written as it is, server paths and all; it is a 500 instead
        body = adapter.dump_json(fn(*args, **kwargs), context=_CONTEXT, warnings="error")
        return Response(content=body, media_type="application/json")

    @functools.wraps(fn)
    async def endpoint(*args: P.args, **kwargs: P.kwargs) -> Response:
        return await run_in_threadpool(render, *args, **kwargs)

    return endpoint
