"""Bill-payment provider catalog (sandbox stand-ins) with per-provider account rules."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stdnum import luhn

from corebank.core.errors import BankError

CATEGORIES = ("mobile", "utilities", "tv", "internet", "transport")


def _mobile(codes: tuple[str, ...]) -> Callable[[str], str]:
    """Accept +380XXXXXXXXX, 380..., 0XXXXXXXXX; normalise to +380XXXXXXXXX; operator codes."""

    def check(raw: str) -> str:
        digits = re.sub(r"[\s\-()]", "", raw)
        match = re.fullmatch(r"(?:\+?380|0)(\d{9})", digits)
        if not match or match.group(1)[:2] not in codes:
            raise ValueError
        return "+380" + match.group(1)

    return check


def _digits(n: int, luhn_check: bool = False, prefix: str = "") -> Callable[[str], str]:
    def check(raw: str) -> str:
        value = re.sub(r"[\s\-]", "", raw)
        if not re.fullmatch(rf"{prefix}\d{{{n - len(prefix)}}}", value):
            raise ValueError
        if luhn_check and not luhn.is_valid(value):
            raise ValueError
        return value

    return check


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    category: str
    account_label: str
    account_pattern: str  # human hint of the format, also shown to customers
    normalise: Callable[[str], str]
    shows_debt: bool = False
    min_amount: Decimal = Decimal("1.00")
    max_amount: Decimal = Decimal("50000.00")

    def check_account(self, raw: object) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise BankError("invalid_request", f"{self.account_label} is required.", 422,
                            field="Account")
        try:
            return self.normalise(raw.strip())
        except ValueError as exc:
            raise BankError("invalid_request",
                            f"{self.account_label} for {self.name} must be {self.account_pattern}.",
                            422, field="Account") from exc

    def check_amount(self, amount: Decimal) -> None:
        if not self.min_amount <= amount <= self.max_amount:
            raise BankError("invalid_amount",
                            f"{self.name} accepts {self.min_amount}–{self.max_amount} UAH.")


PROVIDERS: dict[str, Provider] = {p.id: p for p in [
    Provider("kyivstar", "Kyivstar", "mobile", "Phone number",
             "a Kyivstar number: +380 67/68/96/97/98 …", _mobile(("67", "68", "96", "97", "98")),
             max_amount=Decimal("5000.00")),
    Provider("vodafone", "Vodafone Ukraine", "mobile", "Phone number",
             "a Vodafone number: +380 50/66/95/99 …", _mobile(("50", "66", "95", "99")),
             max_amount=Decimal("5000.00")),
    Provider("lifecell", "lifecell", "mobile", "Phone number",
             "a lifecell number: +380 63/73/93 …", _mobile(("63", "73", "93")),
             max_amount=Decimal("5000.00")),
    Provider("yasno", "YASNO Electricity", "utilities", "Personal account",
             "10 digits", _digits(10), shows_debt=True),
    Provider("naftogaz", "Naftogaz Gas Supply", "utilities", "Personal account",
             "10 digits", _digits(10), shows_debt=True),
    Provider("vodokanal", "Kyivvodokanal Water", "utilities", "Personal account",
             "8 digits", _digits(8), shows_debt=True),
    Provider("teplo", "Kyivteplo Heating", "utilities", "Personal account",
             "12 digits with a check digit", _digits(12, luhn_check=True), shows_debt=True),
    Provider("volia_tv", "Volia TV", "tv", "Contract number", "8 digits", _digits(8),
             shows_debt=True),
    Provider("viasat", "Viasat", "tv", "Smart card number",
             "12 digits with a check digit", _digits(12, luhn_check=True)),
    Provider("triolan", "Triolan Internet", "internet", "Contract number", "7 digits",
             _digits(7), shows_debt=True),
    Provider("ukrtelecom", "Ukrtelecom Internet", "internet", "Personal account",
             "11 digits starting with 7", _digits(11, prefix="7"), shows_debt=True),
    Provider("kyiv_smart_card", "Kyiv Smart Card (metro, buses)", "transport", "Card number",
             "16 digits with a check digit", _digits(16, luhn_check=True),
             max_amount=Decimal("2000.00")),
    Provider("lviv_eticket", "Lviv e-Ticket", "transport", "Ticket number", "10 digits",
             _digits(10), max_amount=Decimal("2000.00")),
]}


def get_provider(provider_id: object) -> Provider:
    provider = PROVIDERS.get(provider_id) if isinstance(provider_id, str) else None
    if provider is None:
        raise BankError("not_found", "Unknown provider.", field="ProviderId")
    return provider


def list_providers(category: str | None = None) -> list[Provider]:
    if category and category not in CATEGORIES:
        raise BankError("invalid_request", f"Category must be one of {', '.join(CATEGORIES)}.",
                        422)
    return [p for p in PROVIDERS.values() if not category or p.category == category]


def debt_for(provider: Provider, account: str, today: date | None = None) -> tuple[Decimal, str]:
    """What the provider says is owed (deterministic per account and month in the sandbox)."""
    if not provider.shows_debt:
        raise BankError("not_found", f"{provider.name} does not report debts.")
    today = today or date.today()
    period = f"{today.year}-{today.month:02d}"
    digest = hashlib.sha256(f"{provider.id}:{account}:{period}".encode()).digest()
    cents = int.from_bytes(digest[:4], "big") % 250000  # 0.00 .. 2499.99
    if digest[4] % 5 == 0:
        cents = 0  # some accounts owe nothing
    return (Decimal(cents) / 100).quantize(Decimal("0.01")), period
