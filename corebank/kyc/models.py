"""KYC applications and the sandbox blocklist.

A passport number is never stored: only a keyed hash (to match duplicates and the blocklist)
and a mask.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint

from corebank.core.db import Base, utcnow


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


__all__ = ["BlocklistEntry", "KycRecord"]
