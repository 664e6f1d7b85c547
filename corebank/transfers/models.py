"""Card-to-card transfer quotes and the transfers made from them."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String

from corebank.core.db import Base, utcnow
from corebank.core.models import MONEY


class TransferQuote(Base):
    __tablename__ = "transfer_quotes"

    id = Column(String(32), primary_key=True)
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False, index=True)
    from_account_id = Column(String(32), ForeignKey("accounts.id"), nullable=False)
    to_card_token = Column(String(32), nullable=False)
    to_card_id = Column(String(32), ForeignKey("cards.id"))  # own-bank route only
    route = Column(String(8), nullable=False)  # own | network
    amount = Column(MONEY, nullable=False)
    fee = Column(MONEY, nullable=False)
    currency = Column(String(3), nullable=False)
    recipient_masked = Column(String(32), nullable=False)
    recipient_masked_name = Column(String(100))
    requires_step_up = Column(Integer, nullable=False, default=0)
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Transfer(Base):
    __tablename__ = "transfers"

    id = Column(String(32), primary_key=True)
    quote_id = Column(String(32), ForeignKey("transfer_quotes.id"), nullable=False, unique=True)
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False)
    from_account_id = Column(String(32), ForeignKey("accounts.id"), nullable=False)
    to_card_token = Column(String(32), nullable=False)
    route = Column(String(8), nullable=False)
    amount = Column(MONEY, nullable=False)
    fee = Column(MONEY, nullable=False)
    currency = Column(String(3), nullable=False)
    recipient_masked = Column(String(32), nullable=False)
    journal_id = Column(String(32), ForeignKey("journal_entries.id"), nullable=False)
    receipt_no = Column(String(20), nullable=False, unique=True)
    status = Column(String(16), nullable=False, default="completed")
    balance_after = Column(MONEY, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_transfers_customer_created", "customer_id", "created_at"),)


__all__ = ["Transfer", "TransferQuote"]
