"""`action_card_manage_stop`: "no" / "stop" in card_manage_form: the form ends, nothing changed."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from actions.card_management import common as cm
from actions.common.flow import FlowStop


class ActionCardManageStop(FlowStop):
    default_response = "utter_card_manage_stopped"

    def name(self) -> str:
        return "action_card_manage_stop"

    def end_events(self, tracker: Tracker) -> list[EventType]:
        return [*cm.clear(), cm.flow("none")]
