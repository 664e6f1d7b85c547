"""`action_logout`: end the bank session of this chat."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.bank import bank
from actions.common.conversation import identity
from actions.common.login_gate import (
    PENDING_INTENT_SLOT,
    apologise,
    logged_out_events,
    login_reset_events,
)
from bankclient import BankError, LoginRequired

logger = logging.getLogger(__name__)


class ActionLogout(Action):
    def name(self) -> str:
        return "action_logout"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [
            *logged_out_events(),
            *login_reset_events(),
            SlotSet(PENDING_INTENT_SLOT, None),
        ]
        try:
            await bank().customers.logout(identity(tracker))
        except LoginRequired:
            dispatcher.utter_message(response="utter_not_logged_in")
            return events
        except BankError as err:
            logger.warning("logout failed: bank error %s", err.code)
            apologise(dispatcher, err)
            return []
        dispatcher.utter_message(response="utter_logged_out")
        return events
