"""`action_cancel_topup`: "no"/"cancel" while an amount-only form (the top-up's, or the payment
request's, which shares this rule) asks for the amount."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.amount_form import AMOUNT_FORMS, amount_form_slots
from actions.topups.form import ValidateTopupForm


class ActionCancelTopup(Action):
    """Says goodbye in the words of the form being cancelled and clears every amount-only form."""

    def name(self) -> str:
        return "action_cancel_topup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = AMOUNT_FORMS.get(tracker.active_loop_name or "", ValidateTopupForm)
        dispatcher.utter_message(response=form.cancelled_response)
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *[SlotSet(name, None) for name in amount_form_slots()],
        ]
