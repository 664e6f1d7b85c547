"""`action_card_reissue_declined`: "no" to the new-card offer after a block: nothing issued."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.card_management import common as cm


class ActionCardReissueDeclined(Action):
    def name(self) -> str:
        return "action_card_reissue_declined"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_card_reissue_declined")
        return [*cm.clear(), cm.flow("none")]
