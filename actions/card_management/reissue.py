"""`action_reissue_card`: "yes" to the new-card offer: a new digital card on the same account,
usable at once; the plastic one is optional (a button to the plastic-card flow, which asks for
the delivery address and shows it for confirmation)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.card_management import common as cm
from bankclient import Bank


class ActionReissueCard(cm.CardMgmtAction):
    intent = "lock_card"

    def name(self) -> str:
        return "action_reissue_card"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        card_id = tracker.get_slot("managed_card")
        if not card_id:
            dispatcher.utter_message(response="utter_card_manage_stopped")
            return [*cm.clear(), cm.flow("none")]
        # The bank reissues a blocked card once: a second "yes" (or a second chat) gets the
        # same new card back.
        blocked = await bank.cards.reissue(who, card_id)
        new = blocked.replacement
        dispatcher.utter_message(response="utter_card_reissued",
                                 new_masked=new.masked if new else "")
        return [*cm.clear(), cm.flow("none")]
