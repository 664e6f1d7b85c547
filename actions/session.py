"""Shared helpers for actions that talk to the bank on behalf of a messenger identity.

- `identity(tracker)`: the `X-Messenger-Identity` the bank knows this chat by.
- `SensitiveAction`: base class for actions behind the login gate; it maps bank errors to one
  clear answer (expired session → log in again and resume, bank down → apology).
- `login_reset_events()`: slot events that make the login form start from scratch.
"""

from __future__ import annotations

import logging
from abc import ABCMeta, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.bank.errors import BankError, BankUnavailable, LoginRequired, user_message

logger = logging.getLogger(__name__)

LOGIN_FORM = "login_form"
PENDING_INTENT_SLOT = "pending_intent"
LOGIN_SLOTS = ("phone_number", "phone_masked", "otp_challenge_id", "otp_code", "login_aborted")
DEFAULT_CHANNEL = "rest"


def identity(tracker: Tracker) -> str:
    """`<latest input channel>:<sender_id>` (channel `rest` when Rasa doesn't know it)."""
    channel = tracker.get_latest_input_channel() or DEFAULT_CHANNEL
    return f"{channel}:{tracker.sender_id}"


def get_bank() -> Any:
    """The bank wrapper (imported lazily so this module loads even while it's being built)."""
    from actions.bank import get_bank as _get_bank

    return _get_bank()


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message or {}).get("intent", {}).get("name")


def sensitive_intents(domain: DomainDict) -> list[str]:
    """The intents that need a login: the values of the `pending_intent` slot in the domain."""
    slot = (domain.get("slots") or {}).get(PENDING_INTENT_SLOT) or {}
    return [str(v) for v in slot.get("values", []) if str(v) != "__other__"]


def pending_intent_for(intent: str | None, domain: DomainDict) -> str | None:
    return intent if intent in sensitive_intents(domain) else None


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
        bank: Any,
        who: str,
    ) -> list[EventType]:
        raise NotImplementedError

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            return await self.perform(dispatcher, tracker, domain, get_bank(), identity(tracker))
        except LoginRequired:
            return relogin_events(dispatcher, domain, self.intent or latest_intent(tracker))
        except BankError as err:
            # Log the code only: the message may echo customer input.
            logger.warning("%s failed: bank error %s", self.name(), err.code)
            apologise(dispatcher, err)
            return []
