"""What the card actions share: the base class, finding a customer's cards, the issue key, and
sending a card's picture and details link."""

from __future__ import annotations

import abc
import logging
from collections.abc import Iterable

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards.image import render_card
from actions.cards.schemas import holder_name
from actions.cards.slots import BASIC, end_of_flow, flow
from actions.common.bank import bank
from actions.common.conversation import identity
from actions.common.idempotency import idempotency_key, request_anchor
from actions.common.login_gate import SensitiveAction, apologise, relogin_events
from actions.common.media import publish_png
from bankclient import Bank, BankError, BankUnavailable, Card, Cashback, LoginRequired

logger = logging.getLogger(__name__)

HOLDER_NAME_MAX = 26
ISSUE_INTENT = "issue_card"


def active_cards(cards: Iterable[Card]) -> list[Card]:
    return [c for c in cards if c.status != "blocked"]


def find_card(cards: Iterable[Card], tariff: str) -> Card | None:
    return next((c for c in active_cards(cards) if c.tariff == tariff), None)


def issue_key(tracker: Tracker, tier: str) -> str:
    """Derived from the issue_card message that started the flow: the same request (retried
    action, doubled delivery of the same step) gets the same key, so the bank issues at most one
    card for it."""
    return idempotency_key("card", identity(tracker), tier, request_anchor(tracker, ISSUE_INTENT))


def embossed_name(name: str) -> str:
    return holder_name(name)[:HOLDER_NAME_MAX].strip()


def cashback_lines(cashback: Cashback | None) -> str:
    categories = cashback.categories if cashback is not None else ()
    return "\n".join(f"• {c.title}: {c.percent}%" for c in categories)


def cashback_terms(cashback: Cashback | None) -> dict[str, str]:
    """The cashback part of a card text (the usual range when the bank gave none)."""
    return {
        "min_percent": str(cashback.min_percent) if cashback is not None else "2",
        "max_percent": str(cashback.max_percent) if cashback is not None else "33",
        "categories": cashback_lines(cashback),
    }


async def send_card(dispatcher: CollectingDispatcher, bank: Bank, who: str, card: Card) -> None:
    """The card picture, then the one-time link to see the full details on the bank's page."""
    png = render_card(
        masked_number=card.masked or "",
        holder_name=card.holder_name or "",
        tariff=card.tariff or BASIC,
        expiry=card.expiry,
    )
    dispatcher.utter_message(image=publish_png(png))
    try:
        link = await bank.cards.secure_link(who, "card_details", card.card_id)
    except BankError as err:
        # The card exists; the link can be asked for later ("show my card details").
        logger.warning("no card-details link: bank error %s", err.code)
        dispatcher.utter_message(response="utter_card_details_later")
        return
    minutes = max(1, int(link.expires_in or 300) // 60)
    dispatcher.utter_message(response="utter_card_details_link", url=link.url, minutes=minutes)


class CardAction(SensitiveAction):
    """A card action behind the login gate: any bank failure ends the flow cleanly."""

    intent = ISSUE_INTENT

    @abc.abstractmethod
    def name(self) -> str:
        """Abstract, so the action server registers the subclasses and not this base."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            return await self.perform(dispatcher, tracker, domain, bank(), identity(tracker))
        except LoginRequired:
            return [flow("none"), *relogin_events(dispatcher, domain, self.intent)]
        except BankError as err:
            logger.warning("%s failed: bank error %s", self.name(), err.code)
            if isinstance(err, BankUnavailable):
                dispatcher.utter_message(response="utter_card_bank_unavailable")
            else:
                apologise(dispatcher, err)
            return end_of_flow()
