"""Phone numbers: E.164 only (parsed and checked with `phonenumbers`)."""

from __future__ import annotations

import phonenumbers

from corebank.core.errors import BankError


def normalise_phone(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip().startswith("+"):
        raise BankError("invalid_request", "phone must be in E.164 format, e.g. +380501112233.",
                        field="phone")
    try:
        number = phonenumbers.parse(raw.strip(), None)
    except phonenumbers.NumberParseException as exc:
        raise BankError("invalid_phone", "phone is not a valid E.164 number.",
                        field="phone") from exc
    if not phonenumbers.is_valid_number(number):  # well-formed, but no such number
        raise BankError("invalid_phone", "phone is not a valid E.164 number.", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(phone: str) -> str:
    """+380501112233 -> +38050•••2233 (enough to recognise, not enough to dial)."""
    return f"{phone[:6]}•••{phone[-4:]}"
