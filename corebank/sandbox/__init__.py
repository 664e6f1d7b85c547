"""Sandbox controls: fault switches, the SMS outbox viewer, reset."""
