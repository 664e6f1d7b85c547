"""Transfers by card number: a quote (route, fee, limits, the recipient's masked name, whether a
step-up code is needed), then the transfer itself."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote as url_quote

from ._model import Result
from .errors import NotFound
from .money import DEFAULT_CURRENCY, to_api
from .transport import Transport
from .transport.rest import API


@dataclass(frozen=True)
class TransferLimits(Result):
    per_transfer: Decimal | None = None
    daily_remaining: Decimal | None = None


@dataclass(frozen=True)
class TransferQuote(Result):
    quote_id: str
    amount: Decimal
    fee: Decimal
    total: Decimal
    currency: str
    route: str  # own (this bank, instant) | network (other bank, fee)
    requires_step_up: bool = False
    step_up_reason: str | None = None  # amount | daily_total | new_recipient
    recipient_masked: str | None = None  # "•••• 1234"
    recipient_masked_name: str | None = None  # "Taras S." (own-bank cards only)
    recipient_bank: str | None = None
    expires_at: str | None = None
    expires_in: int | None = None
    limits: TransferLimits | None = None

    @property
    def own_bank(self) -> bool:
        return self.route == "own"


@dataclass(frozen=True)
class Transfer(Result):
    transfer_id: str
    status: str  # completed
    amount: Decimal
    currency: str
    fee: Decimal = Decimal("0.00")
    total: Decimal | None = None
    route: str | None = None
    recipient_masked: str | None = None
    balance_after: Decimal | None = None
    receipt_no: str | None = None
    journal_id: str | None = None
    at: str | None = None


class Transfers:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    async def quote(
        self,
        identity: str,
        to_card_token: str,
        amount: Decimal,
        currency: str = DEFAULT_CURRENCY,
    ) -> TransferQuote:
        """Price a transfer to a card token (moves nothing). OwnCard, CardBlocked, NotFound,
        InvalidAmount, LimitExceeded or InsufficientFunds when it cannot go through."""
        data = await self._t.rest.request(
            "POST",
            f"{API}/me/transfers/quote",
            json={"to_card_token": to_card_token, "amount": to_api(amount), "currency": currency},
            identity=identity,
        )
        return TransferQuote.from_json(data)

    async def execute(
        self,
        identity: str,
        quote_id: str,
        *,
        idempotency_key: str,
        step_up_token: str | None = None,
    ) -> Transfer:
        """Move the money of a quote. OtpRequired above the step-up threshold without a
        `step_up_token`. Keyed: a repeated key gives the first transfer back, never a second."""
        body: dict[str, Any] = {"quote_id": quote_id}
        if step_up_token is not None:
            body["step_up_token"] = step_up_token
        data = await self._t.rest.request(
            "POST",
            f"{API}/me/transfers",
            json=body,
            identity=identity,
            idempotency_key=idempotency_key,
        )
        return Transfer.from_json(data)

    async def find_by_key(self, identity: str, idempotency_key: str) -> Transfer | None:
        """The transfer the bank committed with this key, or None if it made none (a read:
        safe after a lost answer, unlike repeating `execute`)."""
        try:
            data = await self._t.rest.request(
                "GET", f"{API}/me/transfers/by-key/{url_quote(idempotency_key, safe='')}",
                identity=identity,
            )
        except NotFound:
            return None
        return Transfer.from_json(data)
