"""What the guard puts in place of sensitive data before Rasa sees a message.

1. card numbers (Luhn-valid 13–19 digits, any separators or script of digits) become vault card
   tokens (`refs.CARD_TOKEN_UNAVAILABLE` when the vault cannot be reached); card-shaped runs
   that fail the Luhn check become `refs.CARD_TOKEN_INVALID`;
2. a passport number after the word "passport" becomes a passport reference;
3. when the conversation waits for a secret (`requested_slot` is otp_code or passport_number)
   the code or number becomes a vault reference ("[redacted]" if the vault is down);
4. anything else that looks like a PIN, CVV or password phrase is replaced by "[redacted]".
Before all that, digits of any script (fullwidth ４, Arabic-Indic ٤, ...) become ASCII digits and
a Unicode space or dash between two digits becomes " " or "-", so "４１１１ １１１１ ..." or
"4111\u00a01111–1111—1111" is a card number like any other.
The reference formats are those of `bankclient.refs`; the vault is reached through the bank
client, the only package the Rasa process shares with the action server.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from assistant.redaction import (
    OTP_VALUE,
    PASSPORT_AFTER_WORD,
    PASSPORT_VALUE,
    REDACTED,
    Span,
    find_card_numbers,
    find_invalid_card_numbers,
    redact_text,
    replace_spans,
)
from bankclient import get_bank
from bankclient.refs import CARD_TOKEN_INVALID, CARD_TOKEN_UNAVAILABLE

logger = logging.getLogger(__name__)

# The slot the conversation is filling → (vault kind, pattern of the secret in the message).
AWAITED_SECRETS: dict[str, tuple[str, re.Pattern]] = {
    "otp_code": ("otp", OTP_VALUE),
    "passport_number": ("passport", PASSPORT_VALUE),
}


async def tokenize_card(pan: str) -> str:
    try:
        return (await get_bank().vault.tokenize_card(pan)).card_token
    except Exception as exc:  # vault down, timeout, unexpected answer: never keep the PAN
        logger.warning("Card vault unavailable (%s): card number replaced", type(exc).__name__)
        return CARD_TOKEN_UNAVAILABLE


async def store_secret(kind: str, value: str) -> str:
    try:
        return (await get_bank().vault.store_secret(kind, value)).secret_ref
    except Exception as exc:
        logger.warning("Secret vault unavailable (%s): %s replaced", type(exc).__name__, kind)
        return REDACTED


async def _replace_async(
    text: str, spans: list[Span], replacement: Callable[[Span], Awaitable[str]]
) -> str:
    if not spans:
        return text
    values = {span: await replacement(span) for span in spans}
    return replace_spans(text, spans, values.__getitem__)


async def awaited_secret_slot(tracker_store: Any, sender_id: str) -> str | None:
    """The secret slot the conversation is currently asking for, if any."""
    if tracker_store is None:
        return None
    try:
        tracker = await tracker_store.retrieve(sender_id)
    except Exception as exc:
        logger.error("Could not read the tracker to check for an awaited secret: %r", exc)
        return None
    slot = tracker.get_slot("requested_slot") if tracker is not None else None
    return slot if slot in AWAITED_SECRETS else None


_BETWEEN_DIGITS = re.compile(r"(?<=\d)[^\S\n]|(?<=\d)[\u2010-\u2015\u2212](?=\d)")


def ascii_digits(text: str) -> str:
    """Unicode decimal digits as ASCII; a Unicode space or dash after a digit as " " / "-"."""
    if text.isascii():
        return text
    text = "".join(
        str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch for ch in text
    )
    return _BETWEEN_DIGITS.sub(lambda m: " " if m.group().isspace() else "-", text)


async def protect_text(text: str, sender_id: str, tracker_store: Any) -> str:
    """The message as Rasa may see and store it (steps 1-4 of the module docstring)."""
    text = ascii_digits(text)
    if not any(ch.isdigit() for ch in text):
        return redact_text(text, birth_dates=False)  # card numbers and secrets have digits

    text = await _replace_async(text, find_card_numbers(text), lambda s: tokenize_card(s.value))
    text = replace_spans(text, find_invalid_card_numbers(text), lambda _s: CARD_TOKEN_INVALID)

    passports = [
        Span(m.start("value"), m.end("value"), m.group("value"))
        for m in PASSPORT_AFTER_WORD.finditer(text)
    ]
    text = await _replace_async(
        text, passports, lambda s: store_secret("passport", _compact(s.value))
    )

    # Reading the tracker costs a database round trip: only when a secret could be here.
    could_be_secret = any(pattern.search(text) for _kind, pattern in AWAITED_SECRETS.values())
    slot = await awaited_secret_slot(tracker_store, sender_id) if could_be_secret else None
    if slot is not None:
        kind, pattern = AWAITED_SECRETS[slot]
        match = pattern.search(text)
        if match is not None:
            span = Span(match.start(), match.end(), match.group())
            text = await _replace_async(
                text, [span], lambda s: store_secret(kind, _compact(s.value))
            )

    return redact_text(text, birth_dates=False)


def _compact(value: str) -> str:
    return re.sub(r"[\s-]", "", value).upper()
