"""`action_card_manage_stop`: "no" / "stop" in card_manage_form: the form ends, nothing changed."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.card_management import common as cm


class ActionCardManageStop(Action):
    def name(self) -> str:
        return "action_card_manage_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_card_manage_stopped")
        return [*cm.clear(), cm.flow("none"), ActiveLoop(None), SlotSet("requested_slot", None)]
