"""The core of the sandbox bank, shared by every domain: settings, database, tables of
customers / accounts / cards, the ledger, idempotency keys, the vault and its keys, OTP and the
authorization zone (JWT, sessions, step-up), errors, money, phones, BINs, tariffs, and the
HTML frame of the hosted pages. Their HTTP APIs are in corebank/core/api."""
