"""What the three card forms share: stopping early when `card_form_aborted` is set, checking a
value against the form's schema (`schemas`), and reading names and entities from a message."""

from __future__ import annotations

import abc
import re
from typing import Any, ClassVar

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards.schemas import check_field
from actions.cards.slots import ABORT_SLOT

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


class CardFormValidation(FormValidationAction):
    form: ClassVar[str] = ""  # the form's name in the domain (subclasses)

    @abc.abstractmethod
    def name(self) -> str:
        """Abstract, so the action server registers the three subclasses and not this base."""

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return [] if tracker.get_slot(ABORT_SLOT) else domain_slots

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
