"""Bill-payment provider catalog (sandbox stand-ins).

Each provider *describes* its payment fields in data (`Field`: a regular expression on the value
with spaces, dashes, dots and brackets removed, an optional check digit, a hint and an example),
its amount limits and its fee. The same description is published by ListProviders, so the
assistant validates what a customer types with the provider's own rules without a line of code per
provider; the bank checks it again here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from stdnum import luhn

from corebank.core.errors import BankError

CATEGORIES = ("mobile", "utilities", "tv", "internet", "transport")
_SEPARATORS = re.compile(r"[\s\-().]")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Field:
    """One payment field a provider asks for."""

    name: str  # account | meter
    label: str  # "Phone number", "Personal account", ...
    regex: str  # full match on the value without separators
    hint: str  # the format in words, shown to customers
    example: str
    check: str = ""  # "" | "luhn"
    required: bool = True

    def normalise(self, raw: object) -> str:
        value = _SEPARATORS.sub("", str(raw or "")).upper()
        if not re.fullmatch(self.regex, value):
            raise ValueError
        if self.check == "luhn" and not luhn.is_valid(value):
            raise ValueError
        return value


def _phone(codes: tuple[str, ...]) -> Field:
    return Field("account", "Phone number", rf"(?:\+?380|0)(?:{'|'.join(codes)})\d{{7}}",
                 "a number starting with " + "/".join(f"0{c}" for c in codes),
                 f"0{codes[0]}1234567")


def _digits(n: int, label: str = "Personal account", check: str = "", prefix: str = "",
            example: str | None = None) -> Field:
    hint = f"{n} digits" + (f" starting with {prefix}" if prefix else "") + (
        " with a check digit" if check else "")
    return Field("account", label, rf"{prefix}\d{{{n - len(prefix)}}}", hint,
                 example or (prefix + "1234567890123456")[:n], check)


METER = Field("meter", "Meter reading", r"\d{1,6}", "up to 6 digits", "04512", required=False)


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    category: str
    fields: tuple[Field, ...]
    aliases: tuple[str, ...] = ()  # other names customers use (search, fuzzy matching)
    shows_debt: bool = False
    min_amount: Decimal = Decimal("1.00")
    max_amount: Decimal = Decimal("50000.00")
    fee_fixed: Decimal = Decimal("0.00")
    fee_percent: Decimal = Decimal("0.00")
    extra: dict = field(default_factory=dict)

    @property
    def account(self) -> Field:
        return self.fields[0]

    def check_account(self, raw: object) -> str:
        label = self.account.label
        if not isinstance(raw, str) or not raw.strip():
            raise BankError("invalid_request", f"{label} is required.", 422, field="Account")
        try:
            value = self.account.normalise(raw)
        except ValueError as exc:
            raise BankError("invalid_request",
                            f"{label} for {self.name} must be {self.account.hint}.",
                            422, field="Account") from exc
        if self.category == "mobile":
            value = "+380" + value[-9:]
        if value.endswith("0000"):  # the sandbox's stand-in for "no such subscriber"
            raise BankError("not_found", f"{self.name} has no {label.lower()} {value}.",
                            field="Account", reason="unknown_account")
        return value

    def check_meter(self, raw: object) -> str | None:
        meter = next((f for f in self.fields if f.name == "meter"), None)
        if raw in (None, ""):
            return None
        if meter is None:
            raise BankError("invalid_request", f"{self.name} takes no meter reading.", 422,
                            field="Meter")
        try:
            return meter.normalise(raw)
        except ValueError as exc:
            raise BankError("invalid_request", f"The meter reading must be {meter.hint}.", 422,
                            field="Meter") from exc

    def check_amount(self, amount: Decimal) -> None:
        if not self.min_amount <= amount <= self.max_amount:
            raise BankError("invalid_amount",
                            f"{self.name} accepts {self.min_amount}–{self.max_amount} UAH.",
                            min_amount=str(self.min_amount), max_amount=str(self.max_amount))

    def fee(self, amount: Decimal) -> Decimal:
        return (self.fee_fixed + amount * self.fee_percent / 100).quantize(CENT, ROUND_HALF_UP)

    def fee_rule(self) -> str:
        parts = []
        if self.fee_percent:
            parts.append(f"{self.fee_percent.normalize()}%")
        if self.fee_fixed:
            parts.append(f"{self.fee_fixed} UAH")
        return " + ".join(parts) or "no fee"


_K = "67", "68", "96", "97", "98"
_V = "50", "66", "95", "99"
_L = "63", "73", "93"

PROVIDERS: dict[str, Provider] = {p.id: p for p in [
    # --- mobile: the operator is also known from the number's prefix
    Provider("kyivstar", "Kyivstar", "mobile", (_phone(_K),), ("kievstar", "kyiv star", "ks"),
             max_amount=Decimal("5000.00")),
    Provider("vodafone", "Vodafone Ukraine", "mobile", (_phone(_V),), ("vodafon", "mts"),
             max_amount=Decimal("5000.00")),
    Provider("lifecell", "lifecell", "mobile", (_phone(_L),), ("life", "lifesell", "life:)"),
             max_amount=Decimal("5000.00")),
    # --- utilities
    Provider("yasno", "YASNO Electricity", "utilities",
             (_digits(10, example="2500123456"),),
             ("electricity", "light", "power", "yasna", "dtek", "kyiv electricity"),
             shows_debt=True),
    Provider("naftogaz", "Naftogaz Gas Supply", "utilities",
             (_digits(10, example="4100456789"),), ("gas", "naftohaz", "neftegaz", "gaz"),
             shows_debt=True, min_amount=Decimal("10.00")),
    Provider("vodokanal", "Kyivvodokanal Water", "utilities",
             (_digits(8, example="31245678"), METER), ("water", "vodokanal", "vodocanal"),
             shows_debt=True),
    Provider("teplo", "Kyivteplo Heating", "utilities",
             (_digits(12, check="luhn", example="123456789015"),),
             ("heating", "kyivteplo", "kievteplo", "teplo"), shows_debt=True),
    # --- TV
    Provider("volia_tv", "Volia TV", "tv", (_digits(8, "Contract number", example="10234567"),),
             ("volia", "volya", "cable tv"), shows_debt=True),
    Provider("viasat", "Viasat", "tv",
             (_digits(12, "Smart card number", check="luhn", example="123456789015"),),
             ("viasat tv", "viasad", "satellite"), fee_fixed=Decimal("5.00")),
    Provider("megogo", "MEGOGO", "tv", (_digits(9, "Account ID", example="512345678"),),
             ("megogo tv", "mehoho", "megogo subscription"), min_amount=Decimal("49.00"),
             fee_percent=Decimal("1.0")),
    # --- Internet
    Provider("triolan", "Triolan Internet", "internet",
             (_digits(7, "Contract number", example="4567890"),), ("triolan", "triola"),
             shows_debt=True),
    Provider("ukrtelecom", "Ukrtelecom Internet", "internet",
             (_digits(11, prefix="7", example="71234567890"),), ("ukrtelekom", "utel"),
             shows_debt=True),
    Provider("datagroup", "Datagroup Internet", "internet",
             (Field("account", "Contract number", r"DG\d{7}", "DG and 7 digits", "DG1234567"),),
             ("datagrup", "data group", "dg"), fee_percent=Decimal("1.5"),
             min_amount=Decimal("50.00")),
    # --- transport
    Provider("kyiv_smart_card", "Kyiv Smart Card (metro, buses)", "transport",
             (_digits(12, "Card number", check="luhn", example="123456789015"),),
             ("metro", "kyiv metro", "metro pass", "kyiv smart card", "travel card"),
             min_amount=Decimal("8.00"), max_amount=Decimal("2000.00")),
    Provider("lviv_eticket", "Lviv e-Ticket", "transport",
             (_digits(10, "Ticket number", example="3801234567"),),
             ("lviv ticket", "lviv transport", "eticket", "e-ticket"),
             max_amount=Decimal("2000.00")),
    Provider("kharkiv_metro", "Kharkiv Metro Card", "transport",
             (_digits(9, "Card number", example="600123456"),), ("kharkiv metro", "kharkiv"),
             min_amount=Decimal("8.00"), max_amount=Decimal("1000.00"), fee_fixed=Decimal("1.00")),
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
    return (Decimal(cents) / 100).quantize(CENT), period
