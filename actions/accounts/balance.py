"""`action_check_balance`: what can be spent on every account."""

from __future__ import annotations

from collections.abc import Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.login_gate import SensitiveAction
from actions.common.money import DEFAULT_CURRENCY, money_text
from bankclient import Account, Bank


def balance_text(accounts: Sequence[Account]) -> str:
    """One line per account: what can be spent, and the balance/credit limit when they differ."""
    lines = ["Here's your balance:" if len(accounts) == 1 else "Here are your balances:"]
    for account in accounts:
        currency = account.currency or DEFAULT_CURRENCY
        balance, available, credit = account.balance, account.available, account.credit_limit
        line = f"• {currency} account: {money_text(available, currency)} available"
        details = []
        if available != balance:
            details.append(f"own money {money_text(balance, currency)}")
        if credit > 0:
            details.append(f"credit limit {money_text(credit, currency)}")
        if details:
            line += f" ({', '.join(details)})"
        lines.append(line)
    return "\n".join(lines)


class ActionCheckBalance(SensitiveAction):
    intent = "check_balance"

    def name(self) -> str:
        return "action_check_balance"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        accounts = await bank.accounts.balances(who)
        if not accounts:
            dispatcher.utter_message(response="utter_no_accounts")
        else:
            dispatcher.utter_message(text=balance_text(accounts))
        return []
