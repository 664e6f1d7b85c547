"""`action_card_manage_start`: after the login gate, look at the customer's cards and decide.

- no card at all → offer one; every card blocked → say so (and offer a replacement if none yet);
- lock: the form asks only what is missing (which card, why) and always for a confirmation;
- unlock / PIN: done at once when it is clear which card, else the form asks which one.
Sets `card_mgmt_flow`: form | reissue_offer | none (data/card_management/rules.yml).
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.card_management import common as cm
from actions.card_management.operations import offer_reissue, send_pin_link, unfreeze
from actions.common.login_gate import served_request
from bankclient import Bank


class ActionCardManageStart(cm.CardMgmtAction):
    def name(self) -> str:
        return "action_card_manage_start"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        op = cm.OPERATIONS.get(served_request(tracker, domain) or "", "lock")
        message = cm.request(tracker, op)
        if cm.typed_a_secret(message):
            dispatcher.utter_message(response="utter_secret_typed_in_chat")
        cards = await bank.cards.owned(who)
        start = [*cm.clear(), SlotSet("card_mgmt_op", op)]
        if not cards:
            dispatcher.utter_message(response="utter_card_mgmt_no_card", what=cm.WHAT[op])
            return [*start, cm.flow("none")]
        named = cm.card_in(message, cards)
        if op == "unlock":
            return start + await self._unlock(dispatcher, bank, who, cards, named)
        usable = cm.live(cards)
        if not usable:
            return start + self._all_blocked(dispatcher, cards, op)
        card = named if named in usable else (usable[0] if len(usable) == 1 else None)
        if op == "pin":
            if card is None:
                return [*start, cm.flow("form")]
            await send_pin_link(dispatcher, bank, who, card)
            return [*start, *cm.clear(), cm.flow("none")]
        reason = cm.reason_in(message)
        if card is not None and card.status == "frozen" and reason == cm.TEMPORARY:
            dispatcher.utter_message(response="utter_card_already_frozen", masked=card.masked)
            return [*start, *cm.clear(), cm.flow("none")]
        events = [*start, SlotSet("card_lock_reason", reason)]
        if card is not None:
            events += cm.chosen(card)
        return [*events, cm.flow("form")]

    @staticmethod
    async def _unlock(dispatcher, bank, who, cards, named) -> list[EventType]:
        frozen = [c for c in cards if c.status == "frozen"]
        if named is not None and named not in frozen:
            frozen = []
            cards = [named]
        if len(frozen) == 1 or (named is not None and named in frozen):
            card = named if named in frozen else frozen[0]
            return [*await unfreeze(dispatcher, bank, who, card), cm.flow("none")]
        if frozen:
            return [cm.flow("form")]
        # "unblock my card" beside a working card most likely means the blocked one (the demo's
        # Iryna: a stolen card never replaced + an active one): it can't be; a new one offered.
        blocked = cm.unreplaced_blocked(cards)
        if blocked:
            card = blocked[0]
            dispatcher.utter_message(response="utter_card_blocked_cannot_unlock",
                                     masked=card.masked,
                                     reason=cm.REASON_WORDS.get(card.status_reason or "", "lost"))
            return [*cm.chosen(card), *offer_reissue(dispatcher, card)]
        active = next((c for c in cards if c.status == "active"), cards[0])
        if active.status == "blocked":
            dispatcher.utter_message(response="utter_card_already_blocked", masked=active.masked)
        else:
            dispatcher.utter_message(response="utter_card_not_frozen", masked=active.masked)
        return [cm.flow("none")]

    @staticmethod
    def _all_blocked(dispatcher, cards, op) -> list[EventType]:
        blocked = cm.unreplaced_blocked(cards)
        if blocked:
            card = blocked[-1]
            dispatcher.utter_message(response="utter_card_already_blocked", masked=card.masked)
            return [*cm.chosen(card), *offer_reissue(dispatcher, card)]
        dispatcher.utter_message(response="utter_card_all_blocked", what=cm.WHAT[op])
        return [cm.flow("none")]
