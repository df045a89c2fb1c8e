"""The app as each worker process of `consilience serve --workers N` builds it: from the
settings the environment gives, as the command itself read them (uvicorn starts worker
processes from an import string, so an app object cannot be handed to them)."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from consilience.settings import load_settings


def app_from_environment() -> FastAPI:
    return create_app(load_settings())
