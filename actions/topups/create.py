"""`action_create_topup`: the top-up at the bank, and the hosted payment page's link."""

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
from actions.topups.form import ValidateTopupForm
from bankclient import Bank

logger = logging.getLogger(__name__)

INTENT = "top_up_card"


class ActionCreateTopup(SensitiveAction):
    intent = INTENT

    def name(self) -> str:
        return "action_create_topup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        return events + [SlotSet(name, None) for name in ValidateTopupForm.slots]

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        amount = tracker.get_slot("topup_amount")
        currency = tracker.get_slot("topup_currency") or DEFAULT_CURRENCY
        if not amount:
            return []
        # One key per customer request: a doubled message or a retried action creates nothing new.
        key = idempotency_key("topup", who, amount, currency, request_anchor(tracker, INTENT))
        topup = await bank.payments.create_topup(
            who, Decimal(amount), currency, idempotency_key=key
        )
        minutes = max(1, int(topup.expires_in or 900) // 60)
        dispatcher.utter_message(
            response="utter_topup_link",
            amount=money_text(amount, currency),
            payment_url=topup.payment_url,
            minutes=minutes,
        )
        logger.info("top-up %s created", topup.topup_id)
        return []
