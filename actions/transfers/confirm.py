"""`action_ask_transfer_form_transfer_confirmed`: the quote, with Send / Change the amount /
Cancel."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.money import DEFAULT_CURRENCY, money_text


class ActionAskTransferConfirmed(Action):
    """Shows the recipient, fee and total of the quote the form got from the bank."""

    def name(self) -> str:
        return "action_ask_transfer_form_transfer_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        quote = tracker.get_slot("transfer_quote") or {}
        currency = quote.get("currency") or DEFAULT_CURRENCY
        params = {
            "amount": money_text(quote.get("amount") or "0", currency),
            "fee": money_text(quote.get("fee") or "0", currency),
            "total": money_text(quote.get("total") or "0", currency),
            "card_masked": tracker.get_slot("transfer_card_masked") or "the card",
            "recipient": tracker.get_slot("transfer_recipient") or "recipient",
        }
        response = "utter_transfer_quote_own" if quote.get("route") == "own" else (
            "utter_transfer_quote_network"
        )
        dispatcher.utter_message(response=response, **params)
        return []
