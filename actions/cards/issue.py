"""`issue_card`: `action_card_start` chooses the flow, `action_issue_basic_card` issues the basic
digital card (the Digital Tariff Card is in `tariff`)."""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards.base import (
    ISSUE_INTENT,
    CardAction,
    embossed_name,
    find_card,
    issue_key,
    send_card,
)
from actions.cards.schemas import check_field
from actions.cards.slots import ABORT_SLOT, BASIC, TARIFF, TIER_SLOT, end_of_flow, flow
from actions.cards.tariff import open_tariff_card
from actions.common.conversation import request_event
from actions.common.welcome import tell_welcome
from bankclient import AlreadyHasCard, Bank

NAME_IN_REQUEST_RE = re.compile(
    r"\b(?:my (?:full )?name is|my name's|i'm|i am|name:|for|in the name of)\s+"
    r"(?P<name>[^\W\d_]+(?:['’-][^\W\d_]+)*(?:\s+[^\W\d_]+(?:['’-][^\W\d_]+)*){1,2})",
    re.IGNORECASE,
)


def names_in_request(tracker: Tracker) -> list[str]:
    """Candidates for the card's name from the request itself ("a card, I'm Anna Ivanova"):
    the slot, the person_name entities together (the NLU sometimes splits a name), the text."""
    found = [tracker.get_slot("card_holder_name")]
    event = request_event(tracker, ISSUE_INTENT) or {}
    parse = event.get("parse_data") or {}
    parts = [str(e.get("value")) for e in parse.get("entities") or []
             if e.get("entity") == "person_name"]  # fmt: skip
    found.append(" ".join(parts))
    match = NAME_IN_REQUEST_RE.search(event.get("text") or "")
    if match:
        found.append(match.group("name"))
    return [n for n in found if n]


class ActionCardStart(CardAction):
    def name(self) -> str:
        return "action_card_start"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        tier = TARIFF if tracker.get_slot(TIER_SLOT) == TARIFF else BASIC
        cards = await bank.cards.owned(who)
        tariff_card, basic_card = find_card(cards, TARIFF), find_card(cards, BASIC)
        if tariff_card:
            dispatcher.utter_message(
                response="utter_card_already_tariff", masked=tariff_card.masked
            )
            return end_of_flow()
        if tier == BASIC:
            if basic_card:
                dispatcher.utter_message(
                    response="utter_card_already_basic", masked=basic_card.masked
                )
                return end_of_flow()
            return self._basic(tracker)
        profile = await bank.customers.profile(who)
        if profile.kyc_level == "verified":
            # Already verified (e.g. KYC done earlier): no form, straight to the card.
            await open_tariff_card(dispatcher, tracker, bank, who, basic_card, None)
            return end_of_flow(keep_home_address=True)
        dispatcher.utter_message(
            response="utter_card_upgrade_intro" if basic_card else "utter_card_tariff_intro"
        )
        return [SlotSet(ABORT_SLOT, None), flow(TARIFF)]

    @staticmethod
    def _basic(tracker: Tracker) -> list[EventType]:
        # The name from the request, else the form asks for it: the bank's profile has the
        # first name only, and a first name alone won't do for the card.
        for name in names_in_request(tracker):
            clean, problem = check_field("basic_card_form", "card_holder_name", name)
            if not problem:
                return [SlotSet("card_holder_name", clean), flow("basic_ready")]
        return [SlotSet("card_holder_name", None), SlotSet(ABORT_SLOT, None), flow(BASIC)]


class ActionIssueBasicCard(CardAction):
    def name(self) -> str:
        return "action_issue_basic_card"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        name = tracker.get_slot("card_holder_name")
        if tracker.get_slot(ABORT_SLOT) or not name:
            return end_of_flow()
        try:
            card = await bank.cards.issue(
                who, BASIC, embossed_name(name), idempotency_key=issue_key(tracker, BASIC)
            )
        except AlreadyHasCard:
            cards = await bank.cards.owned(who)
            existing = find_card(cards, BASIC) or find_card(cards, TARIFF)
            dispatcher.utter_message(
                response="utter_card_already_basic", masked=existing.masked if existing else None
            )
            return end_of_flow()
        dispatcher.utter_message(response="utter_card_issued_basic", masked=card.masked)
        await send_card(dispatcher, bank, who, card)
        await tell_welcome(dispatcher, bank, who)
        dispatcher.utter_message(response="utter_card_offer_tariff")
        return end_of_flow()
