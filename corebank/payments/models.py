"""Top-ups and payment requests: both are paid on the bank's hosted payment page, which
keeps only the paying card's masked number."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, String

from corebank.core.db import Base, utcnow
from corebank.core.models import MONEY


class HostedPayment:
    """Columns shared by top-ups and payment requests (both are paid on the hosted page)."""

    amount = Column(MONEY, nullable=False)
    currency = Column(String(3), nullable=False)
    identity = Column(String(200))  # messenger identity to notify
    nonce = Column(String(40))  # nonce of the last rendered form
    stage = Column(String(8), nullable=False, default="card")  # card | 3ds
    payer_masked = Column(String(32))  # the paying card, masked (never the full number)
    journal_id = Column(String(32))
    failure_reason = Column(String(32))
    expires_at = Column(DateTime, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    completed_at = Column(DateTime)


class Topup(HostedPayment, Base):
    __tablename__ = "topups"

    id = Column(String(32), primary_key=True)
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False, index=True)
    account_id = Column(String(32), ForeignKey("accounts.id"), nullable=False)
    card_id = Column(String(32), ForeignKey("cards.id"))
    status = Column(String(16), nullable=False, default="pending")  # pending|succeeded|failed

    __table_args__ = (Index("ix_topups_status_expires", "status", "expires_at"),)


class PaymentRequest(HostedPayment, Base):
    __tablename__ = "payment_requests"

    id = Column(String(32), primary_key=True)
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False, index=True)
    account_id = Column(String(32), ForeignKey("accounts.id"), nullable=False)
    card_id = Column(String(32), ForeignKey("cards.id"))
    note = Column(String(140))
    status = Column(String(16), nullable=False, default="open")  # open | paid | expired


__all__ = ["PaymentRequest", "Topup"]
