"""The login gate shared by every capability behind the authorization zone.

- `sensitive_intents(domain)`: the intents that need a login (values of the `pending_intent` slot).
- `served_request(tracker, domain)`: the request the gate is serving (the latest sensitive intent,
  or the one remembered in `pending_intent` when the gate runs again after the login form).
- `SensitiveAction`: base class for actions behind the gate; it maps bank errors to one clear
  answer (expired session → log in again and resume, bank down → apology).
- `login_reset_events()`, `logged_out_events()`, `relogin_events()`: the slot events that start the
  login form from scratch, log the chat out, or send it back to the login form mid-request.
"""

from __future__ import annotations

import logging
from abc import ABCMeta, abstractmethod

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.bank import bank
from actions.common.conversation import identity, latest_intent
from bankclient import Bank, BankError, BankUnavailable, LoginRequired, user_message

logger = logging.getLogger(__name__)

LOGIN_FORM = "login_form"
PENDING_INTENT_SLOT = "pending_intent"
LOGIN_SLOTS = ("phone_number", "phone_masked", "otp_challenge_id", "otp_code", "login_aborted")


def sensitive_intents(domain: DomainDict) -> list[str]:
    """The intents that need a login: the values of the `pending_intent` slot in the domain."""
    slot = (domain.get("slots") or {}).get(PENDING_INTENT_SLOT) or {}
    return [str(v) for v in slot.get("values", []) if str(v) != "__other__"]


def pending_intent_for(intent: str | None, domain: DomainDict) -> str | None:
    return intent if intent in sensitive_intents(domain) else None


def served_request(tracker: Tracker, domain: DomainDict) -> str | None:
    """The sensitive request being served. Right after the login form (whose latest message is
    the code) it is the request remembered in `pending_intent`; otherwise the latest intent when
    it is sensitive, and None for anything else (an explicit "log me in" must not re-run the
    request served earlier)."""
    if tracker.latest_action_name == LOGIN_FORM:
        return tracker.get_slot(PENDING_INTENT_SLOT)
    return pending_intent_for(latest_intent(tracker), domain)


def login_reset_events() -> list[EventType]:
    """Clear everything the login form collected so it asks from the start."""
    return [SlotSet(name, None) for name in LOGIN_SLOTS] + [SlotSet("requested_slot", None)]


def logged_out_events() -> list[EventType]:
    return [SlotSet("logged_in", False), SlotSet("customer_first_name", None)]


def relogin_events(
    dispatcher: CollectingDispatcher, domain: DomainDict, intent: str | None
) -> list[EventType]:
    """The bank says the session is gone mid-request: say so, then log in and resume `intent`."""
    dispatcher.utter_message(response="utter_session_expired")
    return [
        *logged_out_events(),
        *login_reset_events(),
        SlotSet(PENDING_INTENT_SLOT, pending_intent_for(intent, domain)),
        FollowupAction(LOGIN_FORM),
    ]


def apologise(dispatcher: CollectingDispatcher, err: BankError) -> None:
    """One clear customer answer for a bank error (no internals, no secrets)."""
    if isinstance(err, BankUnavailable):
        dispatcher.utter_message(response="utter_bank_unavailable")
    else:
        dispatcher.utter_message(text=user_message(err))


class SensitiveAction(Action, metaclass=ABCMeta):
    """An action behind the login gate. Subclasses implement `perform`.

    The gate (action_check_login) has just confirmed the session, but it can still expire
    between the two calls: then the customer is asked to log in and the request resumes.
    `intent` is the sensitive intent this action serves (what to resume after that login).
    """

    intent: str | None = None

    @abstractmethod  # abstract, so the action server does not register this base class
    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        raise NotImplementedError

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            return await self.perform(dispatcher, tracker, domain, bank(), identity(tracker))
        except LoginRequired:
            return relogin_events(dispatcher, domain, self.intent or latest_intent(tracker))
        except BankError as err:
            # Log the code only: the message may echo customer input.
            logger.warning("%s failed: bank error %s", self.name(), err.code)
            apologise(dispatcher, err)
            return []
