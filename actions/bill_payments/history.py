"""`action_bill_history`: "what did I pay for internet this year" — the bank's record of the
customer's bill payments, filtered by the provider or category and the period named."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.bill_payments import catalog
from actions.common.conversation import typed_text
from actions.common.login_gate import SensitiveAction
from actions.common.money import format_money
from actions.common.receipts import when
from bankclient import Bank

SHOWN = 10


def period_in(text: str, today: date | None = None) -> tuple[str | None, str]:
    """(ISO start date or None, the period in words)."""
    today = today or date.today()
    lowered = text.lower()
    if re.search(r"\bthis month\b", lowered):
        return today.replace(day=1).isoformat(), "this month"
    if re.search(r"\blast month\b", lowered):
        first = today.replace(day=1)
        prev = (first.replace(year=first.year - 1, month=12) if first.month == 1
                else first.replace(month=first.month - 1))
        return prev.isoformat(), "since the start of last month"
    if re.search(r"\b(this|the) year\b|\bso far\b|\bsince january\b", lowered):
        return today.replace(month=1, day=1).isoformat(), "this year"
    return None, "recently"


class ActionBillHistory(SensitiveAction):
    intent = "bill_history"

    def name(self) -> str:
        return "action_bill_history"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        text = typed_text(tracker)
        providers = await catalog.providers()
        provider = catalog.provider_in(providers, text)
        category = None if provider else catalog.category_in(text)
        since, period = period_in(text)
        payments = await bank.bills.history(
            who, provider_id=provider.provider_id if provider else None, category=category,
            since=since, limit=50,
        )
        what = provider.name if provider else (
            catalog.CATEGORY_TITLES[category] if category else "bills")
        if not payments:
            dispatcher.utter_message(response="utter_bill_history_empty", what=what,
                                     period=period)
            return []
        total = sum((p.amount + (p.fee or Decimal("0")) for p in payments), Decimal("0"))
        lines = "\n".join(
            f"- {when(p.at)[:11]}: {p.provider_name or p.provider_id} "
            f"{catalog.mask(p.account)}, {format_money(p.amount, p.currency)}"
            for p in payments[:SHOWN]
        )
        dispatcher.utter_message(response="utter_bill_history", what=what, period=period,
                                 count=len(payments), total=format_money(total), lines=lines)
        return []
