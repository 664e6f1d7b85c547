"""First account actions: balance, recent transactions, bank details (all behind the login gate)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from stdnum import iban as iban_format

from actions.bank.errors import NotFound
from actions.bank.money import format_money, from_api
from actions.session import SensitiveAction

TRANSACTIONS_SHOWN = 8
DESCRIPTION_WIDTH = 22


def _money(value: Any) -> Decimal:
    return from_api(value if value is not None else "0")


def balance_text(accounts: list[dict[str, Any]]) -> str:
    """One line per account: what can be spent, and the balance/credit limit when they differ."""
    lines = ["Here's your balance:" if len(accounts) == 1 else "Here are your balances:"]
    for account in accounts:
        currency = str(account.get("currency") or "UAH")
        balance = _money(account.get("balance"))
        available = _money(account.get("available", account.get("balance")))
        credit = _money(account.get("credit_limit"))
        line = f"• {currency} account: {format_money(available, currency)} available"
        details = []
        if available != balance:
            details.append(f"own money {format_money(balance, currency)}")
        if credit > 0:
            details.append(f"credit limit {format_money(credit, currency)}")
        if details:
            line += f" ({', '.join(details)})"
        lines.append(line)
    return "\n".join(lines)


def _short_date(value: Any) -> str:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).strftime("%d %b")
    except ValueError:
        return str(value)[:10]


def _signed_money(amount: Decimal, currency: str) -> str:
    text = format_money(abs(amount), currency)
    return f"-{text}" if amount < 0 else f"+{text}"


def transactions_text(transactions: list[dict[str, Any]]) -> str:
    """A plain-text table (date, description, signed amount) that reads well in any messenger."""
    shown = transactions[:TRANSACTIONS_SHOWN]
    rows = []
    for tx in shown:
        currency = str(tx.get("currency") or "UAH")
        description = " ".join(str(tx.get("description") or "").split()) or "Transaction"
        if len(description) > DESCRIPTION_WIDTH:
            description = description[: DESCRIPTION_WIDTH - 1] + "…"
        amount = _signed_money(_money(tx.get("amount")), currency)
        rows.append((_short_date(tx.get("at")), description, amount))
    amount_width = max(len(r[2]) for r in rows)
    title = "Your last transaction:" if len(rows) == 1 else f"Your last {len(rows)} transactions:"
    lines = [title]
    lines += [f"{d}  {desc:<{DESCRIPTION_WIDTH}}  {amt:>{amount_width}}" for d, desc, amt in rows]
    last = shown[0]
    currencies = {str(tx.get("currency") or "UAH") for tx in shown}
    # One currency only: with several accounts a single "balance now" would mislead.
    if last.get("balance_after") is not None and len(currencies) == 1:
        currency = currencies.pop()
        lines.append(f"Balance now: {format_money(_money(last['balance_after']), currency)}")
    return "\n".join(lines)


def _pretty_iban(value: str) -> str:
    try:
        return iban_format.format(value)
    except Exception:  # noqa: BLE001 - show what the bank gave rather than nothing
        return value


def bank_details_text(details: dict[str, Any]) -> str:
    lines = ["Your bank details for receiving money:"]
    if details.get("holder"):
        lines.append(f"Recipient: {details['holder']}")
    if details.get("iban"):
        lines.append(f"IBAN: {_pretty_iban(str(details['iban']))}")
    if details.get("bank_name"):
        lines.append(f"Bank: {details['bank_name']}")
    if details.get("bic"):
        lines.append(f"BIC/SWIFT: {details['bic']}")
    if details.get("currency"):
        lines.append(f"Currency: {details['currency']}")
    return "\n".join(lines)


class ActionCheckBalance(SensitiveAction):
    intent = "check_balance"

    def name(self) -> str:
        return "action_check_balance"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, bank, who
    ) -> list[EventType]:
        accounts = await bank.rest.accounts(who)
        if not accounts:
            dispatcher.utter_message(response="utter_no_accounts")
        else:
            dispatcher.utter_message(text=balance_text(accounts))
        return []


class ActionTransactionHistory(SensitiveAction):
    intent = "transaction_history"

    def name(self) -> str:
        return "action_transaction_history"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, bank, who
    ) -> list[EventType]:
        transactions = await bank.rest.transactions(who, limit=TRANSACTIONS_SHOWN)
        if not transactions:
            dispatcher.utter_message(response="utter_no_transactions")
        else:
            dispatcher.utter_message(text=transactions_text(transactions))
        return []


class ActionBankDetails(SensitiveAction):
    intent = "bank_details"

    def name(self) -> str:
        return "action_bank_details"

    async def perform(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, bank, who
    ) -> list[EventType]:
        try:
            details = await bank.rest.bank_details(who)
        except NotFound:
            dispatcher.utter_message(response="utter_no_accounts")
            return []
        dispatcher.utter_message(text=bank_details_text(details))
        return []
