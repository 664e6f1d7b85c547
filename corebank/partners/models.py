"""Partner programme tables: promo codes issued to customers, purchases at partners and the
cashback they earned. The catalog itself is code (corebank/partners/catalog.py)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Numeric, String, UniqueConstraint

from corebank.core.db import Base, utcnow

MONEY = Numeric(18, 2)


class IssuedPromoCode(Base):
    """The personal promo code a partner's API gave a customer for an offer: one per pair."""

    __tablename__ = "partner_promo_codes"

    id = Column(String(32), primary_key=True)
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False)
    offer_id = Column(String(40), nullable=False)
    partner_id = Column(String(40), nullable=False)
    code = Column(String(64), nullable=False)
    partner_ref = Column(String(64))
    created_at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("customer_id", "offer_id", name="uq_promo_customer_offer"),)


class PartnerPurchase(Base):
    """A card purchase at a partner (its ledger journal is marked with the partner here)."""

    __tablename__ = "partner_purchases"

    journal_id = Column(String(32), primary_key=True)
    partner_id = Column(String(40), nullable=False, index=True)
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False, index=True)
    account_id = Column(String(32), ForeignKey("accounts.id"), nullable=False)
    amount = Column(MONEY, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class CashbackCredit(Base):
    """The cashback a purchase earned: at most one per purchase (primary key)."""

    __tablename__ = "partner_cashback"

    purchase_journal_id = Column(String(32), ForeignKey("partner_purchases.journal_id"),
                                 primary_key=True)
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False, index=True)
    offer_id = Column(String(40), nullable=False)
    percent = Column(MONEY, nullable=False)
    amount = Column(MONEY, nullable=False)
    journal_id = Column(String(32), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


__all__ = ["CashbackCredit", "IssuedPromoCode", "PartnerPurchase"]
