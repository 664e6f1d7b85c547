"""Vault reference formats: the safe stand-ins for card numbers and secrets.

The bank's vault swaps a card number for a card token and a secret (OTP, passport number, …)
for a short-lived reference; only these references ever reach Rasa, slots and logs. Every
component that recognises a reference (channel guard, NLU components, actions, redaction)
uses the names here, so the formats are spelled out once.
"""

from __future__ import annotations

import re

REF_BODY_LENGTH = 16  # random characters after the prefix

CARD_PREFIX = "ctok_"
SECRET_PREFIXES = {"otp": "otok_", "passport": "ptok_", "other": "stok_"}
OTP_PREFIX = SECRET_PREFIXES["otp"]
PASSPORT_PREFIX = SECRET_PREFIXES["passport"]
OTHER_SECRET_PREFIX = SECRET_PREFIXES["other"]
ALL_PREFIXES = (CARD_PREFIX, OTP_PREFIX, PASSPORT_PREFIX, OTHER_SECRET_PREFIX)

# What the channel puts in place of a card number when the vault could not be reached.
CARD_TOKEN_UNAVAILABLE = f"{CARD_PREFIX}unavailable"
# What the channel puts in place of a card-shaped 13–19 digit run that fails the Luhn check
# (a typo): never kept, and the transfer form answers "that card number isn't valid".
CARD_TOKEN_INVALID = f"{CARD_PREFIX}invalid"

_BODY = rf"[A-Za-z0-9]{{{REF_BODY_LENGTH}}}"

# Found inside free text (word boundaries).
CARD_REF_RE = re.compile(rf"\b{CARD_PREFIX}(?:unavailable\b|{_BODY}\b)")
OTP_REF_RE = re.compile(rf"\b{OTP_PREFIX}{_BODY}\b")
PASSPORT_REF_RE = re.compile(rf"\b{PASSPORT_PREFIX}{_BODY}\b")
ANY_REF_RE = re.compile(rf"\b(?:ctok|otok|ptok|stok)_(?:unavailable\b|{_BODY}\b)")

# A whole word that is a reference, for tokenizers: group 1 is the kind's prefix word.
REF_WORD_RE = re.compile(r"^(ctok|otok|ptok|stok)_[A-Za-z0-9]+$")


def is_ref(value: object) -> bool:
    """True for any vault reference (card token or secret reference)."""
    return isinstance(value, str) and value.startswith(ALL_PREFIXES)


def is_card_ref(value: object) -> bool:
    return isinstance(value, str) and CARD_REF_RE.fullmatch(value) is not None


def is_otp_ref(value: object) -> bool:
    return isinstance(value, str) and OTP_REF_RE.fullmatch(value) is not None


def is_passport_ref(value: object) -> bool:
    return isinstance(value, str) and PASSPORT_REF_RE.fullmatch(value) is not None
