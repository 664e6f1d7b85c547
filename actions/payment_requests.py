"""Asking a friend for money (`request_money`): a shareable payment-request link.

    payment_request_form: request_amount → action_create_payment_request (the link)

An optional note comes from the request itself ("ask my brother for 300 for the concert
tickets" → "concert tickets"). The friend pays on the bank's hosted page with any card; the
bank's `payment_request.paid` webhook makes the assistant tell the requester
(`action_notify_bank_event`).
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.bank.money import format_money, from_api
from actions.session import SensitiveAction
from actions.topups import REQUEST_SLOTS, AmountFormValidation, request_key
from actions.transfers import message_text

logger = logging.getLogger(__name__)

DEFAULT_CURRENCY = "UAH"
NOTE_MAX = 140
# "... for the concert tickets", "... for dinner!" (not "for 50 dollars", not "for me").
NOTE_RE = re.compile(r"\bfor\s+(?:the\s+|a\s+|an\s+|our\s+|my\s+)?([^\d\s][^.!?\n]{1,80})",
                     re.IGNORECASE)
_NOT_A_NOTE = re.compile(
    r"^(me|him|her|them|us|money|it|this|that|you|a friend|my friend|friends?|payment|"
    r"a payment|a link|link|[a-z]+ (dollars?|uah|hryvnias?|euros?))\b",
    re.IGNORECASE,
)
_TOKENS_RE = re.compile(r"\b(?:ctok|otok|ptok|stok)_[A-Za-z0-9]+\b|\[redacted\]")


def note_from(text: str) -> str | None:
    """A short note for the friend, taken from the request ("for dinner" → "dinner")."""
    text = _TOKENS_RE.sub("", text or "")
    for match in NOTE_RE.finditer(text):
        note = match.group(1).strip(" ,;:-")
        if note and not _NOT_A_NOTE.match(note) and not re.search(r"\d{4,}", note):
            return note[:NOTE_MAX]
    return None


class ValidatePaymentRequestForm(AmountFormValidation):
    intent = "request_money"
    amount_slot = "request_amount"
    currency_slot = "request_currency"
    slots = REQUEST_SLOTS

    def name(self) -> str:
        return "validate_payment_request_form"

    def activation_events(self, tracker: Tracker) -> list[EventType]:
        note = note_from(message_text(self.source(tracker)))
        return [SlotSet("request_note", note)] if note else []

    async def extract_request_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self.extract_amount(dispatcher, tracker)

    async def validate_request_amount(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"request_amount": value or None}


class ActionCreatePaymentRequest(SensitiveAction):
    intent = "request_money"

    def name(self) -> str:
        return "action_create_payment_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        return events + [SlotSet(name, None) for name in REQUEST_SLOTS]

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Any,
        who: str,
    ) -> list[EventType]:
        amount = tracker.get_slot("request_amount")
        currency = tracker.get_slot("request_currency") or DEFAULT_CURRENCY
        note = tracker.get_slot("request_note")
        if not amount:
            return []
        request = await bank.rest.create_payment_request(who, Decimal(amount), currency, note)
        dispatcher.utter_message(
            response="utter_payment_request_link",
            amount=format_money(from_api(amount), currency),
            note_text=f" ({note})" if note else "",
            url=request.get("url"),
        )
        logger.info("payment request %s created", request.get("request_id"))
        return []


__all__ = ["ActionCreatePaymentRequest", "ValidatePaymentRequestForm", "note_from", "request_key"]
