"""`basic_card_form`: the name for the basic digital card."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards.form_base import (
    NAME_LIKE_RE,
    CardFormValidation,
    person_name,
    strip_name_lead,
)
from actions.cards.schemas import check_field
from actions.common.conversation import latest_intent, typed_text


class ValidateBasicCardForm(CardFormValidation):
    form = "basic_card_form"
    free_text = frozenset({"card_holder_name"})  # "ok so what now" is never put on the card

    def name(self) -> str:
        return "validate_basic_card_form"

    async def extract_card_holder_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "card_holder_name":
            return {}
        text = strip_name_lead(typed_text(tracker))
        candidates = [person_name(tracker)]
        if text and (NAME_LIKE_RE.match(text) or latest_intent(tracker) == "inform"):
            candidates.append(text)
        candidates = [c for c in candidates if c]
        # The NLU sometimes catches only part of a name ("Zlata" of "Zlata Chornovol"): take
        # the first candidate that is a full name, else the first one (validation says why).
        for candidate in candidates:
            if check_field(self.form, "card_holder_name", candidate)[1] is None:
                return {"card_holder_name": candidate}
        return {"card_holder_name": candidates[0]} if candidates else {}

    async def validate_card_holder_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        clean, ok = self._check("card_holder_name", value, dispatcher)
        return {"card_holder_name": clean if ok else None}
