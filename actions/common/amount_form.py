"""`AmountFlow`: a flow with one question, how much (top-up, payment request). The amount may
come with the request ("top up 500", "ask for fifty dollars") or answer the question; it is read
by the one amount reader (`flow.amount`). A concrete flow declares its slots and responses."""

from __future__ import annotations

from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.conversation import latest_intent
from actions.common.flow import Flow, read_amount

MISSING = "I didn't catch an amount there."


class AmountFlow(Flow):
    amount_slot: ClassVar[str] = ""
    currency_slot: ClassVar[str] = ""
    invalid_amount_response: ClassVar[str] = ""

    async def _extract_slot(
        self, slot_name: str, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if slot_name != self.amount_slot:
            return await super()._extract_slot(slot_name, dispatcher, tracker, domain)
        if not (self.starting(tracker) or self.asked(tracker, self.amount_slot)):
            return {}
        asked = self.asked(tracker, self.amount_slot)
        answer = read_amount(self.source(tracker), asked=asked)
        result: dict[str, Any] = {self.currency_slot: answer.currency} if answer.currency else {}
        if answer.problem or (asked and not answer.found
                              and latest_intent(tracker) in ("inform", self.intent)):
            dispatcher.utter_message(response=self.invalid_amount_response,
                                     problem=answer.problem or MISSING)
            return {**result, self.amount_slot: None}
        if answer.amount is not None:
            result[self.amount_slot] = str(answer.amount)
        return result
