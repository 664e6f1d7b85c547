"""The FastAPI application: foundation routers + the feature routers, errors, fault switch."""

from __future__ import annotations

import importlib
import logging

from fastapi import FastAPI

from corebank.errors import install_error_handlers
from corebank.faults import FaultMiddleware

log = logging.getLogger("corebank")

# Foundation routers: module paths exposing `router` (corebank/api/*).
FOUNDATION_ROUTERS = [
    "corebank.api.health",
    "corebank.api.oauth",
    "corebank.api.vault",
    "corebank.api.auth_zone",
    "corebank.api.me",
    "corebank.api.ledger",
    "corebank.api.sandbox",
    "corebank.api.soap",
]


def _features():
    """corebank.features (built separately) may be absent; import errors inside it are not
    swallowed, so a broken feature module fails loudly instead of silently vanishing."""
    try:
        return importlib.import_module("corebank.features")
    except ModuleNotFoundError as exc:
        if exc.name == "corebank.features":
            return None
        raise


def create_app() -> FastAPI:
    app = FastAPI(
        title="Corebank sandbox",
        description="Sandbox of the bank's core systems (see docs/architecture.md).",
        version="1.0",
        docs_url="/docs",
        redoc_url=None,
    )
    install_error_handlers(app)
    for module_name in FOUNDATION_ROUTERS:
        app.include_router(importlib.import_module(module_name).router)
    features = _features()
    if features is not None:
        for router in getattr(features, "ROUTERS", []):
            app.include_router(router)
        for hook in getattr(features, "ON_STARTUP", []):
            app.add_event_handler("startup", hook)
        for hook in getattr(features, "ON_SHUTDOWN", []):
            app.add_event_handler("shutdown", hook)
    app.add_middleware(FaultMiddleware)
    return app
