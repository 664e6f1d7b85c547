"""Payments: card top-ups through the bank's hosted payment page, payment requests (a link a
friend pays). Bill payments are `bankclient.bills`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ._model import Result
from .money import DEFAULT_CURRENCY, to_api
from .transport import Transport
from .transport.rest import API, seg


@dataclass(frozen=True)
class Topup(Result):
    """A top-up waiting on the hosted payment page (the card is typed there, never in the chat);
    the bank reports the outcome by webhook."""

    topup_id: str
    payment_url: str
    amount: Decimal
    currency: str
    status: str = "pending"  # pending | completed | failed | expired
    expires_in: int | None = None
    expires_at: str | None = None
    failure_reason: str | None = None
    completed_at: str | None = None


@dataclass(frozen=True)
class PaymentRequest(Result):
    """A link for a friend to pay the customer."""

    request_id: str
    url: str
    amount: Decimal
    currency: str
    status: str = "open"  # open | paid | expired
    note: str | None = None
    expires_in: int | None = None
    expires_at: str | None = None
    paid_at: str | None = None


class Payments:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    # ------------------------------------------------------------------ top-ups

    async def create_topup(
        self,
        identity: str,
        amount: Decimal,
        currency: str = DEFAULT_CURRENCY,
        *,
        idempotency_key: str,
        card_id: str | None = None,
    ) -> Topup:
        """A hosted payment page for `amount` onto the customer's card (`card_id`, or the
        primary account's). Keyed: a repeated key gives the same page back."""
        body: dict[str, Any] = {"amount": to_api(amount), "currency": currency}
        if card_id is not None:
            body["card_id"] = card_id
        data = await self._t.rest.request(
            "POST",
            f"{API}/me/topups",
            json=body,
            identity=identity,
            idempotency_key=idempotency_key,
        )
        return Topup.from_json(data)

    async def topup(self, identity: str, topup_id: str) -> Topup:
        """A top-up's current state (NotFound for another customer's)."""
        data = await self._t.rest.request(
            "GET", f"{API}/me/topups/{seg(topup_id)}", identity=identity
        )
        return Topup.from_json(data)

    # ------------------------------------------------------------------ payment requests

    async def create_payment_request(
        self,
        identity: str,
        amount: Decimal,
        currency: str = DEFAULT_CURRENCY,
        note: str | None = None,
        *,
        idempotency_key: str,
    ) -> PaymentRequest:
        """A link a friend opens to pay `amount` to the customer. Keyed: a repeated key gives
        the same link back."""
        body: dict[str, Any] = {"amount": to_api(amount), "currency": currency}
        if note:
            body["note"] = note
        data = await self._t.rest.request(
            "POST",
            f"{API}/me/payment-requests",
            json=body,
            identity=identity,
            idempotency_key=idempotency_key,
        )
        return PaymentRequest.from_json(data)

    async def payment_request(self, identity: str, request_id: str) -> PaymentRequest:
        data = await self._t.rest.request(
            "GET", f"{API}/me/payment-requests/{seg(request_id)}", identity=identity
        )
        return PaymentRequest.from_json(data)
