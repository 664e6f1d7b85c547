"""`action_card_stop`: "stop" / "no" in the middle of a card form: end it, keep nothing, open
nothing."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from actions.cards.slots import end_of_flow
from actions.common.flow import FlowStop


class ActionCardStop(FlowStop):
    default_response = "utter_card_stopped"

    def name(self) -> str:
        return "action_card_stop"

    def end_events(self, tracker: Tracker) -> list[EventType]:
        return end_of_flow()
