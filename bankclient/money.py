"""Money as the bank's APIs carry it: strings with exactly 2 decimals, parsed to Decimal.
Never float. (Parsing what customers type and formatting amounts for them is the assistant's
business, not the bank client's.)"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
DEFAULT_CURRENCY = "UAH"

# Response fields that carry money (anywhere in a JSON tree): parsed to Decimal.
MONEY_FIELDS = frozenset(
    {
        "amount", "fee", "total", "balance", "available", "credit_limit", "balance_after",
        "per_transfer", "daily_remaining", "daily_limit", "monthly_limit", "min_amount",
        "max_amount", "debt", "monthly_fee", "issue_fee", "fee_fixed", "fee_min", "price",
        "per_transfer_limit",
    }
)  # fmt: skip


def to_api(amount: Decimal | str | int) -> str:
    """Money as the bank API wants it: a string with exactly 2 decimals ("50.00")."""
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def from_api(value: object) -> Decimal:
    """Money from the bank API (a string like "50.00"; numbers accepted defensively)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        value = repr(value)  # never through binary float arithmetic
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a money value: {value!r}") from exc


def parse_money_fields(value: Any, key: str | None = None) -> Any:
    """Money strings → Decimal for the keys in MONEY_FIELDS, recursively."""
    if isinstance(value, dict):
        return {k: parse_money_fields(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [parse_money_fields(v, key) for v in value]
    if key in MONEY_FIELDS and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        try:
            return from_api(value)
        except ValueError:
            return value
    return value
