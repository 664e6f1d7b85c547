"""What the card-management actions share: which operation an intent asks for, why a card is
locked (read from the words the customer used), which card is meant, and the slot events."""

from __future__ import annotations

import abc
import re
from collections.abc import Iterable, Sequence
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.conversation import request_message
from actions.common.login_gate import SensitiveAction
from bankclient import Card

# intent → operation (card_mgmt_op)
OPERATIONS = {"lock_card": "lock", "unlock_card": "unlock", "change_pin": "pin"}
INTENTS = {op: intent for intent, op in OPERATIONS.items()}
# What the customer wanted, in words ("nothing to {what}").
WHAT = {"lock": "block", "unlock": "unblock", "pin": "set a PIN for"}

TEMPORARY = "temporary"
PERMANENT_REASONS = ("lost", "stolen", "fraud")
REASON_WORDS = {"lost": "lost", "stolen": "stolen", "fraud": "used by someone else"}
REDACTED = "[redacted]"  # what the channel layer leaves of a PIN or password typed in the chat

# Order matters: fraud and theft are checked before "lost" ("my stolen card is lost"); an
# explicit freeze or a pause for a while before "lost": "freeze it for a couple days, i left it
# at a friend's place" asks for a freeze, never a block for good (issue 28); a pause inferred from
# context (travel, "just in case") last ("block it, it's stolen, not just for now" is still
# stolen; "i lost it, lock it just in case" is lost).
_ASKED_TO_PAUSE = re.compile(
    r"\bfreez|\bfrezze|\bpause|on hold|temporar|\btemp\b|(?<!not )\bfor (?:now|a (?:while|bit|"
    r"few days|couple (?:of )?days|day or two|week))\b|"
    r"\bfor (?:a )?(?:few|couple(?: of)?|\d+) days",
    re.I)
_REASON_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("fraud", re.compile(
        r"fraud|scam|someone (?:used|is using|has used)|somebody (?:used|bought|is using)|"
        r"used (?:my card )?without|didn'?t (?:make|do)|never made|wasn'?t me|not mine|"
        r"aren'?t mine|compromis|clon|phish|gave my card details|knows my card|charges? i", re.I)),
    ("stolen", re.compile(
        r"stol|steal|theft|thief|robb|mugg|pickpocket|snatch|nick(?:ed)?\b|grabbed|took my", re.I)),
    (TEMPORARY, _ASKED_TO_PAUSE),
    ("lost", re.compile(
        r"\blost\b|\blose\b|\blsot\b|missing|can'?t find|cant find|misplac|\bleft (?:my|it)|"
        r"dropped|fell out|disappeared|gone|no idea where|swallow|ate my|kept my|stuck|broke",
        re.I)),
    (TEMPORARY, re.compile(
        r"temporar|for now|for a (?:while|bit)|just in case|travel|abroad|trip|holiday|vacation|"
        r"\bpause|on hold|till i'?m back|until i|freez|frezze|\btemp\b", re.I)),
)
_LAST4 = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def reason_in(message: dict[str, Any]) -> str | None:
    """temporary | lost | stolen | fraud, from an entity (NLU or button) or the words; None when
    the message does not say."""
    for entity in message.get("entities") or []:
        if entity.get("entity") == "lock_reason":
            value = str(entity.get("value") or "").lower()
            if value in (TEMPORARY, *PERMANENT_REASONS):
                # "someone used my card, block it for now" is still fraud: words first.
                return _reason_in_text(message.get("text") or "") or value
    return _reason_in_text(message.get("text") or "")


def _reason_in_text(text: str) -> str | None:
    if text.startswith("/"):
        return None
    for reason, pattern in _REASON_PATTERNS:
        if pattern.search(text):
            return reason
    return None


def card_in(message: dict[str, Any], cards: Sequence[Card]) -> Card | None:
    """The one card the message names: by its last 4 digits (typed or a button's `card_last4`)
    or by its tariff ("the tariff card", "my basic card"); None when it names none or several."""
    wanted = [str(e.get("value")) for e in message.get("entities") or []
              if e.get("entity") == "card_last4"]
    text = message.get("text") or ""
    if not text.startswith("/"):
        wanted += _LAST4.findall(text)
    for last4 in wanted:
        found = [c for c in cards if _last4(c) == last4]
        if len(found) == 1:
            return found[0]
    low = text.lower()
    for tariff, words in (("tariff", ("tariff", "credit", "cashback")), ("basic", ("basic",))):
        if any(w in low for w in words):
            found = [c for c in cards if c.tariff == tariff]
            if len(found) == 1:
                return found[0]
    return None


def _last4(card: Card) -> str:
    return card.last4 or (card.masked or "")[-4:]


def request(tracker: Tracker, op: str | None) -> dict[str, Any]:
    """The message that asked (the latest one, or the one before the login)."""
    intent = INTENTS.get(op or "")
    return request_message(tracker, intent) if intent else (tracker.latest_message or {})


def typed_a_secret(message: dict[str, Any]) -> bool:
    return REDACTED in (message.get("text") or "")


def live(cards: Iterable[Card]) -> list[Card]:
    return [c for c in cards if c.status != "blocked"]


def unreplaced_blocked(cards: Iterable[Card]) -> list[Card]:
    return [c for c in cards if c.status == "blocked" and not c.replaced_by]


def card_label(card: Card) -> str:
    name = card.tariff_name or ("Digital Tariff Card" if card.tariff == "tariff" else
                                "Basic digital card")
    state = "" if card.status == "active" else f" ({card.status})"
    return f"{card.masked} {name}{state}"


def chosen(card: Card) -> list[EventType]:
    return [SlotSet("managed_card", card.card_id), SlotSet("managed_card_masked", card.masked)]


def flow(value: str) -> SlotSet:
    return SlotSet("card_mgmt_flow", value)


def clear() -> list[EventType]:
    """The end of a card-management request: nothing kept for the next one."""
    return [SlotSet(name, None) for name in
            ("card_mgmt_op", "managed_card", "managed_card_masked", "card_lock_reason",
             "lock_confirmed")]


class CardMgmtAction(SensitiveAction):
    """A card-management action behind the gate: whatever happens (bank down, session expired),
    `card_mgmt_flow` is set, so the conversation waits for the customer next."""

    @abc.abstractmethod
    def name(self) -> str:
        """Abstract, so the action server registers the subclasses only."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        if any(e.get("event") == "followup" for e in events):  # session expired: log in again
            op = tracker.get_slot("card_mgmt_op")
            if op in INTENTS:  # resume the request being served, not the "yes" just typed
                events = [e for e in events if e.get("name") != "pending_intent"]
                events.insert(0, SlotSet("pending_intent", INTENTS[op]))
            return [*clear(), flow("none"), *events]
        if not any(e.get("name") == "card_mgmt_flow" for e in events):
            events = [*events, *clear(), flow("none")]
        return events
