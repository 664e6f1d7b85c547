"""One-time links to the secure page, and the PINs and passwords set there (scrypt hashes
only, never the values)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String

from corebank.core.db import Base, utcnow


class SecureLink(Base):
    __tablename__ = "secure_links"

    id = Column(String(32), primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)  # sha256 of the URL token
    purpose = Column(String(20), nullable=False)  # card_details | set_pin | set_password
    customer_id = Column(String(32), ForeignKey("customers.id"), nullable=False)
    identity = Column(String(200))  # the chat that asked: told by webhook when the value is set
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


__all__ = ["Credential", "SecureLink"]
