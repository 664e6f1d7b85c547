"""Bill payments to service providers (mobile, utilities, TV, Internet, transport), served by
the bank's legacy SOAP system: the provider catalog (each provider describes its payment fields,
limits and fee), debts the providers report, quotes, keyed payments, the lookup of a payment by
its key (after a timeout), the payment history and saved payment templates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from stdnum import luhn

from ._model import Result
from .money import DEFAULT_CURRENCY, to_api
from .transport import Transport

PROVIDER_CATEGORIES = ("mobile", "utilities", "tv", "internet", "transport")
_SEPARATORS = re.compile(r"[\s\-().]")


@dataclass(frozen=True)
class ProviderField(Result):
    """One payment field as the provider describes it: validation is generated from this."""

    name: str  # account | meter
    label: str
    regex: str  # full match on the value without spaces, dashes, dots and brackets
    hint: str = ""
    example: str = ""
    check: str = ""  # "" | "luhn"
    required: bool = True

    def normalise(self, raw: str) -> str | None:
        """The value as the provider wants it, or None when it breaks the provider's rules."""
        value = _SEPARATORS.sub("", raw or "").upper()
        try:
            if not re.fullmatch(self.regex, value):
                return None
        except re.error:
            return value  # a pattern we can't read: the bank checks it
        if self.check == "luhn" and not luhn.is_valid(value):
            return None
        return value


@dataclass(frozen=True)
class Alias(Result):
    name: str


@dataclass(frozen=True)
class Provider(Result):
    provider_id: str
    name: str
    category: str  # see PROVIDER_CATEGORIES
    account_label: str | None = None  # "Phone number", "Personal account", …
    account_pattern: str | None = None  # the account's format in words
    fields: tuple[ProviderField, ...] = ()
    aliases: tuple[Alias, ...] = ()
    shows_debt: bool = False
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    fee_fixed: Decimal | None = None
    fee_percent: Decimal | None = None

    def field(self, name: str) -> ProviderField | None:
        return next((f for f in self.fields if f.name == name), None)

    def fee(self, amount: Decimal) -> Decimal:
        fee = (self.fee_fixed or Decimal("0")) + amount * (self.fee_percent or Decimal("0")) / 100
        return fee.quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.provider_id.replace("_", " "), *(a.name for a in self.aliases))


@dataclass(frozen=True)
class Debt(Result):
    provider_id: str
    account: str  # normalised by the provider
    amount: Decimal
    currency: str
    period: str | None = None


@dataclass(frozen=True)
class OwnPhone(Result):
    provider_id: str
    account: str  # +380XXXXXXXXX
    name: str | None = None


@dataclass(frozen=True)
class BillQuote(Result):
    provider_id: str
    account: str
    amount: Decimal
    currency: str
    fee: Decimal
    total: Decimal
    requires_step_up: bool = False
    provider_name: str | None = None


@dataclass(frozen=True)
class BillPayment(Result):
    payment_id: str
    status: str  # completed
    amount: Decimal
    currency: str
    provider_id: str | None = None
    provider_name: str | None = None
    account: str | None = None
    fee: Decimal | None = None
    total: Decimal | None = None
    balance_after: Decimal | None = None
    receipt_no: str | None = None
    at: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class BillTemplate(Result):
    template_id: str
    name: str
    provider_id: str
    account: str
    amount: Decimal | None = None


