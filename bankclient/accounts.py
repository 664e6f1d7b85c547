"""Accounts: balances, recent transactions and the bank details (IBAN etc.) of the customer."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ._model import Result
from .transport import Transport
from .transport.rest import API


@dataclass(frozen=True)
class Account(Result):
    account_id: str
    currency: str
    balance: Decimal
    available: Decimal  # balance + credit limit
    credit_limit: Decimal = Decimal("0.00")
    iban: str | None = None


@dataclass(frozen=True)
class Transaction(Result):
    id: str
    amount: Decimal  # negative for money out
    currency: str
    at: str | None = None  # ISO 8601
    description: str | None = None
    kind: str | None = None  # transfer | topup | bill_payment | …
    balance_after: Decimal | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class BankDetails(Result):
    iban: str
    holder: str
    currency: str
    bic: str | None = None
    bank_name: str | None = None
    bank_code: str | None = None
    account_id: str | None = None


class Accounts:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    async def balances(self, identity: str) -> tuple[Account, ...]:
        """Every account of the customer with its balance and available amount."""
        data = await self._t.rest.request("GET", f"{API}/me/accounts", identity=identity)
        return Account.many(data)

    async def history(self, identity: str, limit: int = 10) -> tuple[Transaction, ...]:
        """The latest `limit` (1..100) transactions, newest first."""
        data = await self._t.rest.request(
            "GET", f"{API}/me/transactions", params={"limit": int(limit)}, identity=identity
        )
        return Transaction.many(data)

    async def bank_details(self, identity: str) -> BankDetails:
        """The details of the primary UAH account (NotFound without one)."""
        data = await self._t.rest.request("GET", f"{API}/me/bank-details", identity=identity)
        return BankDetails.from_json(data)
