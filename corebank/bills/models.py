"""Bill payments made (the history the customer asks about, "pay it again") and the customer's
saved payment templates."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, String, UniqueConstraint

from corebank.core.db import Base, utcnow
from corebank.core.models import MONEY


class BillPayment(Base):
    __tablename__ = "bill_payments"

    id = Column(String(32), primary_key=True)  # the ledger journal id
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False)
    provider_id = Column(String(40), nullable=False)
    category = Column(String(16), nullable=False)
    account = Column(String(40), nullable=False)  # the provider's account (phone, contract, ...)
    amount = Column(MONEY, nullable=False)
    fee = Column(MONEY, nullable=False)
    currency = Column(String(3), nullable=False)
    receipt_no = Column(String(40), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_bill_payments_customer_created", "customer_id", "created_at"),)


class BillTemplate(Base):
    __tablename__ = "bill_templates"

    id = Column(String(32), primary_key=True)
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False, index=True)
    name = Column(String(60), nullable=False)
    provider_id = Column(String(40), nullable=False)
    account = Column(String(40), nullable=False)
    amount = Column(MONEY)  # None: ask every time
    created_at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("customer_id", "name", name="uq_bill_templates_name"),)
