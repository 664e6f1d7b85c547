"""`action_partner_offers` (behind the login gate): the partner catalog listed, one partner's
offers explained, or a personal promo code activated.

Activating asks the partner's own API (`bank.partners`, the bank client's external side) for
a code, then the bank records it. The partner call carries an idempotency key derived from the
customer and the offer, so its one retry (slow partner) and any later repeat get the same code,
and the bank keeps the first code it recorded: asking again never makes a second one. A slow or
down partner gets a clear answer and nothing is recorded."""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.conversation import request_message
from actions.common.login_gate import SensitiveAction
from actions.partners.match import match_partner, match_topic, on_topic, wants_promo_code
from bankclient import (
    Bank,
    Offer,
    PartnerError,
    PartnerUnavailable,
    idempotency_key,
)

logger = logging.getLogger(__name__)

PARTNER_API = "partner_sandbox"  # the registered partner client (bankclient/partners.py)
REASONS = {
    "ended": "has ended",
    "not_started": "hasn't started yet",
    "card_required": "is for our card holders: get a card first (say \"get a card\")",
    "tariff_required": "is for Digital Tariff Card holders (ask me about the Tariff Card)",
    "campaign_ended": "has ended",
}


def offer_line(offer: Offer) -> str:
    who = "Tariff Card" if offer.eligibility == "tariff" else "any card"
    when = "" if offer.active else " (ended)"
    return f"• {offer.partner_name}: {offer.title} ({who}){when}"


def offer_detail(offer: Offer) -> str:
    who = "Digital Tariff Card holders" if offer.eligibility == "tariff" else "any card holder"
    when = f"until {offer.ends_at}" if offer.active else f"ended {offer.ends_at}"
    return f"• {offer.title}: {offer.details} For {who}, {when}."


class ActionPartnerOffers(SensitiveAction):
    intent = "partner_offers"

    def name(self) -> str:
        return "action_partner_offers"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        text = request_message(tracker, "partner_offers").get("text") or ""
        catalog = await bank.offers.catalog()
        partner_id = match_partner(text, catalog)
        if partner_id:
            mine = [o for o in catalog if o.partner_id == partner_id]
            name = mine[0].partner_name
            if wants_promo_code(text):
                promos = [o for o in mine if o.kind == "promo_code"]
                promo = next((o for o in promos if o.active), promos[0] if promos else None)
                if promo is None:
                    dispatcher.utter_message(response="utter_partner_promo_none", partner=name,
                                             offers="\n".join(map(offer_detail, mine)))
                    return []
                await self.activate(dispatcher, bank, who, promo)
                return []
            dispatcher.utter_message(response="utter_partner_offer_details", partner=name,
                                     offers="\n".join(map(offer_detail, mine)))
            return []
        topic = match_topic(text)
        shown = [o for o in catalog if o.active]
        if topic:
            shown = [o for o in shown if on_topic(o, topic)]
            if not shown:
                partners = sorted({o.partner_name for o in catalog})
                dispatcher.utter_message(response="utter_partner_offers_none", topic=topic,
                                         partners=", ".join(partners))
                return []
        if wants_promo_code(text) and not topic:
            shown = [o for o in shown if o.kind == "promo_code"] or shown
        dispatcher.utter_message(response="utter_partner_offers_list",
                                 topic=f" ({topic})" if topic else "",
                                 offers="\n".join(map(offer_line, shown)))
        return []

    @staticmethod
    async def activate(dispatcher: CollectingDispatcher, bank: Bank, who: str,
                       offer: Offer) -> None:
        status = await bank.offers.status(who, offer.offer_id)
        if status.promo_code is not None:
            dispatcher.utter_message(response="utter_partner_promo_again",
                                     partner=offer.partner_name, code=status.promo_code.code,
                                     title=offer.title)
            return
        if not status.eligible:
            dispatcher.utter_message(response="utter_partner_promo_not_eligible",
                                     title=offer.title,
                                     reason=REASONS.get(status.reason or "", "isn't available"))
            return
        key = idempotency_key("promo", status.customer_ref, offer.offer_id)
        try:
            issued = await bank.partners.get(PARTNER_API).issue_promo_code(
                offer.partner_id, status.customer_ref, status.campaign or offer.campaign or "",
                idempotency_key=key,
            )
        except PartnerUnavailable:
            logger.warning("partner %s unavailable for a promo code", offer.partner_id)
            dispatcher.utter_message(response="utter_partner_unavailable",
                                     partner=offer.partner_name)
            return
        except PartnerError as err:
            logger.warning("partner %s refused a promo code: %s", offer.partner_id, err.code)
            dispatcher.utter_message(response="utter_partner_promo_not_eligible",
                                     title=offer.title,
                                     reason=REASONS.get(err.code or "", "isn't available now"))
            return
        recorded = await bank.offers.record_promo_code(who, offer.offer_id, issued.code,
                                                       issued.partner_ref)
        dispatcher.utter_message(response="utter_partner_promo_issued",
                                 partner=offer.partner_name, code=recorded.code,
                                 title=issued.gives or offer.title)
