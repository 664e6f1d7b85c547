"""Identity verification for the Digital Tariff Card: reading the application, the blocklist,
and recording the verdict (accepted or rejected) on the customer. Runs in the caller's
transaction; does not commit.

The passport number arrives in clear or as a vault reference (`ptok_...`, what the chat
channel swaps a typed passport for); either way only a keyed hash and a mask are stored.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from corebank.core import keys, vault
from corebank.core.db import new_id, utcnow
from corebank.core.errors import BankError
from corebank.core.http import require_str
from corebank.core.models import Customer
from corebank.kyc import rules
from corebank.kyc.models import BlocklistEntry, KycRecord

# Sandbox blocklist seeds (test data, like the 3-D Secure code): compared by keyed hash.
SANDBOX_BLOCKED_PASSPORTS = ("AA000000",)
SANDBOX_BLOCKED_NAMES = ("blocked person",)


def passport_hash(number: str) -> str:
    return keys.keyed_hash("passport", rules.normalize_passport(number))


def _date(payload: dict, name: str) -> date:
    value = payload.get(name)
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise BankError("invalid_request", f"'{name}' must be a date like 1990-05-17.", field=name)


def _passport(session: Session, payload: dict) -> str:
    number, ref = payload.get("passport_number"), payload.get("passport_ref")
    if ref is not None:
        if not isinstance(ref, str) or not ref.startswith("ptok_"):
            raise BankError("invalid_request", "passport_ref must be a ptok_ reference.",
                            field="passport_ref")
        value = vault.reveal_secret(session, ref, kind="passport")
        if value is None:
            raise BankError("secret_expired",
                            "The passport reference is unknown or expired; please type it again.",
                            field="passport_ref")
        return value
    if not isinstance(number, str) or not number.strip() or len(number) > 20:
        raise BankError("invalid_request", "passport_number or passport_ref is required.",
                        field="passport_number")
    return number


def is_blocklisted(session: Session, full_name: str, p_hash: str) -> bool:
    name = rules.normalize_name(full_name)
    if name in SANDBOX_BLOCKED_NAMES or p_hash in {passport_hash(p)
                                                     for p in SANDBOX_BLOCKED_PASSPORTS}:
        return True
    hit = session.execute(
        select(BlocklistEntry.id).where(
            ((BlocklistEntry.kind == "name") & (BlocklistEntry.value == name))
            | ((BlocklistEntry.kind == "passport_hash") & (BlocklistEntry.value == p_hash))
        ).limit(1)
    ).first()
    return hit is not None


def apply(session: Session, customer_id: str,
          payload: dict) -> tuple[KycRecord, rules.KycVerdict]:
    """Check an application and record it (a rejected one too, for the audit trail); an
    accepted one makes the customer `verified` with the name and date of birth given."""
    if payload.get("consent") is not True:
        raise BankError("invalid_request", "Consent to the processing of personal data is "
                        "required (consent: true).", field="consent")
    full_name = require_str(payload, "full_name", min_len=3, max_len=200)
    if len(full_name.split()) < 2:
        raise BankError("invalid_request", "full_name needs a first and a last name.",
                        field="full_name")
    address = require_str(payload, "address", min_len=5, max_len=300)
    authority = require_str(payload, "passport_authority", min_len=2, max_len=200)
    birth = _date(payload, "date_of_birth")
    issued = _date(payload, "passport_issue_date")
    today = utcnow().date()
    if birth >= today or birth.year < 1900:
        raise BankError("implausible_date", "date_of_birth is not plausible.",
                        field="date_of_birth")
    passport = rules.normalize_passport(_passport(session, payload))
    p_hash = passport_hash(passport)
    verdict = rules.check(passport=passport, date_of_birth=birth, issue_date=issued,
                          today=today, blocklisted=is_blocklisted(session, full_name, p_hash))
    customer = session.execute(
        select(Customer).where(Customer.id == customer_id).with_for_update()
    ).scalar_one()
    record = KycRecord(
        id=new_id("kyc_"), customer_id=customer.id,
        status="verified" if verdict.ok else "rejected", reason=verdict.reason,
        full_name=full_name, date_of_birth=birth, address=address,
        document_type=verdict.document_type, passport_hash=p_hash,
        passport_masked=rules.mask_passport(passport), passport_issue_date=issued,
        passport_authority=authority, created_at=utcnow(),
    )
    session.add(record)
    if verdict.ok:
        names = full_name.split()
        customer.kyc_level = "verified"
        customer.first_name, customer.last_name = names[0], " ".join(names[1:])
        customer.date_of_birth = birth
    return record, verdict


def latest_record(session: Session, customer_id: str) -> KycRecord | None:
    """The customer's most recent application (accepted or rejected)."""
    return session.execute(
        select(KycRecord).where(KycRecord.customer_id == customer_id)
        .order_by(KycRecord.created_at.desc(), KycRecord.id.desc()).limit(1)
    ).scalar_one_or_none()
