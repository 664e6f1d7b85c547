"""One answer per outcome of attributing a newcomer (typed code or deep link)."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.common.money import format_money
from bankclient import Attribution

STATUS_RESPONSES = {
    "already": "utter_referral_already",
    "already_invited": "utter_referral_already_invited",
    "own_code": "utter_referral_own_code",
    "not_new": "utter_referral_not_new",
}


def welcome_terms(out: Attribution) -> str:
    w = out.welcome
    if w is None:
        return "a welcome bonus"
    if w.kind == "boosted_cashback":
        return (f"+{w.boost_percent}% extra cashback at {w.partner_name} for {w.days or 30} "
                "days")
    if w.amount is not None:
        return f"a {format_money(w.amount, w.currency)} welcome bonus"
    return "a welcome bonus"


def tell(dispatcher: CollectingDispatcher, out: Attribution, code: str) -> None:
    if out.status == "attributed":
        if out.kind == "campaign":
            partner = out.welcome.partner_name if out.welcome else "partner"
            dispatcher.utter_message(response="utter_referral_campaign_attributed",
                                     partner=partner, welcome=welcome_terms(out))
        else:
            dispatcher.utter_message(response="utter_referral_attributed",
                                     inviter=out.inviter_name or "your friend",
                                     welcome=welcome_terms(out))
    elif out.status in STATUS_RESPONSES:
        dispatcher.utter_message(response=STATUS_RESPONSES[out.status])
    elif out.status == "expired_code":
        dispatcher.utter_message(response="utter_referral_expired_code", code=code)
    else:
        dispatcher.utter_message(response="utter_referral_unknown_code", code=code)


def deep_link_intro(out: Attribution) -> str:
    """The first line for a newcomer who opened the bot through a link."""
    if out.status in ("attributed", "already"):
        if out.kind == "campaign":
            partner = out.welcome.partner_name if out.welcome else "our partner"
            return (f"Welcome from the {partner} campaign: with your card you get "
                    f"{welcome_terms(out)}.")
        return (f"{out.inviter_name or 'Your friend'} invited you: with your card you get "
                f"{welcome_terms(out)}.")
    if out.status == "already_invited":
        return "You already joined with another invitation earlier; that one stays."
    if out.status == "own_code":
        return "That's your own invitation link: share it with friends to earn a bonus."
    if out.status == "not_new":
        return "Welcome back! Invitations are for new customers, and you already have a card."
    if out.status == "expired_code":
        return "That invitation link has expired, but you're welcome all the same."
    return "That invitation link isn't valid, but you're welcome all the same."
