"""`order_plastic_card`: the status of an open order (`action_plastic_start`), else the delivery
address (`action_ask_delivery_address`, plastic_card_form) and the order (`action_order_plastic`).
Only a Digital Tariff Card can have a plastic twin."""

from __future__ import annotations

import json

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards.base import CardAction, find_card
from actions.cards.schemas import split_address
from actions.cards.slots import ABORT_SLOT, BASIC, TARIFF, end_of_flow, flow
from bankclient import Bank, DeliveryAddress

PLASTIC_INTENT = "order_plastic_card"
OPEN_ORDER_STATUSES = ("ordered", "shipped")


class ActionPlasticStart(CardAction):
    intent = PLASTIC_INTENT

    def name(self) -> str:
        return "action_plastic_start"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        orders = await bank.cards.plastic_orders(who)
        open_orders = [o for o in orders if o.status in OPEN_ORDER_STATUSES]
        if open_orders:
            order = open_orders[0]
            dispatcher.utter_message(
                response="utter_plastic_status",
                masked=order.masked or "your card",
                status=order.status,
                date=order.estimated_delivery,
                city=(order.address.city if order.address else None) or "",
            )
            return [flow("none")]
        cards = await bank.cards.owned(who)
        if find_card(cards, TARIFF):
            return [SlotSet(ABORT_SLOT, None), SlotSet("delivery_address", None), flow("plastic")]
        if find_card(cards, BASIC):
            dispatcher.utter_message(response="utter_plastic_needs_tariff")
        else:
            dispatcher.utter_message(response="utter_plastic_needs_card")
        return [flow("none")]


class ActionAskDeliveryAddress(Action):
    """Asks for the delivery address, offering the home address given in the application."""

    def name(self) -> str:
        return "action_ask_delivery_address"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        home = tracker.get_slot("home_address")
        buttons = [{"title": "Cancel", "payload": "/deny"}]
        if home:
            payload = "/inform" + json.dumps({"address": home}, ensure_ascii=False)
            buttons.insert(0, {"title": f"Deliver to {home}"[:60], "payload": payload})
        dispatcher.utter_message(response="utter_ask_delivery_address", buttons=buttons)
        return []


class ActionOrderPlastic(CardAction):
    intent = PLASTIC_INTENT

    def name(self) -> str:
        return "action_order_plastic"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        address = split_address(tracker.get_slot("delivery_address") or "")
        if tracker.get_slot(ABORT_SLOT) or address is None:
            return end_of_flow()
        card = find_card(await bank.cards.owned(who), TARIFF)
        if card is None:
            dispatcher.utter_message(response="utter_plastic_needs_tariff")
            return end_of_flow()
        order = await bank.cards.order_plastic(who, card.card_id, DeliveryAddress(**address))
        dispatcher.utter_message(
            response="utter_plastic_ordered",
            masked=card.masked,
            street=address["street"],
            city=address["city"],
            date=order.estimated_delivery,
        )
        return end_of_flow()
