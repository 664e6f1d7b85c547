"""`action_card_manage_stop`: "no" in card_manage_form or to the new-card offer: nothing changes."""

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
        offered = tracker.get_slot("card_mgmt_flow") == "reissue_offer"
        if tracker.active_loop_name is None and offered:
            dispatcher.utter_message(response="utter_card_reissue_declined")
        else:
            dispatcher.utter_message(response="utter_card_manage_stopped")
        return [*cm.clear(), cm.flow("none"), ActiveLoop(None), SlotSet("requested_slot", None)]
