"""Referral programme tables: invitation codes, attributions (who brought whom) and the
newcomers' welcome rewards."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, Numeric, String

from corebank.core.db import Base, utcnow

MONEY = Numeric(18, 2)


class ReferralCode(Base):
    """A customer's personal invitation code (one live code per customer)."""

    __tablename__ = "referral_codes"

    code = Column(String(16), primary_key=True)
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)


class Attribution(Base):
    """A newcomer brought by an inviter (kind `referral`) or a partner campaign (`campaign`).

    One per newcomer: unique by the chat that arrived (`newcomer_identity`) and, once known,
    by the customer (`newcomer_customer_id`). `status`: pending (no card yet), rewarded,
    capped (the inviter's monthly cap was reached: counted, not paid), rejected (self-referral).
    """

    __tablename__ = "referral_attributions"

    id = Column(String(32), primary_key=True)
    kind = Column(String(16), nullable=False)  # referral | campaign
    inviter_id = Column(String(32), ForeignKey("customers.id"))
    code = Column(String(16))
    campaign = Column(String(40))
    source = Column(String(16), nullable=False)  # link | code
    newcomer_identity = Column(String(200), unique=True)
    newcomer_customer_id = Column(String(32), ForeignKey("customers.id"), unique=True)
    status = Column(String(16), nullable=False, default="pending")
    reward_amount = Column(MONEY)
    reward_journal_id = Column(String(32))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    rewarded_at = Column(DateTime)

    __table_args__ = (Index("ix_referral_attributions_inviter", "inviter_id", "rewarded_at"),)


class WelcomeReward(Base):
    """What a newcomer got for joining through an invitation or a campaign (once each)."""

    __tablename__ = "welcome_rewards"

    customer_id = Column(String(32), ForeignKey("customers.id"), primary_key=True)
    attribution_id = Column(String(32), ForeignKey("referral_attributions.id"), nullable=False)
    kind = Column(String(24), nullable=False)  # bonus | boosted_cashback
    amount = Column(MONEY)
    partner_id = Column(String(40))
    boost_percent = Column(MONEY)
    valid_until = Column(DateTime)
    journal_id = Column(String(32))
    created_at = Column(DateTime, nullable=False, default=utcnow)


__all__ = ["Attribution", "ReferralCode", "WelcomeReward"]
