"""Card refill (`top_up_card`) from another bank's card, through the bank's hosted payment page.

    topup_form: topup_amount → action_create_topup (the link, as a button)

The card details and the 3-D Secure code are typed on the bank's page, never in the chat. When the
payment completes or fails the bank calls our webhook (actions/webhooks.py), which tells the
customer in the same chat (`action_notify_bank_event`).
"""

from __future__ import annotations

import logging
import uuid
from abc import abstractmethod
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.bank.money import format_money, from_api
from actions.session import SensitiveAction, latest_intent
from actions.transfers import amount_in, currency_in, parse_customer_amount, request_message

logger = logging.getLogger(__name__)

DEFAULT_CURRENCY = "UAH"
TOPUP_SLOTS = ("topup_amount", "topup_currency")
REQUEST_SLOTS = ("request_amount", "request_currency", "request_note")
_BOUNDARIES = frozenset(
    {"action_create_topup", "action_create_payment_request", "action_cancel_topup",
     "action_restart"}
)


class AmountFormValidation(FormValidationAction):
    """An amount-only form (top-up, payment request): the amount may come with the request
    ("top up 500", "ask for fifty dollars") or as the answer to the form's question."""

    intent = ""
    amount_slot = ""

    @abstractmethod
    def name(self) -> str:  # abstract: the action server registers only the concrete forms
        ...

    currency_slot = ""
    slots: tuple[str, ...] = ()

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
            return request_message(tracker, self.intent, _BOUNDARIES)
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
                    response="utter_topup_amount_invalid",
                    problem="I didn't catch an amount there.",
                )
                return {**result, self.amount_slot: None}
            return result
        amount, problem = parse_customer_amount(raw)
        if amount is None:
            dispatcher.utter_message(response="utter_topup_amount_invalid", problem=problem)
            return {**result, self.amount_slot: None}
        return {**result, self.amount_slot: str(amount)}


class ValidateTopupForm(AmountFormValidation):
    intent = "top_up_card"
    amount_slot = "topup_amount"
    currency_slot = "topup_currency"
    slots = TOPUP_SLOTS

    def name(self) -> str:
        return "validate_topup_form"

    async def extract_topup_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self.extract_amount(dispatcher, tracker)

    async def validate_topup_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"topup_amount": value or None}


def request_key(tracker: Tracker, kind: str, amount: str) -> str:
    """One key per customer request: a doubled message or a retried action creates nothing new."""
    started = next(
        (e.get("timestamp") for e in reversed(tracker.events) if e.get("event") == "user"), ""
    )
    raw = f"assistant:{tracker.sender_id}:{kind}:{amount}:{started}"
    return f"{kind}-" + uuid.uuid5(uuid.NAMESPACE_URL, raw).hex


class ActionCreateTopup(SensitiveAction):
    """Creates the top-up at the bank and sends the hosted payment page's link."""

    intent = "top_up_card"

    def name(self) -> str:
        return "action_create_topup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        return events + [SlotSet(name, None) for name in TOPUP_SLOTS]

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Any,
        who: str,
    ) -> list[EventType]:
        amount = tracker.get_slot("topup_amount")
        currency = tracker.get_slot("topup_currency") or DEFAULT_CURRENCY
        if not amount:
            return []
        topup = await bank.rest.create_topup(
            who, Decimal(amount), currency,
            idempotency_key=request_key(tracker, "topup", amount),
        )
        minutes = max(1, int(topup.get("expires_in") or 900) // 60)
        dispatcher.utter_message(
            response="utter_topup_link",
            amount=format_money(from_api(amount), currency),
            payment_url=topup.get("payment_url"),
            minutes=minutes,
        )
        logger.info("top-up %s created", topup.get("topup_id"))
        return []


class ActionCancelTopup(Action):
    """"No"/"cancel" while the top-up or payment-request form asks for the amount."""

    def name(self) -> str:
        return "action_cancel_topup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.active_loop_name == "payment_request_form":
            dispatcher.utter_message(response="utter_payment_request_cancelled")
        else:
            dispatcher.utter_message(response="utter_topup_cancelled")
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *[SlotSet(name, None) for name in TOPUP_SLOTS + REQUEST_SLOTS],
        ]


# --------------------------------------------------------------------------- bank events

FAILURE_REASONS = {
    "expired": "the payment page wasn't completed in time",
    "3ds_failed": "the card's confirmation code was wrong",
    "declined": "the card issuer declined it",
}


def _entity(tracker: Tracker, name: str) -> str | None:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value") not in (None, ""):
            return str(entity["value"])
    return None


def _money_entity(tracker: Tracker, name: str, currency: str) -> str:
    value = _entity(tracker, name)
    try:
        return format_money(from_api(value), currency) if value else "-"
    except ValueError:
        return "-"


class ActionNotifyBankEvent(Action):
    """The proactive message for a bank webhook (EXTERNAL_* intents sent by actions/webhooks.py
    with entities amount, currency, balance, masked_card, note, reason)."""

    def name(self) -> str:
        return "action_notify_bank_event"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = latest_intent(tracker)
        currency = _entity(tracker, "currency") or DEFAULT_CURRENCY
        amount = _money_entity(tracker, "amount", currency)
        balance = _money_entity(tracker, "balance", currency)
        if intent == "EXTERNAL_topup_succeeded":
            dispatcher.utter_message(
                response="utter_topup_succeeded",
                amount=amount,
                balance=balance,
                masked_card=_entity(tracker, "masked_card") or "",
            )
        elif intent == "EXTERNAL_topup_failed":
            reason = _entity(tracker, "reason") or ""
            dispatcher.utter_message(
                response="utter_topup_failed",
                amount=amount,
                reason=FAILURE_REASONS.get(reason, "the payment wasn't completed"),
            )
        elif intent == "EXTERNAL_payment_request_paid":
            note = _entity(tracker, "note")
            dispatcher.utter_message(
                response="utter_payment_request_paid",
                amount=amount,
                balance=balance,
                note_text=f" ({note})" if note else "",
            )
        return []
