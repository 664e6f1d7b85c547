"""The webhook outbox: events for the assistant, written in the transaction they report."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Text

from corebank.core.db import Base, utcnow


class WebhookOutbox(Base):
    """Events for the assistant; delivered by a background task, retried with the same id."""

    __tablename__ = "webhook_outbox"

    event_id = Column(String(40), primary_key=True)
    type = Column(String(40), nullable=False)
    body = Column(Text, nullable=False)  # the exact JSON that is signed and sent
    status = Column(String(16), nullable=False, default="pending")  # pending|delivered|dead
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False, default=utcnow)
    last_status = Column(Integer)
    last_error = Column(String(300))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    delivered_at = Column(DateTime)

    __table_args__ = (Index("ix_webhook_outbox_due", "status", "next_attempt_at"),)


__all__ = ["WebhookOutbox"]
