"""The Digital Tariff Card: the KYC application (`action_submit_tariff_card`) and opening the card
for a verified customer (an upgrade of the basic card, or a new card)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards.base import (
    CardAction,
    cashback_terms,
    embossed_name,
    find_card,
    issue_key,
    send_card,
)
from actions.cards.slots import ABORT_SLOT, BASIC, TARIFF, end_of_flow
from actions.common.money import DEFAULT_CURRENCY, money_text
from actions.common.sealing import unseal
from actions.common.welcome import tell_welcome
from bankclient import (
    AlreadyHasCard,
    Bank,
    BankError,
    Card,
    InvalidRequest,
    KycApplication,
    KycRejected,
    KycResult,
    LoginRequired,
    user_message,
)

logger = logging.getLogger(__name__)


def kyc_document(tracker: Tracker) -> dict[str, Any]:
    ref = tracker.get_slot("passport_number")
    return {
        "full_name": tracker.get_slot("full_name"),
        "date_of_birth": unseal(tracker.get_slot("date_of_birth")),
        "address": tracker.get_slot("home_address"),
        "passport_ref": ref,
        "passport_issue_date": tracker.get_slot("passport_issue_date"),
        "passport_authority": tracker.get_slot("passport_authority"),
        "consent": tracker.get_slot("terms_consent") is True,
    }


async def open_tariff_card(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    bank: Bank,
    who: str,
    basic_card: Card | None,
    kyc: KycResult | None,
) -> Card | None:
    """Verified customer → upgrade the basic card, or issue the Digital Tariff Card."""
    card: Card | None
    if basic_card:
        card = await bank.cards.upgrade(who, basic_card.card_id)
        dispatcher.utter_message(response="utter_card_upgraded", masked=card.masked)
    else:
        name = tracker.get_slot("full_name") or (await bank.customers.profile(who)).first_name or ""
        try:
            card = await bank.cards.issue(
                who, TARIFF, embossed_name(name), idempotency_key=issue_key(tracker, TARIFF)
            )
        except AlreadyHasCard:  # issued a moment ago (a repeated request): show that one
            card = find_card(await bank.cards.owned(who), TARIFF)
        dispatcher.utter_message(
            response="utter_card_issued_tariff", masked=card.masked if card else None
        )
    limit = (kyc.credit_limit if kyc else None) or (card.credit_limit if card else None)
    cashback = (kyc.cashback if kyc else None) or (card.cashback if card else None)
    currency = (kyc.currency if kyc else card.currency if card else None) or DEFAULT_CURRENCY
    dispatcher.utter_message(
        response="utter_card_tariff_terms",
        credit_limit=money_text(limit, currency, unreadable=f"{limit} {currency}"),
        **cashback_terms(cashback),
    )
    if card and card.masked:
        await send_card(dispatcher, bank, who, card)
    if not basic_card:
        await tell_welcome(dispatcher, bank, who)
    dispatcher.utter_message(response="utter_card_offer_plastic")
    return card


class ActionSubmitTariffCard(CardAction):
    def name(self) -> str:
        return "action_submit_tariff_card"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        if tracker.get_slot(ABORT_SLOT):
            return end_of_flow()
        document = kyc_document(tracker)
        if not all(v for k, v in document.items()):
            dispatcher.utter_message(response="utter_card_form_incomplete")
            return end_of_flow()
        try:
            kyc = await bank.customers.submit_kyc(who, KycApplication(**document))
        except KycRejected as err:
            # Nothing is opened; the application's data leaves the slots.
            dispatcher.utter_message(text=user_message(err))
            if err.reason in ("underage", "blocklisted"):
                dispatcher.utter_message(response="utter_card_kyc_rejected_final")
            else:
                dispatcher.utter_message(response="utter_card_kyc_rejected_retry")
            return end_of_flow()
        except InvalidRequest as err:
            if err.details.get("field") == "passport_ref":
                dispatcher.utter_message(response="utter_card_passport_ref_expired")
            else:
                dispatcher.utter_message(text=user_message(err))
            return end_of_flow()
        basic_card = find_card(await bank.cards.owned(who), BASIC)
        try:
            await open_tariff_card(dispatcher, tracker, bank, who, basic_card, kyc)
        except BankError as err:
            # Verified, but the card itself failed: nothing half-made, and no form next time.
            logger.warning("tariff card after KYC failed: bank error %s", err.code)
            if isinstance(err, LoginRequired):
                raise
            dispatcher.utter_message(response="utter_card_verified_not_issued")
            return end_of_flow()
        return end_of_flow(keep_home_address=True)
