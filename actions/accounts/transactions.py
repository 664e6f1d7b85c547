"""`action_transaction_history`: the latest transactions as a plain-text table, filtered by what
the customer asked for ("what did I spend last week", "payments to Burger King", "incoming
transfers in October": actions/accounts/history_filter.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.accounts.history_filter import HistoryFilter, apply, parse_filter
from actions.common.conversation import request_message, typed_text
from actions.common.login_gate import SensitiveAction
from actions.common.money import DEFAULT_CURRENCY, money_text
from bankclient import Bank, Transaction

TRANSACTIONS_SHOWN = 8
FILTER_WINDOW = 100  # transactions looked through for a filtered question (the API maximum)
DESCRIPTION_WIDTH = 22


def _short_date(value: Any) -> str:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).strftime("%d %b")
    except ValueError:
        return str(value)[:10]


def _signed_money(amount: Decimal, currency: str) -> str:
    text = money_text(abs(amount), currency)
    return f"-{text}" if amount < 0 else f"+{text}"


def transactions_text(
    transactions: Sequence[Transaction], wanted: HistoryFilter | None = None
) -> str:
    """A plain-text table (date, description, signed amount) that reads well in any messenger."""
    shown = transactions[:TRANSACTIONS_SHOWN]
    rows = []
    for tx in shown:
        currency = tx.currency or DEFAULT_CURRENCY
        description = " ".join((tx.description or "").split()) or "Transaction"
        if len(description) > DESCRIPTION_WIDTH:
            description = description[: DESCRIPTION_WIDTH - 1] + "…"
        amount = _signed_money(tx.amount, currency)
        rows.append((_short_date(tx.at), description, amount))
    amount_width = max(len(r[2]) for r in rows)
    title = "Your last transaction:" if len(rows) == 1 else f"Your last {len(rows)} transactions:"
    if wanted is not None and wanted.any:
        title = f"{wanted.describe()}: {len(transactions)} found"
        if len(transactions) > len(rows):
            title += f", the latest {len(rows)} shown"
        total = sum((tx.amount for tx in transactions), Decimal("0"))
        if len({tx.currency or DEFAULT_CURRENCY for tx in transactions}) == 1:
            currency = transactions[0].currency or DEFAULT_CURRENCY
            title += f" (total {_signed_money(total, currency)})"
        title += ":"
    lines = [title]
    lines += [f"{d}  {desc:<{DESCRIPTION_WIDTH}}  {amt:>{amount_width}}" for d, desc, amt in rows]
    last = shown[0]
    currencies = {tx.currency or DEFAULT_CURRENCY for tx in shown}
    # One currency only: with several accounts a single "balance now" would mislead.
    if last.balance_after is not None and len(currencies) == 1 and not (wanted and wanted.any):
        currency = currencies.pop()
        lines.append(f"Balance now: {money_text(last.balance_after, currency)}")
    return "\n".join(lines)


class ActionTransactionHistory(SensitiveAction):
    intent = "transaction_history"

    def name(self) -> str:
        return "action_transaction_history"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        asked = typed_text(request_message(tracker, self.intent))
        wanted = parse_filter(asked)
        if not wanted.any:
            transactions = await bank.accounts.history(who, limit=TRANSACTIONS_SHOWN)
            if not transactions:
                dispatcher.utter_message(response="utter_no_transactions")
            else:
                dispatcher.utter_message(text=transactions_text(transactions))
            return []
        found = apply(await bank.accounts.history(who, limit=FILTER_WINDOW), wanted)
        if not found:
            dispatcher.utter_message(
                text=f"{wanted.describe()}: nothing found among your latest transactions.")
        else:
            dispatcher.utter_message(text=transactions_text(found, wanted))
        return []
