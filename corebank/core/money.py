"""Money parsing and formatting: Decimal only, JSON strings with two decimals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from corebank.core.errors import BankError

CURRENCIES = ("UAH", "USD", "EUR")
MAX_AMOUNT = Decimal("1000000.00")
CENT = Decimal("0.01")


def parse_amount(value: object, field: str = "amount") -> Decimal:
    """A positive amount with at most 2 decimals, not above 1,000,000.
    Strings ("100.50") and integers are accepted; floats only if they print exactly.
    Wrong JSON types -> 422 invalid_request; bad values -> 422 invalid_amount."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BankError("invalid_request", f"'{field}' must be a decimal string like \"100.00\".",
                        field=field)
    text = str(value).strip().replace(" ", "")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise BankError("invalid_amount", f"'{field}' is not a number.", field=field) from exc
    if not amount.is_finite():
        raise BankError("invalid_amount", f"'{field}' is not a number.", field=field)
    if amount <= 0:
        raise BankError("invalid_amount", "The amount must be greater than zero.", field=field)
    if amount > MAX_AMOUNT:
        raise BankError("invalid_amount", "The amount is above 1,000,000.", field=field)
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):  # "1.001"; "1.000" is fine
        raise BankError("invalid_amount", "The amount can have at most 2 decimals.", field=field)
    return amount.quantize(CENT)


def parse_currency(value: object) -> str:
    if not isinstance(value, str):
        raise BankError("invalid_request", "'currency' must be an ISO 4217 code string.",
                        field="currency")
    code = value.strip().upper()
    if code not in CURRENCIES:
        raise BankError("unknown_currency", f"Currency '{value[:10]}' is not supported.",
                        supported=list(CURRENCIES))
    return code


def to_decimal(value: object) -> Decimal:
    """A stored Numeric (Decimal, or float on SQLite) as an exact 2-decimal Decimal."""
    if isinstance(value, Decimal):
        return value.quantize(CENT)
    return Decimal(str(value if value is not None else 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: object) -> str:
    """"1234.50"-style string for JSON."""
    return f"{to_decimal(value):.2f}"
