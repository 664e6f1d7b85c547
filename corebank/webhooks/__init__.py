"""Webhooks: signed events for the assistant, delivered from an outbox."""
