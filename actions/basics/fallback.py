"""Rasa's fallback actions, replaced.

- `action_default_ask_affirmation`: the first stage of Rasa's two-stage fallback
  (`action_two_stage_fallback`, started by the `nlu_fallback` rule in data/basics/rules.yml).
  When the NLU hesitates, it asks "Did you mean …?" with the (at most two) intents the model
  ranked highest, in words a customer understands, plus "Something else".
- `action_default_fallback`: the last resort (and Rasa's core fallback): ask to rephrase and show
  the menu; when the customer already went through a misunderstanding, offer a person.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

FALLBACK_ACTION = "action_default_fallback"
AFFIRMATION_ACTION = "action_default_ask_affirmation"
TWO_STAGE_FALLBACK = "action_two_stage_fallback"
MISUNDERSTANDING_ACTIONS = (FALLBACK_ACTION, TWO_STAGE_FALLBACK)

# What a "Did you mean …?" button says for each intent worth offering. Intents that only make
# sense as an answer (affirm, deny, inform) or that are no request (out_of_scope) are not offered.
INTENT_LABELS = {
    "greet": "Just saying hello",
    "goodbye": "Saying goodbye",
    "thank": "Saying thanks",
    "help": "What can you do?",
    "bot_challenge": "Am I talking to a bot?",
    "human_handoff": "Talk to a person",
    "restart": "Start over",
    "login": "Log in",
    "logout": "Log out",
    "resend_code": "Send me a new code",
    "check_balance": "Check my balance",
    "transaction_history": "My recent transactions",
    "bank_details": "My bank details (IBAN)",
    "issue_card": "Get a new card",
    "card_info": "Card tariffs and cashback",
    "order_plastic_card": "Order a plastic card",
    "lock_card": "Lock my card (lost or stolen)",
    "unlock_card": "Unlock my card",
    "change_pin": "Change my PIN",
    "change_password": "Change my password",
    "transfer_money": "Send money to a card",
    "change_amount": "Change the amount",
    "top_up_card": "Top up my card",
    "request_money": "Ask a friend for money",
    "pay_bill": "Pay a bill",
    "referral": "Invite a friend",
    "partner_offers": "Partner offers",
}
MAX_SUGGESTIONS = 2


def suggestions(latest_message: dict[str, Any]) -> list[str]:
    """The intents to offer: the model's own ranking, best first, offerable ones only."""
    ranking = latest_message.get("intent_ranking") or []
    names = [entry.get("name") for entry in ranking]
    return [name for name in names if name in INTENT_LABELS][:MAX_SUGGESTIONS]


class ActionDefaultAskAffirmation(Action):
    """Did you mean …? (first stage of the two-stage fallback)."""

    def name(self) -> str:
        return AFFIRMATION_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        offered = suggestions(tracker.latest_message or {})
        if not offered:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        buttons = [{"title": INTENT_LABELS[name], "payload": f"/{name}"} for name in offered]
        # Rasa's two-stage fallback reads /out_of_scope as "no": it then asks to rephrase.
        buttons.append({"title": "Something else", "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)
        return []


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
        # Twice misunderstood: the previous turn was a fallback, or the two-stage fallback is
        # giving up (the customer said "something else" twice, or two fallbacks in a row).
        gave_up = tracker.active_loop_name == TWO_STAGE_FALLBACK
        # A form refused the answer (Rasa rejected it): its question still stands.
        in_form = bool(tracker.active_loop_name) and not gave_up
        if gave_up or FALLBACK_ACTION in previous_turn_actions(tracker.events):
            dispatcher.utter_message(response="utter_fallback_offer_human")
        elif in_form:
            dispatcher.utter_message(response="utter_default_in_form")
        else:
            dispatcher.utter_message(response="utter_default")
        # As the core fallback the policies would predict this action again at once (up to
        # Rasa's 10-action limit); wait for the customer instead. In a form, the misunderstood
        # message is also undone (as Rasa's own fallback does), so the form's rejection goes
        # with it and the next answer reaches the form again instead of another fallback.
        undo = [UserUtteranceReverted()] if in_form else []
        return [*undo, FollowupAction("action_listen")]
