"""`action_card_info`: for a logged-in customer with cards, their own cards first (status,
expiry, limits, credit limit, cashback; masked numbers only: `card_summary`); then the tariffs,
cashback categories and conditions, from the bank's catalogue."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards.base import cashback_terms
from actions.cards.card_summary import cards_summary
from actions.cards.slots import BASIC, TARIFF
from actions.common.bank import bank
from actions.common.conversation import identity
from actions.common.welcome import tell_welcome
from bankclient import BankError

logger = logging.getLogger(__name__)


class ActionCardInfo(Action):
    def name(self) -> str:
        return "action_card_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            catalogue = await bank().cards.tariffs()
        except BankError as err:
            logger.warning("tariffs unavailable: bank error %s", err.code)
            dispatcher.utter_message(response="utter_card_info_offline")
            return []
        if tracker.get_slot("logged_in") and not tracker.active_loop_name:
            try:
                own = await bank().cards.owned(identity(tracker))
            except BankError as err:  # an expired session: the catalogue is still an answer
                logger.info("own cards not shown: bank error %s", err.code)
                own = ()
            if own:
                dispatcher.utter_message(text=cards_summary(own, catalogue))
        basic, tariff = catalogue.get(BASIC), catalogue.get(TARIFF)
        plastic = catalogue.plastic_delivery
        dispatcher.utter_message(
            response="utter_card_info",
            basic_name=basic.name if basic else "Basic digital card",
            basic_conditions="; ".join(basic.conditions if basic else ()),
            tariff_name=tariff.name if tariff else "Digital Tariff Card",
            tariff_conditions="; ".join(tariff.conditions if tariff else ()),
            **cashback_terms(tariff.cashback if tariff else None),
            delivery_days=(plastic.delivery_business_days if plastic else None) or "a few",
        )
        await tell_welcome(dispatcher, bank(), identity(tracker))
        if tracker.active_loop_name:
            dispatcher.utter_message(response="utter_card_back_to_form")
        else:
            dispatcher.utter_message(response="utter_card_info_next")
        return []
