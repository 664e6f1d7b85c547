"""`action_check_login`: the gate in front of every sensitive intent."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.bank import bank
from actions.common.conversation import identity, latest_intent
from actions.common.login_gate import (
    LOGIN_FORM,
    PENDING_INTENT_SLOT,
    apologise,
    logged_out_events,
    login_reset_events,
    pending_intent_for,
    served_request,
)
from bankclient import BankError, LoginRequired, SessionExpired

logger = logging.getLogger(__name__)


class ActionCheckLogin(Action):
    """Asks the bank whether this chat has a live session and sets `logged_in`.

    Logged in: `pending_intent` names the request being served (the latest intent when it is a
    sensitive one, else the request remembered before the login form), so the rules run it.
    Not logged in: remembers the request in `pending_intent` and prepares the login form.
    """

    def name(self) -> str:
        return "action_check_login"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            await bank().customers.session(identity(tracker))
        except LoginRequired as err:
            return self._login_needed(dispatcher, tracker, domain, err)
        except BankError as err:
            logger.warning("session check failed: bank error %s", err.code)
            apologise(dispatcher, err)
            # Neither the request nor a login makes sense now: wait for the customer.
            return [FollowupAction("action_listen")]
        return [
            SlotSet("logged_in", True),
            SlotSet(PENDING_INTENT_SLOT, served_request(tracker, domain)),
        ]

    @staticmethod
    def _login_needed(
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        err: LoginRequired,
    ) -> list[EventType]:
        pending = pending_intent_for(latest_intent(tracker), domain)
        if tracker.active_loop_name == LOGIN_FORM:
            # Already logging in: keep what was collected, just remember the newest request.
            events: list[EventType] = [SlotSet("logged_in", False)]
            if pending:
                events.append(SlotSet(PENDING_INTENT_SLOT, pending))
            return events
        if isinstance(err, SessionExpired) or tracker.get_slot("logged_in"):
            dispatcher.utter_message(response="utter_session_expired")
        elif pending:
            dispatcher.utter_message(response="utter_login_needed")
        return [
            *logged_out_events(),
            *login_reset_events(),
            SlotSet(PENDING_INTENT_SLOT, pending),
        ]
