"""Sandbox of the bank's core systems: ledger, customers and cards, vault, OTP, REST + SOAP APIs.

Run with `python -m corebank` (see corebank/__main__.py and docs/architecture.md).
"""
