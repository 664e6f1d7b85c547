"""The one amount reader every flow uses: what the customer wrote as an amount, checked.

A negative ("-100", "minus 100"), an exponent ("1e9"), a programmer's separator ("1_000") or an
absurdly long number (more digits than any amount the bank takes) is never reinterpreted into
something else: it gets a clear question back ("How much? For example 250 or 1 500.50")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from actions.common.money import AmountError, parse_amount, validate_amount
from actions.common.parsing import amount_in, currency_in

ASK_AGAIN = "How much? For example 250 or 1 500.50."
# Longer than any card number (13-19 digits, which the card checks answer): never an amount.
MAX_DIGITS = 19

# What no amount looks like: an exponent, underscores, digits glued to letters.
_MALFORMED_RE = re.compile(
    rf"(?<![\w])(\d+(?:[.,]\d+)?e[+-]?\d+|\d+(?:_\d+)+|\d{{{MAX_DIGITS + 1},}})(?![\w])",
    re.IGNORECASE,
)
_MINUS_WORD_RE = re.compile(r"(?<![\w])(minus|мінус|минус)\s+\d", re.IGNORECASE)


@dataclass(frozen=True)
class AmountAnswer:
    """What a message says about an amount: `amount` (checked) or `problem` (what to tell the
    customer, ending with the question), or neither (no amount in it). `currency` if named."""

    amount: Decimal | None = None
    problem: str | None = None
    currency: str | None = None

    @property
    def found(self) -> bool:
        return self.amount is not None or self.problem is not None


def check_amount(raw: str) -> tuple[Decimal | None, str | None]:
    """(amount, None) or (None, the customer-facing reason and question)."""
    if _MALFORMED_RE.search(raw) or _MINUS_WORD_RE.search(raw):
        return None, _problem(raw)
    try:
        return validate_amount(parse_amount(raw)), None
    except AmountError as err:
        return None, f"{err} {ASK_AGAIN}"


def _problem(raw: str) -> str:
    if _MINUS_WORD_RE.search(raw) or raw.strip().startswith(("-", "\u2212")):
        return f"The amount must be more than zero. {ASK_AGAIN}"
    return f"I can't read that as an amount. {ASK_AGAIN}"


def read_amount(message: dict[str, Any], asked: bool) -> AmountAnswer:
    """The amount in a message. `asked`: the flow has just asked "how much", so a bare number
    or number words count; otherwise only an amount the NLU tagged or one next to a currency or
    a card."""
    currency = currency_in(message)
    text = message.get("text") or ""
    if not text.startswith("/"):
        odd = _MALFORMED_RE.search(text) or _MINUS_WORD_RE.search(text)
        if odd and (asked or currency or _anchored_odd(text)):
            return AmountAnswer(problem=_problem(odd.group(0)), currency=currency)
    raw = amount_in(message, answer_expected=asked)
    if raw is None:
        return AmountAnswer(currency=currency)
    amount, problem = check_amount(raw)
    return AmountAnswer(amount=amount, problem=problem, currency=currency)


def _anchored_odd(text: str) -> bool:
    """An odd number in a request ("send 1e9 to …", "top up 1_000"): still meant as an amount."""
    return bool(re.search(r"\b(send|transfer|top ?up|pay|request|ask|make it|minus)\b", text,
                          re.IGNORECASE))
