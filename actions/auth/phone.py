"""Phone numbers as customers type them ("050-111-22-33", "+38(050)1112233")."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat

DEFAULT_REGION = "UA"


def parse_phone(text: str, region: str = DEFAULT_REGION) -> str | None:
    """The first valid phone number in free text, as E.164 ("+380501112233"), else None."""
    if not text:
        return None
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=Leniency.VALID):
        return phonenumbers.format_number(match.number, PhoneNumberFormat.E164)
    # Customers also glue or split numbers oddly ("050-111-22-33", "+38(050)1112233").
    candidate = re.sub(r"[^\d+]", "", text)
    if 9 <= len(candidate.lstrip("+")) <= 15:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return None


def looks_like_phone_attempt(text: str) -> bool:
    return len(re.findall(r"\d", text or "")) >= 5
