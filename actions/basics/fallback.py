"""`action_default_fallback`: Rasa's fallback (NLU and core), replaced."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

FALLBACK_ACTION = "action_default_fallback"


def previous_turn_actions(events: list[dict[str, Any]]) -> list[str]:
    """Names of the bot actions run in answer to the user message before the latest one."""
    user_turns = [i for i, event in enumerate(events) if event.get("event") == "user"]
    if len(user_turns) < 2:
        return []
    start, end = user_turns[-2], user_turns[-1]
    return [
        event.get("name", "") for event in events[start + 1 : end] if event.get("event") == "action"
    ]


class ActionDefaultFallback(Action):
    """Ask to rephrase and show the menu; when the previous turn was a fallback too, offer a
    person instead of looping."""

    def name(self) -> str:
        return FALLBACK_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if FALLBACK_ACTION in previous_turn_actions(tracker.events):
            dispatcher.utter_message(response="utter_fallback_offer_human")
        else:
            dispatcher.utter_message(response="utter_default")
        # As the core fallback the policies would predict this action again at once (up to
        # Rasa's 10-action limit); wait for the customer instead.
        return [FollowupAction("action_listen")]
