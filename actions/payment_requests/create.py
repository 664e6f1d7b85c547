"""`action_create_payment_request`: the request at the bank, and its shareable link."""

from __future__ import annotations

import logging
from decimal import Decimal

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.idempotency import idempotency_key, request_anchor
from actions.common.login_gate import SensitiveAction
from actions.common.money import DEFAULT_CURRENCY, money_text
from actions.payment_requests.form import ValidatePaymentRequestForm
from bankclient import Bank

logger = logging.getLogger(__name__)

INTENT = "request_money"


class ActionCreatePaymentRequest(SensitiveAction):
    intent = INTENT

    def name(self) -> str:
        return "action_create_payment_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        return events + [SlotSet(name, None) for name in ValidatePaymentRequestForm.slots]

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        amount = tracker.get_slot("request_amount")
        currency = tracker.get_slot("request_currency") or DEFAULT_CURRENCY
        note = tracker.get_slot("request_note")
        if not amount:
            return []
        # One key per customer request: a doubled message or a retried action creates one link.
        key = idempotency_key(
            "payment_request", who, amount, currency, note or "", request_anchor(tracker, INTENT)
        )
        request = await bank.payments.create_payment_request(
            who, Decimal(amount), currency, note, idempotency_key=key
        )
        dispatcher.utter_message(
            response="utter_payment_request_link",
            amount=money_text(amount, currency),
            note_text=f" ({note})" if note else "",
            url=request.url,
        )
        logger.info("payment request %s created", request.request_id)
        return []
