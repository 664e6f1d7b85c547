"""`payment_request_form`: how much to ask for (with the request, or asked), and the note."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.amount_form import AmountFormValidation
from actions.common.conversation import typed_text
from actions.payment_requests.note import note_from

REQUEST_SLOTS = ("request_amount", "request_currency", "request_note")


class ValidatePaymentRequestForm(AmountFormValidation):
    form = "payment_request_form"
    intent = "request_money"
    amount_slot = "request_amount"
    currency_slot = "request_currency"
    slots = REQUEST_SLOTS
    invalid_amount_response = "utter_topup_amount_invalid"  # the domain's one wording for both
    cancelled_response = "utter_payment_request_cancelled"
    boundaries = frozenset(
        {"action_create_topup", "action_create_payment_request", "action_cancel_topup",
         "action_restart"}
    )  # fmt: skip

    def name(self) -> str:
        return "validate_payment_request_form"

    def activation_events(self, tracker: Tracker) -> list[EventType]:
        note = note_from(typed_text(self.source(tracker)))
        return [SlotSet("request_note", note)] if note else []

    async def extract_request_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self.extract_amount(dispatcher, tracker)

    async def validate_request_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"request_amount": value or None}
