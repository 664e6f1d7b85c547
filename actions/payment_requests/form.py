"""`payment_request_form`: how much to ask for (with the request, or asked), and the note."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.common.amount_form import AmountFlow
from actions.common.conversation import typed_text
from actions.payment_requests.note import note_from


class ValidatePaymentRequestForm(AmountFlow):
    form = "payment_request_form"
    intent = "request_money"
    amount_slot = "request_amount"
    currency_slot = "request_currency"
    slots = ("request_amount", "request_currency", "request_note")
    invalid_amount_response = "utter_topup_amount_invalid"  # the domain's one wording for both
    stopped_response = "utter_payment_request_cancelled"
    stop_action = "action_cancel_topup"  # the one "no" rule of the amount-only flows
    boundaries = frozenset({"action_create_topup", "action_create_payment_request",
                            "action_cancel_topup", "action_restart"})

    def on_start(self, tracker: Tracker) -> dict[str, Any]:
        note = note_from(typed_text(self.source(tracker)))
        return {"request_note": note} if note else {}
