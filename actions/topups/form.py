"""`topup_form`: how much to top up (with the request, or asked)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.amount_form import AmountFormValidation

TOPUP_SLOTS = ("topup_amount", "topup_currency")


class ValidateTopupForm(AmountFormValidation):
    form = "topup_form"
    intent = "top_up_card"
    amount_slot = "topup_amount"
    currency_slot = "topup_currency"
    slots = TOPUP_SLOTS
    invalid_amount_response = "utter_topup_amount_invalid"
    cancelled_response = "utter_topup_cancelled"
    boundaries = frozenset(
        {"action_create_topup", "action_create_payment_request", "action_cancel_topup",
         "action_restart"}
    )  # fmt: skip

    def name(self) -> str:
        return "validate_topup_form"

    async def extract_topup_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self.extract_amount(dispatcher, tracker)

    async def validate_topup_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"topup_amount": value or None}
