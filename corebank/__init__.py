"""Sandbox of the bank's core systems: ledger, customers and cards, vault, OTP, REST + SOAP APIs,
hosted pages, webhooks.

Layout: `core/` holds what every domain uses (settings, db, core tables, ledger, idempotency,
vault, keys, OTP, auth, errors, money, phones, BINs, tariffs, HTML frame) and the HTTP APIs of
those services (`core/api/`: health, OAuth2/JWKS, authorization zone, vault, ledger). Each
domain is a package with its router(s), its service code and its own tables: `accounts`,
`cards`, `kyc`, `transfers`, `payments`, `bills`, `secure_pages`, `webhooks`, `sandbox`;
`soap` is the legacy SOAP transport that dispatches to the cards' and bills' operations.
`app.py` mounts every router, `schema.py` lists every table (Alembic, reset), `seed.py` holds
the demo data. Run with `python -m corebank` (see corebank/__main__.py and
docs/architecture.md).
"""
