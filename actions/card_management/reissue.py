"""`action_reissue_card`: the answer to the new-card offer after a block. "Yes", the button, or
any wording that asks for the new card ("yes give me a new one", "new card pls", "will my money
be safe? also yes replace it") gets a new digital card on the same account, usable at once; the
plastic one is optional (a button to the plastic-card flow). An answer that says neither yes nor
which card (or says no) gets the offer again: nothing is issued on a guess, and the new card is
never a separate, lower-tier one (the bank's replacement keeps the tariff and the limit)."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.card_management import common as cm
from actions.common.conversation import latest_intent, typed_text
from bankclient import Bank

# Intents that accept the offer by themselves (the "Yes, new card" button is /affirm).
ACCEPTING_INTENTS = frozenset({"affirm", "issue_card"})
_WANTS_NEW = re.compile(
    r"\b(?:yes+|yeah|yea|yep|yup|ya|sure|ok(?:ay)?|please|pls|plz|go ahead|do it|of course|"
    r"definitely|absolutely|new (?:one|card|plastic)|another (?:one|card)|replace(?:ment)?|"
    r"reissue|re-issue|так|да|давай|нову|новую)\b", re.IGNORECASE)
_REFUSES = re.compile(
    r"\b(?:no|nope|nah|not now|not yet|don'?t|do not|dont|later|never ?mind|cancel|ні|нет|не)\b",
    re.IGNORECASE)


def accepts_offer(tracker: Tracker) -> bool:
    """The latest message says yes to the new card (and not no)."""
    text = typed_text(tracker)
    if not text:  # a button: its intent is the answer
        return latest_intent(tracker) in ACCEPTING_INTENTS
    if _REFUSES.search(text):
        return False
    return latest_intent(tracker) in ACCEPTING_INTENTS or bool(_WANTS_NEW.search(text))


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
        if not accepts_offer(tracker):
            masked = tracker.get_slot("managed_card_masked") or "your card"
            dispatcher.utter_message(response="utter_card_reissue_offer", masked=masked)
            return [cm.flow("reissue_offer")]  # still the offer: yes / no
        # The bank reissues a blocked card once: a second "yes" (or a second chat) gets the
        # same new card back.
        blocked = await bank.cards.reissue(who, card_id)
        new = blocked.replacement
        dispatcher.utter_message(response="utter_card_reissued",
                                 new_masked=new.masked if new else "")
        return [*cm.clear(), cm.flow("none")]
