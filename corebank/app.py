"""The FastAPI application: every router, the error handlers, the fault switch and the
background tasks."""

from __future__ import annotations

from fastapi import FastAPI

from corebank import background
from corebank.accounts import api as accounts_api
from corebank.bills import soap as bills_soap
from corebank.cards import api as cards_api
from corebank.cards import soap as cards_soap
from corebank.core import contract
from corebank.core.api import auth_zone, health, ledger, oauth, vault
from corebank.core.errors import install_error_handlers
from corebank.kyc import api as kyc_api
from corebank.partners import api as partners_api
from corebank.payments import api as payments_api
from corebank.payments import hosted_page
from corebank.referrals import api as referrals_api
from corebank.sandbox import api as sandbox_api
from corebank.sandbox.faults import FaultMiddleware
from corebank.secure_pages import api as secure_pages_api
from corebank.secure_pages import page as secure_page
from corebank.soap import api as soap_api
from corebank.transfers import api as transfers_api

# The legacy SOAP API's operations, by the name of the SOAP Body's element.
SOAP_OPERATIONS = {**cards_soap.OPERATIONS, **bills_soap.OPERATIONS}

# Mounted in this order (the order of the OpenAPI document at /docs).
ROUTERS = [
    health.router,
    oauth.router,
    vault.router,
    auth_zone.router,
    accounts_api.router,
    ledger.router,
    sandbox_api.router,
    soap_api.make_router(SOAP_OPERATIONS),
    cards_api.router,
    kyc_api.router,
    secure_pages_api.router,
    secure_page.router,
    transfers_api.router,
    payments_api.router,
    hosted_page.router,
    referrals_api.router,
    partners_api.router,
    partners_api.sandbox_router,
]


def create_app() -> FastAPI:
    app = FastAPI(
        title="Corebank sandbox",
        description="Sandbox of the bank's core systems (see docs/architecture.md).",
        version="1.0",
        docs_url="/docs",
        redoc_url=None,
    )
    install_error_handlers(app)
    contract.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_event_handler("startup", background.start)
    app.add_event_handler("shutdown", background.stop)
    app.add_middleware(FaultMiddleware)
    return app
