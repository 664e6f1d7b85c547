"""Amounts, currencies and cards in what customers type ("send 50 to <card>", "twenty dollars",
"1 500 uah"), from the NLU's entities or the text itself.

The channel layer has already replaced a Luhn-valid card number with a vault reference
(`bankclient.refs`); a card-like number still in the text failed the Luhn check.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from actions.common.conversation import typed_text
from actions.common.money import AmountError, parse_amount, validate_amount
from bankclient import refs

# A card-like number the channel layer did not tokenize: it failed the Luhn check.
RAW_CARD_RE = re.compile(r"(?<![\w])\d(?:[ -]?\d){12,18}(?![\w])")
# A number written with a minus sign is meant as an amount (and gets "must be more than zero").
_NEGATIVE_RE = re.compile(r"(?<![\w.,])[-\u2212]\s?\d+(?:[.,]\d+)?")
_NUMBER_RE = re.compile(r"(?<![\w.,])\d+(?:[ ,.'’]\d+)*(?:\s*k\b)?", re.IGNORECASE)
_NUMBER_WORDS = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fourty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|grand|million|a|an|and)"
)
_WORDS_AMOUNT_RE = re.compile(rf"\b{_NUMBER_WORDS}(?:[\s-]+{_NUMBER_WORDS})*\b", re.IGNORECASE)

CURRENCY_WORDS = {
    "uah": "UAH", "hryvnia": "UAH", "hryvnias": "UAH", "hryvnya": "UAH", "hryvnyas": "UAH",
    "hrn": "UAH", "grn": "UAH", "₴": "UAH",
    "usd": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD", "$": "USD",
    "eur": "EUR", "euro": "EUR", "euros": "EUR", "€": "EUR",
}  # fmt: skip
_CURRENCY_TEXT_RE = re.compile(
    r"(?<![\w])(uah|hryvn[iy]as?|hrn|grn|usd|dollars?|bucks|eur|euros?)(?![\w])|([₴$€])",
    re.IGNORECASE,
)


def entity_values(message: dict[str, Any], name: str) -> list[str]:
    return [
        str(e.get("value"))
        for e in message.get("entities") or []
        if e.get("entity") == name and e.get("value") is not None
    ]


def without_refs(text: str) -> str:
    """The text with every vault reference blanked out (their characters are not amounts)."""
    return refs.ANY_REF_RE.sub(" ", text)


def card_token_in(message: dict[str, Any]) -> str | None:
    for value in entity_values(message, "card_token"):
        if refs.is_card_ref(value):
            return value
    match = refs.CARD_REF_RE.search(message.get("text") or "")
    return match.group(0) if match else None


def has_raw_card_number(message: dict[str, Any]) -> bool:
    text = typed_text(message)
    # the channel's stand-in for a Luhn-invalid card number, or (older channels) the digits
    return refs.CARD_TOKEN_INVALID in text or bool(RAW_CARD_RE.search(without_refs(text)))


def currency_in(message: dict[str, Any]) -> str | None:
    for value in entity_values(message, "currency"):
        code = CURRENCY_WORDS.get(value.lower()) or (value.upper() if len(value) == 3 else None)
        if code in ("UAH", "USD", "EUR"):
            return code
    match = _CURRENCY_TEXT_RE.search(typed_text(message))
    if match:
        word = (match.group(1) or match.group(2)).lower()
        return CURRENCY_WORDS.get(word) or CURRENCY_WORDS.get(word.rstrip("s"))
    return None


def amount_in(message: dict[str, Any], answer_expected: bool) -> str | None:
    """The raw amount the customer wrote, or None.

    `answer_expected`: the bot has just asked "how much", so a bare number or number words
    count. Otherwise the NLU's `amount` entity counts, or a single number written next to a
    currency or a card reference ("50 to <card>", "fifty dollars").
    """
    for value in entity_values(message, "amount"):
        if len(re.sub(r"\D", "", value)) < 13:  # never a card number the NLU mistook
            return value
    text = typed_text(message)
    anchored = bool(refs.CARD_REF_RE.search(text) or currency_in(message))
    text = RAW_CARD_RE.sub(" ", without_refs(text))
    negative = _NEGATIVE_RE.search(text)
    if negative:
        return negative.group(0).replace("\u2212", "-")
    if not text.strip() or not (answer_expected or anchored):
        return None
    if answer_expected and parse_amount(text) is not None:
        return text
    numbers = _NUMBER_RE.findall(text)
    if len(numbers) == 1:
        return numbers[0]
    if not numbers:
        words = [m.group(0) for m in _WORDS_AMOUNT_RE.finditer(text)]
        parsed = [w for w in words if parse_amount(w) is not None]
        if len(parsed) == 1:
            return parsed[0]
    return None


def parse_customer_amount(raw: str) -> tuple[Decimal | None, str | None]:
    """(amount, None) or (None, a customer-facing reason)."""
    value = parse_amount(raw)
    try:
        return validate_amount(value), None
    except AmountError as err:
        return None, str(err)
