"""`action_card_status`: "is my card blocked?", "where is my card", "show my cards": the state of
each of the customer's cards (masked number, tariff, status, expiry) and of a plastic card on its
way. A question changes nothing: never a lock, never a block question (issue 28)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards.card_summary import card_summary, expiry_line, status_line, title_line
from actions.cards.plastic import OPEN_ORDER_STATUSES
from actions.common.login_gate import SensitiveAction
from bankclient import Bank

STATUS_INTENT = "card_status"
STATUS_LINES = [title_line, status_line, expiry_line]


class ActionCardStatus(SensitiveAction):
    intent = STATUS_INTENT

    def name(self) -> str:
        return "action_card_status"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        cards = await bank.cards.owned(who)
        if not cards:
            dispatcher.utter_message(response="utter_card_status_no_card")
            return []
        title = "Your card:" if len(cards) == 1 else "Your cards:"
        summaries = [card_summary(c, None, STATUS_LINES) for c in cards]
        dispatcher.utter_message(text="\n\n".join([title, *summaries]))
        orders = await bank.cards.plastic_orders(who)
        for order in (o for o in orders if o.status in OPEN_ORDER_STATUSES):
            dispatcher.utter_message(
                response="utter_plastic_status",
                masked=order.masked or "your card",
                status=order.status,
                date=order.estimated_delivery,
                city=(order.address.city if order.address else None) or "",
            )
        if any(c.status == "frozen" for c in cards):
            dispatcher.utter_message(response="utter_card_status_frozen_hint")
        return []
