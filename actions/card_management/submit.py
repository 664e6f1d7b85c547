"""`action_card_manage_submit`: card_manage_form is complete: freeze, block for good (then the
new card is offered), unfreeze, or send the PIN link."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.card_management import common as cm
from actions.card_management.operations import block, freeze, send_pin_link, unfreeze
from bankclient import Bank, Card, CardBlocked


class ActionCardManageSubmit(cm.CardMgmtAction):
    def name(self) -> str:
        return "action_card_manage_submit"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        op = tracker.get_slot("card_mgmt_op")
        card_id = tracker.get_slot("managed_card")
        masked = tracker.get_slot("managed_card_masked") or "your card"
        if not card_id:
            dispatcher.utter_message(response="utter_card_manage_stopped")
            return [*cm.clear(), cm.flow("none")]
        if op == "unlock":
            status = await bank.cards.status(who, card_id)
            card = Card(card_id=card_id, card_token=status.card_token or "", masked=masked,
                        tariff=status.tariff or "", status=status.status,
                        status_reason=status.status_reason)
            if status.status == "active":
                dispatcher.utter_message(response="utter_card_not_frozen", masked=masked)
                return [*cm.clear(), cm.flow("none")]
            events = await unfreeze(dispatcher, bank, who, card)
            offered = any(e.get("name") == "card_mgmt_flow" for e in events)
            return events if offered else [*events, cm.flow("none")]
        if op == "pin":
            status = await bank.cards.status(who, card_id)
            card = Card(card_id=card_id, card_token=status.card_token or "", masked=masked,
                        tariff=status.tariff or "", status=status.status)
            try:
                await send_pin_link(dispatcher, bank, who, card)
            except CardBlocked:
                dispatcher.utter_message(response="utter_card_already_blocked", masked=masked)
            return [*cm.clear(), cm.flow("none")]
        if tracker.get_slot("lock_confirmed") is not True:
            dispatcher.utter_message(response="utter_card_manage_stopped")
            return [*cm.clear(), cm.flow("none")]
        reason = tracker.get_slot("card_lock_reason") or "lost"
        if reason == cm.TEMPORARY:
            try:
                return await freeze(dispatcher, bank, who, card_id, masked)
            except CardBlocked:
                dispatcher.utter_message(response="utter_card_already_blocked", masked=masked)
                return [*cm.clear(), cm.flow("none")]
        return await block(dispatcher, bank, who, card_id, masked, reason)
