"""`action_change_password`: the one-time link to the bank's secure page where the new password
is set (never in the chat); the bank's webhook tells the chat when it is done."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.card_management import common as cm
from actions.card_management.operations import minutes
from actions.common.conversation import request_message
from actions.common.login_gate import SensitiveAction
from bankclient import Bank


class ActionChangePassword(SensitiveAction):
    intent = "change_password"

    def name(self) -> str:
        return "action_change_password"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        if cm.typed_a_secret(request_message(tracker, self.intent)):
            dispatcher.utter_message(response="utter_secret_typed_in_chat")
        link = await bank.cards.secure_link(who, "set_password")
        dispatcher.utter_message(response="utter_secure_link_password", url=link.url,
                                 minutes=minutes(link.expires_in))
        return []
