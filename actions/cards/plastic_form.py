"""`plastic_card_form`: the delivery address of the plastic card."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards.form_base import CardFormValidation, entity
from actions.common.conversation import latest_intent, typed_text


class ValidatePlasticCardForm(CardFormValidation):
    form = "plastic_card_form"
    free_text = frozenset({"delivery_address"})

    def name(self) -> str:
        return "validate_plastic_card_form"

    async def extract_delivery_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "delivery_address":
            return {}
        text = entity(tracker, "address") or typed_text(tracker)
        if merged := self._completed_address(tracker, "delivery_address", text):
            return {"delivery_address": merged}
        if entity(tracker, "address"):
            return {"delivery_address": text}
        if text and (any(ch.isdigit() for ch in text) or latest_intent(tracker) == "inform"):
            text = re.sub(r"^\s*(?:deliver (?:it )?to|send (?:it )?to|to|address:)\s*", "", text,
                          flags=re.IGNORECASE)  # fmt: skip
            return {"delivery_address": text}
        return {}

    async def validate_delivery_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        clean, ok = self._check("delivery_address", value, dispatcher)
        return {"delivery_address": clean if ok else None}

    async def extract_delivery_address_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes → order there; no → the address is asked again."""
        return self._address_confirmation(tracker, "delivery_address")
