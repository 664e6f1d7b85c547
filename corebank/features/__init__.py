"""Feature endpoints of the corebank sandbox (cards, KYC, secure pages, transfers, top-ups,
payment requests, webhooks). `corebank.app.create_app` mounts `ROUTERS` and runs the hooks."""

from __future__ import annotations

from corebank.features import background, cards, kyc, payments, secure_links, transfers

ROUTERS = [
    cards.router,
    kyc.router,
    secure_links.api,
    secure_links.router,
    transfers.router,
    payments.api,
    payments.router,
]

ON_STARTUP = [background.start]
ON_SHUTDOWN = [background.stop]
