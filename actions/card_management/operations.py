"""The bank operations of card management and their one answer each (used by the start, submit
and reissue actions): freeze, block for good, unfreeze, the PIN link, the reissue offer."""

from __future__ import annotations

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.card_management import common as cm
from bankclient import Bank, Card, CardBlocked

SECONDS_PER_MINUTE = 60


def minutes(seconds: int) -> int:
    return max(1, round(seconds / SECONDS_PER_MINUTE))


async def send_pin_link(dispatcher: CollectingDispatcher, bank: Bank, who: str, card: Card) -> None:
    link = await bank.cards.secure_link(who, "set_pin", card.card_id)
    dispatcher.utter_message(response="utter_secure_link_pin", masked=card.masked, url=link.url,
                             minutes=minutes(link.expires_in))


async def unfreeze(
    dispatcher: CollectingDispatcher, bank: Bank, who: str, card: Card
) -> list[EventType]:
    try:
        status = await bank.cards.unlock(who, card.card_id)
    except CardBlocked:
        dispatcher.utter_message(response="utter_card_blocked_cannot_unlock", masked=card.masked,
                                 reason=cm.REASON_WORDS.get(card.status_reason or "", "lost"))
        return [*cm.chosen(card), *offer_reissue(dispatcher, card)]
    dispatcher.utter_message(response="utter_card_unfrozen", masked=status.masked or card.masked)
    return [*cm.clear()]


async def freeze(
    dispatcher: CollectingDispatcher, bank: Bank, who: str, card_id: str, masked: str
) -> list[EventType]:
    before = await bank.cards.status(who, card_id)
    if before.blocked:
        dispatcher.utter_message(response="utter_card_already_blocked", masked=masked)
        return [*cm.clear(), cm.flow("none")]
    if before.frozen:
        dispatcher.utter_message(response="utter_card_already_frozen", masked=masked)
        return [*cm.clear(), cm.flow("none")]
    await bank.cards.lock(who, card_id)
    dispatcher.utter_message(response="utter_card_frozen", masked=masked)
    return [*cm.clear(), cm.flow("none")]


async def block(
    dispatcher: CollectingDispatcher, bank: Bank, who: str, card_id: str, masked: str, reason: str
) -> list[EventType]:
    """Blocked for good, then a new card is offered (the offer waits for yes / no). A card that
    another chat of the same customer blocked meanwhile is not blocked twice: the bank's answer
    is the first one, and its replacement (if any) is shown instead of a second offer."""
    blocked = await bank.cards.block(who, card_id, reason, reissue=False)
    if blocked.replacement is not None:
        dispatcher.utter_message(response="utter_card_already_blocked", masked=masked)
        dispatcher.utter_message(response="utter_card_reissued",
                                 new_masked=blocked.replacement.masked)
        return [*cm.clear(), cm.flow("none")]
    dispatcher.utter_message(response="utter_card_blocked", masked=masked,
                             reason=cm.REASON_WORDS.get(blocked.status_reason or reason, reason))
    card = Card(card_id=card_id, card_token=blocked.card_token or "", masked=masked,
                tariff=blocked.tariff or "", status="blocked")
    return offer_reissue(dispatcher, card)


def offer_reissue(dispatcher: CollectingDispatcher, card: Card) -> list[EventType]:
    dispatcher.utter_message(response="utter_card_reissue_offer", masked=card.masked)
    return [*cm.chosen(card), cm.flow("reissue_offer")]
