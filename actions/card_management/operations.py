"""The bank operations of card management and their one answer each (used by the start, submit
and reissue actions): freeze, block for good, unfreeze, the PIN link, the reissue offer."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TypeVar

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.card_management import common as cm
from bankclient import (
    Bank,
    BankError,
    BankUnavailable,
    BlockedCard,
    Card,
    CardBlocked,
    CardStatus,
    InvalidResponse,
    LoginRequired,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

SECONDS_PER_MINUTE = 60
# After the bank's deadline passed at a freeze / block / unfreeze, the card's state is looked up
# (GetCardStatus) up to this many times, this long apart, before answering: the bank may still
# be finishing the change it was asked for.
STATUS_CHECKS = max(1, int(os.environ.get("CARD_STATUS_CHECKS") or 3))
STATUS_CHECK_PAUSE_SECONDS = float(Decimal(os.environ.get("CARD_STATUS_CHECK_PAUSE_SECONDS")
                                           or "1"))
DONE, UNCHANGED, UNKNOWN = "done", "unchanged", "unknown"


def outcome_unknown(err: BankError) -> bool:
    """A timeout or a connection lost on the way: the bank may have done it. (A 5xx answer or a
    SOAP fault is the bank saying it did not run.)"""
    return (isinstance(err, BankUnavailable) and not isinstance(err, InvalidResponse)
            and err.status is None)


async def settle(
    bank: Bank, who: str, card_id: str, wanted: Callable[[str], bool]
) -> tuple[str, CardStatus | None]:
    """After a timeout: done (the card's status is the wanted one), unchanged (the bank shows it
    as before, every time it was looked up), or unknown (the lookups failed too); with the
    status last seen."""
    seen: CardStatus | None = None
    for attempt in range(STATUS_CHECKS):
        if attempt:
            await asyncio.sleep(STATUS_CHECK_PAUSE_SECONDS)
        try:
            status = await bank.cards.status(who, card_id)
        except LoginRequired:
            raise
        except BankError as err:
            logger.warning("card status after a timeout: bank error %s", err.code)
            continue
        if wanted(status.status):
            return DONE, status
        seen = status
    return (UNCHANGED if seen else UNKNOWN), seen


async def checked(
    dispatcher: CollectingDispatcher,
    bank: Bank,
    who: str,
    card_id: str,
    masked: str,
    what: str,
    wanted: Callable[[str], bool],
    call: Callable[[], Awaitable[T]],
) -> T | CardStatus | str:
    """`call()`; when its deadline passes, the card's state decides what the customer is told:
    changed → "the bank was slow, but it's done" (the caller then answers as usual with the
    status looked up); not changed or not known → said so here (never "nothing was changed"
    when the bank may have done it), and UNCHANGED / UNKNOWN returned."""
    try:
        return await call()
    except BankError as err:
        if not outcome_unknown(err):
            raise
        logger.warning("card %s: the bank's deadline passed; looking the card up", what)
    outcome, status = await settle(bank, who, card_id, wanted)
    if outcome == DONE and status is not None:
        dispatcher.utter_message(response="utter_card_change_late_done")
        return status
    if outcome == UNCHANGED:
        dispatcher.utter_message(response="utter_card_change_late_unchanged", masked=masked,
                                 what=what)
    else:
        dispatcher.utter_message(response="utter_card_change_unconfirmed", masked=masked,
                                 what=what)
    return outcome


def _late_end(outcome: str) -> list[EventType]:
    """UNCHANGED / UNKNOWN after a timeout (already said): the request ends here."""
    return [*cm.clear(), cm.flow("none")]


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
        status = await checked(dispatcher, bank, who, card.card_id, card.masked, "unfrozen",
                               lambda s: s == "active",
                               lambda: bank.cards.unlock(who, card.card_id))
    except CardBlocked:
        dispatcher.utter_message(response="utter_card_blocked_cannot_unlock", masked=card.masked,
                                 reason=cm.REASON_WORDS.get(card.status_reason or "", "lost"))
        return [*cm.chosen(card), *offer_reissue(dispatcher, card)]
    if isinstance(status, str):  # the bank was slow and it is not (known to be) done
        return _late_end(status)
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
    done = await checked(dispatcher, bank, who, card_id, masked, "frozen",
                         lambda s: s in ("frozen", "blocked"),
                         lambda: bank.cards.lock(who, card_id))
    if isinstance(done, str):
        return _late_end(done)
    dispatcher.utter_message(response="utter_card_frozen", masked=masked)
    return [*cm.clear(), cm.flow("none")]


async def block(
    dispatcher: CollectingDispatcher, bank: Bank, who: str, card_id: str, masked: str, reason: str
) -> list[EventType]:
    """Blocked for good, then a new card is offered (the offer waits for yes / no). A card that
    another chat of the same customer blocked meanwhile is not blocked twice: the bank's answer
    is the first one, and its replacement (if any) is shown instead of a second offer."""
    blocked = await checked(dispatcher, bank, who, card_id, masked, "blocked",
                            lambda s: s == "blocked",
                            lambda: bank.cards.block(who, card_id, reason, reissue=False))
    if isinstance(blocked, str):
        return _late_end(blocked)
    if not isinstance(blocked, BlockedCard):  # slow, but blocked: the usual answer and offer
        blocked = BlockedCard(card_id=card_id, status=blocked.status,
                              card_token=blocked.card_token, status_reason=blocked.status_reason,
                              masked=blocked.masked, tariff=blocked.tariff)
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
