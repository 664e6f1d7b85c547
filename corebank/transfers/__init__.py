"""Transfers: card-to-card money transfers (quote, then transfer)."""
