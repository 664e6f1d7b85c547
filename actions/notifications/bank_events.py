"""`action_notify_bank_event`: the proactive message for a bank webhook (the `EXTERNAL_*` intents
sent by `actions.notifications.webhooks`, with entities amount, currency, balance, masked_card,
note, reason)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.conversation import delivery_key, latest_intent
from actions.common.money import DEFAULT_CURRENCY, money_text

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
    return money_text(value, currency, unreadable="-") if value else "-"


class ActionNotifyBankEvent(Action):
    def name(self) -> str:
        return "action_notify_bank_event"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = latest_intent(tracker)
        # Each message names the bank event: the outbox sends it once however often the
        # event is triggered (assistant/channels/messengers/outbox.py).
        key = delivery_key(tracker)
        currency = _entity(tracker, "currency") or DEFAULT_CURRENCY
        amount = _money_entity(tracker, "amount", currency)
        balance = _money_entity(tracker, "balance", currency)
        if intent == "EXTERNAL_topup_succeeded":
            dispatcher.utter_message(
                response="utter_topup_succeeded",
                delivery_key=key,
                amount=amount,
                balance=balance,
                masked_card=_entity(tracker, "masked_card") or "",
            )
        elif intent == "EXTERNAL_topup_failed":
            reason = _entity(tracker, "reason") or ""
            dispatcher.utter_message(
                response="utter_topup_failed",
                delivery_key=key,
                amount=amount,
                reason=FAILURE_REASONS.get(reason, "the payment wasn't completed"),
            )
        elif intent == "EXTERNAL_payment_request_paid":
            note = _entity(tracker, "note")
            dispatcher.utter_message(
                response="utter_payment_request_paid",
                delivery_key=key,
                amount=amount,
                balance=balance,
                note_text=f" ({note})" if note else "",
            )
        elif intent == "EXTERNAL_pin_changed":
            dispatcher.utter_message(response="utter_pin_changed", delivery_key=key,
                                     masked_card=_entity(tracker, "masked_card") or "your card")
        elif intent == "EXTERNAL_password_changed":
            dispatcher.utter_message(response="utter_password_changed", delivery_key=key)
        return []
