"""Tables of the feature endpoints (same `Base` as the foundation; migration 0002_features).

Nothing here holds a full card number, CVV, PIN, password or passport number in clear:
cards live in the vault, PIN/password as scrypt hashes, passports as keyed hash + mask.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from corebank.db import Base, utcnow
from corebank.models import MONEY


class KycRecord(Base):
    """One row per KYC application (accepted or rejected)."""

    __tablename__ = "kyc_records"

    id = Column(String(32), primary_key=True)
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False, index=True)
    status = Column(String(16), nullable=False)  # verified | rejected
    reason = Column(String(32))  # kyc_rejected reason
    full_name = Column(String(200), nullable=False)
    date_of_birth = Column(Date, nullable=False)
    address = Column(String(300), nullable=False)
    document_type = Column(String(20))  # passport_booklet | id_card
    passport_hash = Column(String(64), index=True)  # HMAC(KYC_HASH_KEY, number)
    passport_masked = Column(String(20))
    passport_issue_date = Column(Date)
    passport_authority = Column(String(200))
    created_at = Column(DateTime, nullable=False, default=utcnow)


class BlocklistEntry(Base):
    """Sandbox sanctions/fraud list. kind: passport_hash | name (normalized)."""

    __tablename__ = "blocklist"

    id = Column(Integer, primary_key=True, autoincrement=True)
    kind = Column(String(16), nullable=False)
    value = Column(String(200), nullable=False)
    note = Column(String(200))
    created_at = Column(DateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "value", name="uq_blocklist_kind_value"),)


class PlasticOrder(Base):
    __tablename__ = "plastic_orders"

    id = Column(String(32), primary_key=True)
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False, index=True)
    card_id = Column(String(32), ForeignKey("cards.id"), nullable=False, index=True)
    street = Column(String(120), nullable=False)
    city = Column(String(60), nullable=False)
    postal_code = Column(String(10))
    status = Column(String(16), nullable=False, default="ordered")  # ordered|shipped|delivered
    estimated_delivery = Column(Date, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class SecureLink(Base):
    __tablename__ = "secure_links"

    id = Column(String(32), primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)  # sha256 of the URL token
    purpose = Column(String(20), nullable=False)  # card_details | set_pin | set_password
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False)
    card_id = Column(String(32), ForeignKey("cards.id"))
    nonce = Column(String(40))  # of the last rendered form
    failed_attempts = Column(Integer, nullable=False, default=0)
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Credential(Base):
    """PIN of a card (owner = card id) or password of a customer (owner = customer id)."""

    __tablename__ = "credentials"

    owner_id = Column(String(32), primary_key=True)
    kind = Column(String(16), primary_key=True)  # pin | password
    secret_hash = Column(String(200), nullable=False)  # scrypt$n$r$p$salt$hash
    updated_at = Column(DateTime, nullable=False, default=utcnow)


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


__all__ = [
    "BlocklistEntry", "Credential", "KycRecord", "PaymentRequest", "PlasticOrder", "SecureLink",
    "Topup", "Transfer", "TransferQuote", "WebhookOutbox",
]
