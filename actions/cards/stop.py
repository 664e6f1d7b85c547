"""`action_card_stop`: "stop" / "no" in the middle of a card form: end it, keep nothing, open
nothing."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards.slots import end_of_flow


class ActionCardStop(Action):
    def name(self) -> str:
        return "action_card_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_card_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *end_of_flow()]
