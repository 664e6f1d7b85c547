"""`action_notify_referral_reward`: told unprompted when a friend got a card with the customer's
invitation (bank webhook `referral.rewarded` → EXTERNAL_referral_rewarded, entities amount,
currency, balance, note = the friend's first name)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.conversation import delivery_key
from actions.common.money import DEFAULT_CURRENCY, money_text


def _entity(tracker: Tracker, name: str) -> str | None:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value") not in (None, ""):
            return str(entity["value"])
    return None


class ActionNotifyReferralReward(Action):
    def name(self) -> str:
        return "action_notify_referral_reward"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        currency = _entity(tracker, "currency") or DEFAULT_CURRENCY
        amount, balance = _entity(tracker, "amount"), _entity(tracker, "balance")
        dispatcher.utter_message(
            response="utter_referral_rewarded",
            delivery_key=delivery_key(tracker),  # the outbox sends it once (bank_events.py)
            friend=(_entity(tracker, "note") or "your friend")[:40],
            amount=money_text(amount, currency, unreadable="a bonus") if amount else "a bonus",
            balance=money_text(balance, currency, unreadable="-") if balance else "-",
        )
        return []
