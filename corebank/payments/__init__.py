"""Payments: top-ups and payment requests, paid on the bank's hosted payment page."""
