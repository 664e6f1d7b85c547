"""The newcomer's welcome reward (joined through an invitation or a partner campaign), in one
line: shown when the card is issued and in card info. Cards call `tell_welcome`; the referral
programme owns what it says. Never fails the caller: no welcome, no login or a bank problem
simply means no line."""

from __future__ import annotations

import logging
from datetime import datetime

from rasa_sdk.executor import CollectingDispatcher

from actions.common.money import format_money
from bankclient import Bank, BankError

logger = logging.getLogger(__name__)


def welcome_text(welcome) -> str | None:
    if welcome is None:
        return None
    if welcome.kind == "boosted_cashback":
        until = ""
        if welcome.valid_until:
            try:
                until = " until " + datetime.fromisoformat(
                    welcome.valid_until.rstrip("Z")).strftime("%d %b %Y")
            except ValueError:
                until = ""
        state = "" if welcome.active else " (ended)"
        return (f"🎁 Your welcome offer: +{welcome.boost_percent}% cashback at "
                f"{welcome.partner_name}{until}{state}.")
    if welcome.amount is not None:
        source = (f"{welcome.inviter_name}'s invitation" if welcome.source == "referral"
                  and welcome.inviter_name else "your invitation")
        if welcome.source == "campaign" and welcome.partner_name:
            source = f"the {welcome.partner_name} campaign"
        return (f"🎁 Welcome bonus: {format_money(welcome.amount, welcome.currency)} for joining "
                f"with {source}, credited to your account.")
    return None


async def tell_welcome(dispatcher: CollectingDispatcher, bank: Bank, who: str) -> None:
    """Add the welcome line to the answer when the customer has a welcome reward."""
    try:
        welcome = await bank.referrals.welcome(who)
    except BankError as err:  # not logged in, or the bank is slow: the card answer stands
        logger.info("welcome reward not shown: %s", err.code)
        return
    text = welcome_text(welcome)
    if text:
        dispatcher.utter_message(text=text)