class Bills:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    async def providers(self, category: str | None = None) -> tuple[Provider, ...]:
        """The provider catalog, or one category of it."""
        data = await self._t.soap.call("ListProviders", {"Category": category})
        return Provider.many(data["providers"])

    async def own_phone(self, identity: str) -> OwnPhone:
        """The logged-in customer's own number and its operator (inferred by the bank from the
        prefix); NotFound when no operator in the catalog serves it."""
        data = await self._t.soap.call("GetOwnPhone", {"Identity": identity})
        return OwnPhone.from_json(data)

    async def debt(self, provider_id: str, account: str) -> Debt:
        """What the account owes. NotFound when the provider does not report debts or has no
        such account; InvalidRequest for an account the provider's rules refuse."""
        data = await self._t.soap.call("GetDebt", {"ProviderId": provider_id, "Account": account})
        return Debt.from_json(data)

    async def quote(
        self,
        provider_id: str | None,
        account: str | None,
        amount: Decimal,
        meter: str | None = None,
        *,
        own_phone_of: str | None = None,
        identity: str | None = None,
        card_id: str | None = None,
    ) -> BillQuote:
        """Fee, total and whether a step-up code is needed; the provider checks the account
        (NotFound: no such account) and the amount (InvalidAmount: outside its limits).
        `own_phone_of=identity`: the account is that customer's own phone number (the bank
        knows it; the operator is inferred from its prefix when `provider_id` is None).
        With the customer's `identity` (implied by `own_phone_of`) the bank also checks that
        the account paying (`card_id`'s, or the primary one) holds the total with the fee:
        InsufficientFunds before any confirmation or step-up code (PayBill checks again)."""
        data = await self._t.soap.call(
            "QuoteBill",
            {
                "Identity": own_phone_of or identity,
                "CardId": card_id,
                "OwnPhone": True if own_phone_of else None,
                "ProviderId": provider_id,
                "Account": account,
                "Meter": meter,
                "Amount": {"Value": to_api(amount), "Currency": DEFAULT_CURRENCY},
            },
        )
        return BillQuote.from_json(data)

    async def pay(
        self,
        identity: str,
        provider_id: str,
        account: str,
        amount: Decimal,
        currency: str = DEFAULT_CURRENCY,
        card_id: str | None = None,
        meter: str | None = None,
        step_up_token: str | None = None,
        *,
        idempotency_key: str,
    ) -> BillPayment:
        """Pay a provider from the customer's card (`card_id`, or the primary account). Keyed:
        a repeated key pays once and gives the first payment back. Above the step-up threshold
        the bank wants a step-up token whose challenge's reference is `idempotency_key`."""
        params: dict[str, Any] = {
            "Identity": identity,
            "IdempotencyKey": idempotency_key,
            "ProviderId": provider_id,
            "Account": account,
            "Meter": meter,
            "Amount": {"Value": to_api(amount), "Currency": currency},
            "CardId": card_id,
            "StepUpToken": step_up_token,
        }
        data = await self._t.soap.call("PayBill", params)
        return BillPayment.from_json(data)

    async def payment_by_key(self, identity: str, idempotency_key: str) -> BillPayment:
        """The payment made with `idempotency_key`; NotFound when none was made."""
        data = await self._t.soap.call(
            "FindBillPayment", {"Identity": identity, "IdempotencyKey": idempotency_key}
        )
        return BillPayment.from_json(data)

    async def history(
        self,
        identity: str,
        provider_id: str | None = None,
        category: str | None = None,
        since: str | None = None,
        limit: int = 50,
    ) -> tuple[BillPayment, ...]:
        """The customer's bill payments, newest first (`since`: an ISO date)."""
        data = await self._t.soap.call(
            "ListBillPayments",
            {"Identity": identity, "ProviderId": provider_id, "Category": category,
             "Since": since, "Limit": limit},
        )
        return BillPayment.many(data["payments"])

    async def save_template(
        self,
        identity: str,
        name: str,
        provider_id: str,
        account: str,
        amount: Decimal | None = None,
    ) -> BillTemplate:
        data = await self._t.soap.call(
            "SaveBillTemplate",
            {"Identity": identity, "Name": name, "ProviderId": provider_id, "Account": account,
             "Amount": to_api(amount) if amount is not None else None},
        )
        return BillTemplate.from_json(data)

    async def templates(self, identity: str) -> tuple[BillTemplate, ...]:
        data = await self._t.soap.call("ListBillTemplates", {"Identity": identity})
        return BillTemplate.many(data["templates"])

    async def delete_template(self, identity: str, template_id: str) -> None:
        await self._t.soap.call(
            "DeleteBillTemplate", {"Identity": identity, "TemplateId": template_id}
        )
