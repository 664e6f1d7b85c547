"""`action_ask_card_manage_form_managed_card`: which card, with one button per card."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.card_management import common as cm
from actions.common.login_gate import SensitiveAction
from bankclient import Bank

QUESTIONS = {"lock": "Which card should I block or freeze?",
             "unlock": "Which card should I unfreeze?",
             "pin": "Which card's PIN do you want to set?"}


class ActionAskManagedCard(SensitiveAction):
    def name(self) -> str:
        return "action_ask_card_manage_form_managed_card"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        op = tracker.get_slot("card_mgmt_op") or "lock"
        cards = await bank.cards.owned(who)
        usable = [c for c in cards if c.status == "frozen"] if op == "unlock" else cm.live(cards)
        buttons = [{"title": cm.card_label(c), "payload": f'/inform{{"card_last4": "{c.last4}"}}'}
                   for c in usable]
        buttons.append({"title": "Cancel", "payload": "/deny"})
        dispatcher.utter_message(
            text=f"{QUESTIONS.get(op, QUESTIONS['lock'])} Tap it or type its last 4 digits.",
            buttons=buttons,
        )
        return []
