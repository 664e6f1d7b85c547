"""`card_manage_form`, declared on the flow engine: which card (when the customer has several),
why (for a lock) and the confirmation. The confirmation follows the engine's rule: only an
explicit yes blocks or freezes; "no, just freeze it" at a block changes the request to a freeze
and asks again; a plain "no" is left to the change-of-mind rule (nothing changed)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.card_management import common as cm
from actions.common.bank import bank
from actions.common.conversation import identity, latest_intent
from actions.common.flow import Flow
from bankclient import BankError

ANSWER_INTENTS = {"inform", "affirm", "lock_card", "unlock_card", "change_pin"}


class ValidateCardManageForm(Flow):
    form = "card_manage_form"
    confirm_slot = "lock_confirmed"
    own_intents = frozenset({"lock_card", "unlock_card", "change_pin"})
    unclear_response = "utter_card_confirm_unclear"
    stop_action = "action_card_manage_stop"

    def name(self) -> str:
        return "validate_card_manage_form"

    async def questions(self, slots: list[str], tracker: Tracker) -> list[str]:
        if tracker.get_slot("card_mgmt_op") == "lock":
            return ["managed_card", "card_lock_reason", "lock_confirmed"]
        return ["managed_card"]

    async def instead(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """"hmm no, just freeze it for now" at "Block … for good?": a freeze is asked instead
        (and "no, it was stolen" at a freeze: the block)."""
        reason = cm.reason_in(tracker.latest_message or {})
        if reason and reason != tracker.get_slot("card_lock_reason"):
            return {"card_lock_reason": reason}
        return {}

    @staticmethod
    def _answering(tracker: Tracker, slot: str) -> bool:
        return (tracker.get_slot("requested_slot") == slot
                and latest_intent(tracker) in ANSWER_INTENTS)

    async def extract_managed_card(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self._answering(tracker, "managed_card"):
            return {}
        try:
            cards = await bank().cards.owned(identity(tracker))
        except BankError:
            dispatcher.utter_message(response="utter_bank_unavailable")
            return {"managed_card": None}
        op = tracker.get_slot("card_mgmt_op")
        usable = ([c for c in cards if c.status == "frozen"] if op == "unlock" else cm.live(cards))
        card = cm.card_in(tracker.latest_message or {}, usable)
        if card is None:
            dispatcher.utter_message(response="utter_card_choice_unclear")
            return {"managed_card": None}
        return {"managed_card": card.card_id, "managed_card_masked": card.masked}

    async def extract_card_lock_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self._answering(tracker, "card_lock_reason"):
            return {}
        reason = cm.reason_in(tracker.latest_message or {})
        if reason is None:
            dispatcher.utter_message(response="utter_card_reason_unclear")
        return {"card_lock_reason": reason}
