"""`action_ask_card_manage_form_lock_confirmed`: what exactly will happen, yes or no."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.card_management import common as cm

BUTTONS = [{"title": "Yes", "payload": "/affirm"}, {"title": "No, leave it", "payload": "/deny"}]


def confirmation_text(masked: str, reason: str | None) -> str:
    if reason == cm.TEMPORARY:
        return (f"Freeze {masked}? Payments with it stop until you unfreeze it, which you can do "
                "here any time.")
    why = cm.REASON_WORDS.get(reason or "", "lost")
    return (f"Block {masked} for good because it was {why}? This can't be undone; right after, "
            "I'll offer you a new card on the same account.")


class ActionAskLockConfirmed(Action):
    def name(self) -> str:
        return "action_ask_card_manage_form_lock_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = confirmation_text(tracker.get_slot("managed_card_masked") or "your card",
                                 tracker.get_slot("card_lock_reason"))
        dispatcher.utter_message(text=text, buttons=BUTTONS)
        return []
