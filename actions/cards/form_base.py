"""What the three card forms share: stopping early when `card_form_aborted` is set, checking a
value against the form's schema (`schemas`), reading names and entities from a message, and an
address asked in parts and confirmed in its own yes / no step (plastic card's delivery address,
the Tariff Card's home address)."""

from __future__ import annotations

import abc
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.cards.schemas import check_field
from actions.cards.slots import ABORT_SLOT
from actions.common.address import parse_address, previous_answer
from actions.common.conversation import latest_intent
from actions.common.flow import Flow

NAME_LEAD_RE = re.compile(
    r"^\s*(?:my (?:full )?name is|name:|i am|i'm|im|it's|it is|this is|call me)\s+",
    re.IGNORECASE,
)
# Free text taken as a name only if it looks like one (so a question mid-form is a digression).
_WORD = r"[^\W\d_]+(?:['’.-][^\W\d_]+)*"
NAME_LIKE_RE = re.compile(rf"^{_WORD}(?:\s+{_WORD}){{0,3}}$")


def entity(tracker: Tracker, name: str) -> str | None:
    return next(tracker.get_latest_entity_values(name), None)


def person_name(tracker: Tracker) -> str | None:
    """All person_name entities of the message together (the NLU may split one name)."""
    parts = list(dict.fromkeys(tracker.get_latest_entity_values("person_name")))
    return " ".join(parts) or None


def strip_name_lead(text: str) -> str:
    return NAME_LEAD_RE.sub("", text).strip(" .,!")


class CardFormValidation(Flow):
    """The card flows on the engine: "stop" / "no" ends them through `action_card_stop`."""

    stop_action = "action_card_stop"
    ended_by = ABORT_SLOT
    stopped_response = "utter_card_stopped"

    @abc.abstractmethod
    def name(self) -> str:
        """Abstract, so the action server registers the three subclasses and not this base."""


    def _check(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher
    ) -> tuple[Any, bool]:
        if value is None:  # a slot cleared before the form started: nothing to say
            return None, False
        clean, problem = check_field(self.form, slot, value)
        if problem:
            dispatcher.utter_message(text=problem)
            return None, False
        return clean, True

    def _completed_address(self, tracker: Tracker, slot: str, answer: str | None) -> str | None:
        """"Which city?" → "Kyiv": the answer completes the partial address sent just before
        (the normalised whole), or None when there is nothing to complete."""
        if not answer or parse_address(answer).complete:
            return None
        earlier = previous_answer(tracker.events, self.form, slot)
        if not earlier:
            return None
        merged = parse_address(earlier).merged(parse_address(answer))
        return merged.text if merged.complete else None

    def _address_confirmation(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        """The `<slot>_confirmed` step after the normalised address was shown: yes → confirmed;
        no → the address is asked again (the form goes on; "stop" at the address question ends
        it); anything else is not an answer."""
        confirmed = f"{slot}_confirmed"
        if tracker.get_slot("requested_slot") != confirmed:
            return {}
        intent = latest_intent(tracker)
        if intent == "affirm":
            return {confirmed: True}
        if intent == "deny":
            return {slot: None, confirmed: None}
        return {}
