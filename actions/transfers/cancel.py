"""`action_cancel_transfer`: "no"/"cancel" during the transfer form; nothing is sent."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.transfers.flow import TRANSFER_SLOTS


class ActionCancelTransfer(Action):
    def name(self) -> str:
        return "action_cancel_transfer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_transfer_cancelled")
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *[SlotSet(name, None) for name in TRANSFER_SLOTS],
        ]
