"""`action_transfer_completed`: the end of transfer_form."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.money import DEFAULT_CURRENCY, money_text
from actions.transfers.flow import TRANSFER_SLOTS
from actions.transfers.receipt import receipt_urls


class ActionTransferCompleted(Action):
    """On success the summary, the receipt and the new balance; always clears the transfer."""

    def name(self) -> str:
        return "action_transfer_completed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        result = tracker.get_slot("transfer_result") or {}
        if tracker.get_slot("transfer_status") == "completed" and result:
            currency = result.get("currency") or DEFAULT_CURRENCY
            card_masked = tracker.get_slot("transfer_card_masked") or result.get(
                "recipient_masked"
            )
            dispatcher.utter_message(
                response="utter_transfer_done",
                amount=money_text(result.get("amount") or "0", currency),
                fee=money_text(result.get("fee") or "0", currency),
                balance=money_text(result.get("balance_after") or "0", currency),
                card_masked=card_masked,
                receipt_no=result.get("receipt_no"),
            )
            image_url, pdf_url = receipt_urls(
                {**result, "recipient_masked": card_masked,
                 "recipient_name": tracker.get_slot("transfer_recipient")}
            )  # fmt: skip
            dispatcher.utter_message(response="utter_transfer_receipt_caption", image_url=image_url)
            dispatcher.utter_message(attachment={"url": pdf_url, "name": "receipt.pdf"})
        return [SlotSet(name, None) for name in TRANSFER_SLOTS]
