"""`action_bank_details`: the details for receiving money (IBAN grouped for reading)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from stdnum import iban as iban_format

from actions.common.login_gate import SensitiveAction
from bankclient import Bank, BankDetails, NotFound


def _pretty_iban(value: str) -> str:
    try:
        return iban_format.format(value)
    except Exception:  # noqa: BLE001 - show what the bank gave rather than nothing
        return value


def bank_details_text(details: BankDetails) -> str:
    lines = ["Your bank details for receiving money:"]
    if details.holder:
        lines.append(f"Recipient: {details.holder}")
    if details.iban:
        lines.append(f"IBAN: {_pretty_iban(str(details.iban))}")
    if details.bank_name:
        lines.append(f"Bank: {details.bank_name}")
    if details.bic:
        lines.append(f"BIC/SWIFT: {details.bic}")
    if details.currency:
        lines.append(f"Currency: {details.currency}")
    return "\n".join(lines)


class ActionBankDetails(SensitiveAction):
    intent = "bank_details"

    def name(self) -> str:
        return "action_bank_details"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        try:
            details = await bank.accounts.bank_details(who)
        except NotFound:
            dispatcher.utter_message(response="utter_no_accounts")
            return []
        dispatcher.utter_message(text=bank_details_text(details))
        return []
