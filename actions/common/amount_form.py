"""The amount-only form (top-up, payment request): the amount may come with the request
("top up 500", "ask for fifty dollars") or as the answer to the form's question.

Each concrete form declares its slots and responses; `AMOUNT_FORMS` lists them by form name, so
the shared "no"/"cancel" action knows what every amount-only form collected.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.conversation import latest_intent, request_message
from actions.common.parsing import amount_in, currency_in, parse_customer_amount

AMOUNT_FORMS: dict[str, type[AmountFormValidation]] = {}


class AmountFormValidation(FormValidationAction):
    form: ClassVar[str] = ""  # the form's name in the domain
    intent: ClassVar[str] = ""  # the request that starts it
    amount_slot: ClassVar[str] = ""
    currency_slot: ClassVar[str] = ""
    slots: ClassVar[tuple[str, ...]] = ()  # everything the form fills, cleared when it starts
    invalid_amount_response: ClassVar[str] = ""
    cancelled_response: ClassVar[str] = ""
    # Actions that end an earlier flow: the request is never looked up past them.
    boundaries: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.form:
            AMOUNT_FORMS[cls.form] = cls

    @abstractmethod
    def name(self) -> str:  # abstract: the action server registers only the concrete forms
        ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset: list[EventType] = []
        if tracker.get_slot("requested_slot") is None:  # the form is starting
            reset = [SlotSet(name, None) for name in self.slots]
            tracker.slots.update({name: None for name in self.slots})
            reset += self.activation_events(tracker)
            tracker.slots.update({e["name"]: e["value"] for e in reset})
        return reset + await super().run(dispatcher, tracker, domain)

    def activation_events(self, tracker: Tracker) -> list[EventType]:
        return []

    def source(self, tracker: Tracker) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") is None:
            return request_message(tracker, self.intent, self.boundaries)
        return tracker.latest_message or {}

    async def extract_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        requested = tracker.get_slot("requested_slot")
        if requested not in (None, self.amount_slot):
            return {}
        message = self.source(tracker)
        asked = requested == self.amount_slot
        raw = amount_in(message, answer_expected=asked)
        result: dict[str, Any] = {}
        currency = currency_in(message)
        if currency:
            result[self.currency_slot] = currency
        if raw is None:
            if asked and latest_intent(tracker) in ("inform", self.intent):
                dispatcher.utter_message(
                    response=self.invalid_amount_response,
                    problem="I didn't catch an amount there.",
                )
                return {**result, self.amount_slot: None}
            return result
        amount, problem = parse_customer_amount(raw)
        if amount is None:
            dispatcher.utter_message(response=self.invalid_amount_response, problem=problem)
            return {**result, self.amount_slot: None}
        return {**result, self.amount_slot: str(amount)}


def amount_form_slots() -> tuple[str, ...]:
    """Every slot of every amount-only form."""
    return tuple(slot for form in AMOUNT_FORMS.values() for slot in form.slots)
