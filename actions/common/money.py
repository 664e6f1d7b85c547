"""Money for customers: amount parsing ("1 500", "1,500.50", "fifty five", "2k") and validation,
and the one format every message, receipt and card text uses ("1,500.00 UAH"). Decimal only,
never float. The bank's own money strings are converted by `bankclient.money` (`from_api`)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from bankclient.money import CENT, DEFAULT_CURRENCY, from_api

MAX_AMOUNT = Decimal("1000000")

CURRENCY_SYMBOLS = {"₴": "UAH", "$": "USD", "€": "EUR"}

__all__ = [
    "DEFAULT_CURRENCY",
    "MAX_AMOUNT",
    "AmountError",
    "format_money",
    "money_text",
    "parse_amount",
    "validate_amount",
]


class AmountError(ValueError):
    """A customer amount that the bank would refuse; `reason` is a short machine word."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


_UNITS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000, "k": 1000, "grand": 1000, "million": 1_000_000}
_FILLER = {"and"}

# A number as people type it: digits with optional space/comma/dot/apostrophe groups and decimals.
_NUMBER_RE = re.compile(r"\d+(?:[ \u00a0\u202f',.]\d+)*")
_SUFFIX_K_RE = re.compile(r"^(\d+(?:[.,]\d+)?)\s*k$", re.IGNORECASE)


def _parse_numeric(raw: str) -> Decimal | None:
    s = raw.replace("\u00a0", " ").replace("\u202f", " ").replace("'", " ").strip()
    # Spaces only ever group thousands ("1 500").
    s = s.replace(" ", "")
    if "," in s and "." in s:
        # The later of the two separators is the decimal point: "1,500.50" / "1.500,50".
        dec, grp = (".", ",") if s.rfind(".") > s.rfind(",") else (",", ".")
        s = s.replace(grp, "").replace(dec, ".")
    elif "," in s:
        parts = s.split(",")
        if len(parts) == 2 and 1 <= len(parts[1]) <= 2:
            s = ".".join(parts)  # decimal comma: "20,50"
        else:
            s = "".join(parts)  # thousands commas: "1,500" / "1,000,000"
    elif s.count(".") > 1:
        s = s.replace(".", "")  # "1.000.000"
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def _parse_words(text: str) -> Decimal | None:
    tokens = re.findall(r"[a-z]+|\d+(?:\.\d+)?", text.lower().replace("-", " "))
    tokens = [t for t in tokens if t not in _FILLER]
    if not tokens:
        return None
    total = Decimal(0)
    current = Decimal(0)
    seen = False
    for i, tok in enumerate(tokens):
        if tok in ("a", "an") and (i + 1 >= len(tokens) or tokens[i + 1] not in _SCALES):
            return None  # "a"/"an" count only as "a hundred", "a thousand"
        if tok in _UNITS:
            current += _UNITS[tok]
            seen = True
        elif tok[0].isdigit():
            current += Decimal(tok)
            seen = True
        elif tok in _SCALES:
            scale = _SCALES[tok]
            current = (current or 1) * scale
            if scale >= 1000:
                total += current
                current = Decimal(0)
            seen = True
        else:
            return None  # an unknown word: not an amount we understand
    return total + current if seen else None


def parse_amount(text: str | int | Decimal | None) -> Decimal | None:
    """The amount in a customer's text, or None when there is none we can trust.

    Currency words and symbols around the number are ignored ("50 uah", "$20").
    """
    if text is None:
        return None
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int):
        return Decimal(text)
    s = str(text).strip().lower()
    for symbol in CURRENCY_SYMBOLS:
        s = s.replace(symbol, " ")
    s = re.sub(r"\b(uah|usd|eur|hryvnias?|hryvnyas?|hrn|grn|dollars?|euros?|bucks)\b", " ", s)
    s = s.strip(" .!?")
    if not s:
        return None
    m = _SUFFIX_K_RE.match(s)
    if m:
        base = _parse_numeric(m.group(1))
        return None if base is None else base * 1000
    if _NUMBER_RE.fullmatch(s):
        return _parse_numeric(s)
    if s.startswith("-") and _NUMBER_RE.fullmatch(s[1:].strip()):
        value = _parse_numeric(s[1:].strip())
        return None if value is None else -value
    return _parse_words(s)


def validate_amount(amount: Decimal | str | int | None) -> Decimal:
    """The amount as a 2-decimal Decimal, or AmountError (not positive, >2 decimals, too large)."""
    value = amount if isinstance(amount, Decimal) else parse_amount(amount)  # type: ignore[arg-type]
    if value is None or not value.is_finite():
        raise AmountError("not_a_number", "That doesn't look like an amount.")
    if value <= 0:
        raise AmountError("not_positive", "The amount must be more than zero.")
    if value > MAX_AMOUNT:  # before quantize: a 40-digit number overflows its precision
        raise AmountError("too_large", "That amount is above the maximum of 1,000,000.")
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise AmountError("too_many_decimals", "Amounts can have at most 2 decimals.")
    return value.quantize(CENT)


def format_money(amount: Decimal | str | int, currency: str = DEFAULT_CURRENCY) -> str:
    """'1,500.00 UAH' (negative amounts keep their sign: '-20.00 UAH')."""
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{value:,.2f} {currency.upper()}".strip()


def money_text(value: Any, currency: str = DEFAULT_CURRENCY, unreadable: str | None = None) -> str:
    """A money value from the bank or a slot ("1500.00", Decimal) as the customer reads it:
    "1,500.00 UAH". A value that isn't money raises ValueError, or gives `unreadable` if set."""
    try:
        return format_money(from_api(value), currency)
    except (ValueError, ArithmeticError):
        if unreadable is None:
            raise
        return unreadable
