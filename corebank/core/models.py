"""The tables every domain reads: customers, their sessions and OTP challenges, accounts,
cards, the vault, the ledger (journals, postings, idempotency keys) and the SMS outbox.
A domain's own tables live in its `models.py` on the same `Base` (all listed in
corebank/schema.py).

Identifiers are opaque prefixed strings (`cus_`, `acc_`, `card_`, `jrn_`, `otp_`, `ses_`) so
nothing is enumerable; postings use an integer key because they are only ever read by joins.
Money columns are Numeric(18, 2) and always handled as Decimal.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import relationship

from corebank.core.db import Base, utcnow

MONEY = Numeric(18, 2)
# BIGSERIAL on PostgreSQL, INTEGER PRIMARY KEY (rowid) on SQLite.
BIGINT_PK = BigInteger().with_variant(Integer, "sqlite")

KYC_LEVELS = ("none", "basic", "verified")
ACCOUNT_KINDS = ("customer", "settlement", "fees", "network")
CARD_STATUSES = ("active", "frozen", "blocked")
CARD_TARIFFS = ("basic", "tariff")


class Customer(Base):
    __tablename__ = "customers"

    id = Column(String(32), primary_key=True)
    phone = Column(String(20), nullable=False, unique=True)  # E.164
    first_name = Column(String(100))
    last_name = Column(String(100))
    date_of_birth = Column(Date)
    kyc_level = Column(String(16), nullable=False, default="none")
    created_at = Column(DateTime, nullable=False, default=utcnow)

    accounts = relationship("Account", back_populates="customer", lazy="selectin")


class MessengerSession(Base):
    """The link between a messenger identity ("channel:user_id") and a customer."""

    __tablename__ = "messenger_sessions"

    id = Column(String(32), primary_key=True)
    identity = Column(String(200), nullable=False)
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow)
    ended_at = Column(DateTime)
    end_reason = Column(String(16))  # logout | expired | replaced

    __table_args__ = (Index("ix_messenger_sessions_identity", "identity", "ended_at"),)


class OtpChallenge(Base):
    __tablename__ = "otp_challenges"

    id = Column(String(32), primary_key=True)
    phone = Column(String(20), nullable=False, index=True)
    identity = Column(String(200), nullable=False)
    customer_id = Column(String(32), ForeignKey("customers.id"))  # step-up only
    purpose = Column(String(16), nullable=False)  # login | step_up
    step_up_purpose = Column(String(64))
    code_hash = Column(String(64), nullable=False)  # HMAC, never the code
    reference = Column(String(200))
    attempts = Column(Integer, nullable=False, default=0)
    max_attempts = Column(Integer, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    consumed_at = Column(DateTime)
    step_up_token_hash = Column(String(64), unique=True)
    step_up_used_at = Column(DateTime)
    # What a step-up code confirms (consume_step_up checks them): the total and the recipient.
    step_up_amount = Column(String(32))
    step_up_target = Column(String(200))
    # The requester was a chat already linked to this phone's customer: its codes do not count
    # against the phone's limit for strangers (core/otp.py).
    trusted = Column(Boolean, nullable=False, default=False)

    # the send limits count a chat's recent challenges (core/otp.py)
    __table_args__ = (Index("ix_otp_challenges_identity_created", "identity", "created_at"),)


class OtpLockout(Base):
    """Consecutive wrong codes per (messenger identity, phone), across challenges, and the
    lock they cause. Keyed by both, so a stranger's wrong codes lock only the stranger's chat
    out of that phone, never the owner's."""

    __tablename__ = "otp_lockouts"

    identity = Column(String(200), primary_key=True)
    phone = Column(String(20), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime)


class Account(Base):
    __tablename__ = "accounts"

    id = Column(String(32), primary_key=True)
    customer_id = Column(String(32), ForeignKey("customers.id"), index=True)  # NULL: system
    currency = Column(String(3), nullable=False)
    balance = Column(MONEY, nullable=False, default=0)
    credit_limit = Column(MONEY, nullable=False, default=0)
    kind = Column(String(16), nullable=False, default="customer")
    iban = Column(String(34), unique=True)
    name = Column(String(100))
    created_at = Column(DateTime, nullable=False, default=utcnow)

    customer = relationship("Customer", back_populates="accounts")

    @property
    def is_system(self) -> bool:
        return self.kind != "customer"


class Card(Base):
    __tablename__ = "cards"

    id = Column(String(32), primary_key=True)
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False, index=True)
    account_id = Column(String(32), ForeignKey("accounts.id"), nullable=False)
    card_token = Column(String(32), ForeignKey("vault_cards.card_token"), nullable=False,
                        unique=True)
    masked = Column(String(32), nullable=False)
    last4 = Column(String(4), nullable=False)
    holder_name = Column(String(100), nullable=False)
    tariff = Column(String(16), nullable=False, default="basic")
    status = Column(String(16), nullable=False, default="active")
    status_reason = Column(String(32))  # temporary | lost | stolen
    replaced_by = Column(String(32))  # card id of the reissued card
    expiry = Column(String(5), nullable=False)  # MM/YY
    created_at = Column(DateTime, nullable=False, default=utcnow)


class VaultCard(Base):
    """The only place a full card number exists (Fernet-encrypted; looked up by keyed hash)."""

    __tablename__ = "vault_cards"

    card_token = Column(String(32), primary_key=True)
    pan_hash = Column(String(64), nullable=False, unique=True)
    pan_encrypted = Column(Text, nullable=False)
    bin = Column(String(8), nullable=False)
    last4 = Column(String(4), nullable=False)
    network = Column(String(16), nullable=False)
    issuer = Column(String(8), nullable=False)  # own | other
    bank_name = Column(String(100), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class VaultSecret(Base):
    __tablename__ = "vault_secrets"

    secret_ref = Column(String(32), primary_key=True)
    kind = Column(String(16), nullable=False)  # otp | passport | other
    value_encrypted = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime)


class JournalEntry(Base):
    __tablename__ = "journal_entries"

    id = Column(String(32), primary_key=True)
    kind = Column(String(32), nullable=False)
    description = Column(String(300), nullable=False)
    currency = Column(String(3), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    idempotency_key = Column(String(200), unique=True)
    request_hash = Column(String(64))

    postings = relationship("Posting", back_populates="journal", lazy="selectin",
                            order_by="Posting.id")


class Posting(Base):
    __tablename__ = "postings"

    id = Column(BIGINT_PK, primary_key=True, autoincrement=True)
    journal_id = Column(String(32), ForeignKey("journal_entries.id"), nullable=False, index=True)
    account_id = Column(String(32), ForeignKey("accounts.id"), nullable=False)
    amount = Column(MONEY, nullable=False)  # signed: negative debits the account
    currency = Column(String(3), nullable=False)
    balance_after = Column(MONEY, nullable=False)

    journal = relationship("JournalEntry", back_populates="postings")

    __table_args__ = (Index("ix_postings_account_id", "account_id", "id"),)


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    scope = Column(String(64), primary_key=True)
    key = Column(String(200), primary_key=True)
    request_hash = Column(String(64), nullable=False)
    response_json = Column(Text)
    status_code = Column(Integer)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class SmsMessage(Base):
    __tablename__ = "sms_outbox"

    id = Column(BIGINT_PK, primary_key=True, autoincrement=True)
    phone = Column(String(20), nullable=False, index=True)
    text = Column(String(500), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


__all__ = [
    "Account", "Card", "Customer", "IdempotencyKey", "JournalEntry", "MessengerSession",
    "OtpChallenge", "OtpLockout", "Posting", "SmsMessage", "VaultCard", "VaultSecret",
]
