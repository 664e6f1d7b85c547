"""`action_cancel_login`: the customer stopped the login ("cancel", "no")."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.login_gate import PENDING_INTENT_SLOT, login_reset_events


class ActionCancelLogin(Action):
    """End the form and forget what it collected."""

    def name(self) -> str:
        return "action_cancel_login"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_login_cancelled")
        return [
            ActiveLoop(None),
            *login_reset_events(),
            SlotSet(PENDING_INTENT_SLOT, None),
        ]
