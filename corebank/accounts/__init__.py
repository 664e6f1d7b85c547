"""Accounts: what a logged-in customer sees under /api/v1/me."""
