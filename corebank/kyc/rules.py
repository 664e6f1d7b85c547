"""Identity checks of the Digital Tariff Card application (pure functions, no I/O).

Ukrainian documents: the old booklet passport is 2 letters + 6 digits (no expiry);
the ID card is 9 digits and is valid for 10 years from its issue date.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

BOOKLET_RE = re.compile(r"^[A-ZА-ЯІЇЄҐ]{2}\d{6}$")
ID_CARD_RE = re.compile(r"^\d{9}$")
ID_CARD_VALID_YEARS = 10
ADULT_AGE = 18


@dataclass(frozen=True)
class KycVerdict:
    ok: bool
    reason: str | None = None  # underage | document_expired | blocklisted | invalid_document
    message: str = ""
    document_type: str | None = None  # passport_booklet | id_card


def normalize_passport(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "").upper()


def document_type(passport: str) -> str | None:
    if BOOKLET_RE.match(passport):
        return "passport_booklet"
    if ID_CARD_RE.match(passport):
        return "id_card"
    return None


def normalize_name(name: str) -> str:
    """Case/spacing/accents-insensitive form used by the blocklist."""
    folded = unicodedata.normalize("NFKD", name or "").casefold()
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).split())


def passport_hash(passport: str, key: bytes) -> str:
    """Keyed hash: lets us match a document (blocklist, duplicates) without keeping it."""
    return hmac.new(key, normalize_passport(passport).encode(), hashlib.sha256).hexdigest()


def mask_passport(passport: str) -> str:
    p = normalize_passport(passport)
    return f"{p[:2]}{'•' * (len(p) - 4)}{p[-2:]}" if len(p) > 4 else "•" * len(p)


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def check(
    *,
    passport: str,
    date_of_birth: date,
    issue_date: date,
    today: date,
    blocklisted: bool,
) -> KycVerdict:
    doc = document_type(normalize_passport(passport))
    if doc is None:
        return KycVerdict(
            False,
            "invalid_document",
            "The passport number is not valid: 2 letters and 6 digits, or a 9-digit ID card.",
        )
    if issue_date > today:
        return KycVerdict(False, "invalid_document", "The issue date is in the future.", doc)
    if issue_date <= date_of_birth:
        return KycVerdict(
            False, "invalid_document", "The document was issued before the date of birth.", doc
        )
    if age_on(date_of_birth, today) < ADULT_AGE:
        return KycVerdict(False, "underage", "The card is available from the age of 18.", doc)
    if doc == "id_card" and add_years(issue_date, ID_CARD_VALID_YEARS) <= today:
        return KycVerdict(False, "document_expired", "The ID card has expired.", doc)
    if blocklisted:
        return KycVerdict(
            False, "blocklisted",
            "We cannot open this product for you. Please contact the bank.", doc,
        )
    return KycVerdict(True, document_type=doc)
