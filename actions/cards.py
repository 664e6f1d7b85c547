"""Card issuing: the basic digital card, the Digital Tariff Card (KYC), upgrade, card info and
plastic card orders.

Flow (rules in data/cards/rules.yml):
  issue_card → login gate → action_card_start, which looks at the customer's cards and sets
  `card_flow`:  basic_ready (name known) → action_issue_basic_card
                basic (name needed)      → basic_card_form → action_issue_basic_card
                tariff (KYC needed)      → tariff_card_form → action_submit_tariff_card
                none (answered already: has the card, verified upgrade done, bank down)
  order_plastic_card → login gate → action_plastic_start (status of an open order, or
  card_flow=plastic → plastic_card_form → action_order_plastic).
Personal data collected by the forms is cleared from the slots as soon as the bank has it.
"""

from __future__ import annotations

import abc
import json
import logging
import re
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.bank.errors import (
    AlreadyHasCard,
    BankError,
    BankUnavailable,
    InvalidRequest,
    KycRejected,
    LoginRequired,
    user_message,
)
from actions.card_forms import ABORT_SLOT, TARIFF_FIELDS, unseal
from actions.card_image import render_card
from actions.card_schemas import check_field, holder_name, split_address
from actions.media import publish_png
from actions.session import SensitiveAction, apologise, get_bank, identity, relogin_events

logger = logging.getLogger(__name__)

FLOW_SLOT = "card_flow"
TIER_SLOT = "card_tier"
BASIC, TARIFF = "basic", "tariff"
OPEN_ORDER_STATUSES = ("ordered", "shipped")
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1c7a52-3d0e-4f4b-9a41-0c2b1f7e6a10")
HOLDER_NAME_MAX = 26

# Slots each flow fills; cleared when the flow ends, however it ends.
BASIC_SLOTS = ("card_holder_name",)
TARIFF_SLOTS = (*TARIFF_FIELDS, "passport_masked")
PLASTIC_SLOTS = ("delivery_address",)


# --------------------------------------------------------------------------- helpers


def flow(value: str) -> SlotSet:
    return SlotSet(FLOW_SLOT, value)


def end_of_flow(*, keep_home_address: bool = False) -> list[EventType]:
    """Forget everything the card flows collected (no personal data lingers in the tracker)."""
    slots = [*BASIC_SLOTS, *TARIFF_SLOTS, *PLASTIC_SLOTS, TIER_SLOT, ABORT_SLOT]
    if keep_home_address:
        slots.remove("home_address")  # offered as the plastic card's delivery address
    return [SlotSet(name, None) for name in slots] + [flow("none")]


def active_cards(cards: list[dict]) -> list[dict]:
    return [c for c in cards if c.get("status") != "blocked"]


def find_card(cards: list[dict], tariff: str) -> dict | None:
    return next((c for c in active_cards(cards) if c.get("tariff") == tariff), None)


def idempotency_key(tracker: Tracker, tier: str) -> str:
    """Derived from the conversation: the same request (retried action, doubled delivery of the
    same step) gets the same key, so the bank issues at most one card for it."""
    anchor = ""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
            if intent == "issue_card":
                anchor = str(event.get("message_id") or event.get("timestamp") or "")
                break
    return str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{identity(tracker)}|{tier}|{anchor}"))


def embossed_name(name: str) -> str:
    return holder_name(name)[:HOLDER_NAME_MAX].strip()


def fmt_money(value: Any, currency: str = "UAH") -> str:
    try:
        return f"{value:,.2f} {currency}".replace(",", " ")
    except (TypeError, ValueError):
        return f"{value} {currency}"


def cashback_lines(cashback: dict | None) -> str:
    categories = (cashback or {}).get("categories") or []
    return "\n".join(f"• {c.get('title')}: {c.get('percent')}%" for c in categories)


async def send_card(
    dispatcher: CollectingDispatcher, bank: Any, who: str, card: dict
) -> None:
    """The card picture, then the one-time link to see the full details on the bank's page."""
    png = render_card(
        masked_number=card.get("masked") or "",
        holder_name=card.get("holder_name") or "",
        tariff=card.get("tariff") or BASIC,
        expiry=card.get("expiry"),
    )
    dispatcher.utter_message(image=publish_png(png))
    try:
        link = await bank.rest.secure_link(who, "card_details", card.get("card_id"))
    except BankError as err:
        # The card exists; the link can be asked for later ("show my card details").
        logger.warning("no card-details link: bank error %s", err.code)
        dispatcher.utter_message(response="utter_card_details_later")
        return
    minutes = max(1, int(link.get("expires_in") or 300) // 60)
    dispatcher.utter_message(
        response="utter_card_details_link", url=link.get("url"), minutes=minutes
    )


class CardAction(SensitiveAction):
    """A card action behind the login gate: any bank failure ends the flow cleanly."""

    intent = "issue_card"

    @abc.abstractmethod
    def name(self) -> str:
        """Abstract, so the action server registers the subclasses and not this base."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            return await self.perform(dispatcher, tracker, domain, get_bank(), identity(tracker))
        except LoginRequired:
            return [flow("none"), *relogin_events(dispatcher, domain, self.intent)]
        except BankError as err:
            logger.warning("%s failed: bank error %s", self.name(), err.code)
            if isinstance(err, BankUnavailable):
                dispatcher.utter_message(response="utter_card_bank_unavailable")
            else:
                apologise(dispatcher, err)
            return end_of_flow()


# --------------------------------------------------------------------------- issue_card


class ActionCardStart(CardAction):
    def name(self) -> str:
        return "action_card_start"

    async def perform(self, dispatcher, tracker, domain, bank, who) -> list[EventType]:
        tier = TARIFF if tracker.get_slot(TIER_SLOT) == TARIFF else BASIC
        cards = await bank.rest.cards(who)
        tariff_card, basic_card = find_card(cards, TARIFF), find_card(cards, BASIC)
        if tariff_card:
            dispatcher.utter_message(
                response="utter_card_already_tariff", masked=tariff_card.get("masked")
            )
            return end_of_flow()
        if tier == BASIC:
            if basic_card:
                dispatcher.utter_message(
                    response="utter_card_already_basic", masked=basic_card.get("masked")
                )
                return end_of_flow()
            return await self._basic(dispatcher, tracker, bank, who)
        me = await bank.rest.me(who)
        if me.get("kyc_level") == "verified":
            # Already verified (e.g. KYC done earlier): no form, straight to the card.
            await open_tariff_card(dispatcher, tracker, bank, who, basic_card, None)
            return end_of_flow(keep_home_address=True)
        dispatcher.utter_message(
            response="utter_card_upgrade_intro" if basic_card else "utter_card_tariff_intro"
        )
        return [SlotSet(ABORT_SLOT, None), flow(TARIFF)]

    @staticmethod
    async def _basic(dispatcher, tracker, bank, who) -> list[EventType]:
        for name in names_in_request(tracker):
            clean, problem = check_field("basic_card_form", "card_holder_name", name)
            if not problem:
                return [SlotSet("card_holder_name", clean), flow("basic_ready")]
        profile = await bank.rest.me(who)
        # Pre-filled only from a full name the bank holds (a first name alone won't do).
        if profile.get("full_name"):
            clean, problem = check_field(
                "basic_card_form", "card_holder_name", profile["full_name"]
            )
            if not problem:
                return [SlotSet("card_holder_name", clean), flow("basic_ready")]
        return [SlotSet("card_holder_name", None), SlotSet(ABORT_SLOT, None), flow(BASIC)]


NAME_IN_REQUEST_RE = re.compile(
    r"\b(?:my (?:full )?name is|my name's|i'm|i am|name:|for|in the name of)\s+"
    r"(?P<name>[^\W\d_]+(?:['’-][^\W\d_]+)*(?:\s+[^\W\d_]+(?:['’-][^\W\d_]+)*){1,2})",
    re.IGNORECASE,
)


def issue_request_event(tracker: Tracker) -> dict | None:
    """The customer's issue_card message that started this flow (maybe before a login)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if (event.get("parse_data") or {}).get("intent", {}).get("name") == "issue_card":
                return event
    return None


def names_in_request(tracker: Tracker) -> list[str]:
    """Candidates for the card's name from the request itself ("a card, I'm Anna Ivanova"):
    the slot, the person_name entities together (the NLU sometimes splits a name), the text."""
    found = [tracker.get_slot("card_holder_name")]
    event = issue_request_event(tracker) or {}
    parse = event.get("parse_data") or {}
    parts = [str(e.get("value")) for e in parse.get("entities") or []
             if e.get("entity") == "person_name"]  # fmt: skip
    found.append(" ".join(parts))
    match = NAME_IN_REQUEST_RE.search(event.get("text") or "")
    if match:
        found.append(match.group("name"))
    return [n for n in found if n]


class ActionIssueBasicCard(CardAction):
    def name(self) -> str:
        return "action_issue_basic_card"

    async def perform(self, dispatcher, tracker, domain, bank, who) -> list[EventType]:
        name = tracker.get_slot("card_holder_name")
        if tracker.get_slot(ABORT_SLOT) or not name:
            return end_of_flow()
        try:
            card = await bank.rest.issue_card(
                who, BASIC, embossed_name(name), idempotency_key(tracker, BASIC)
            )
        except AlreadyHasCard:
            cards = await bank.rest.cards(who)
            existing = find_card(cards, BASIC) or find_card(cards, TARIFF) or {}
            dispatcher.utter_message(
                response="utter_card_already_basic", masked=existing.get("masked")
            )
            return end_of_flow()
        dispatcher.utter_message(response="utter_card_issued_basic", masked=card.get("masked"))
        await send_card(dispatcher, bank, who, card)
        dispatcher.utter_message(response="utter_card_offer_tariff")
        return end_of_flow()


# --------------------------------------------------------------------------- tariff card


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
    bank: Any,
    who: str,
    basic_card: dict | None,
    kyc: dict | None,
) -> dict:
    """Verified customer → upgrade the basic card, or issue the Digital Tariff Card."""
    if basic_card:
        card = await bank.rest.upgrade_card(who, basic_card["card_id"])
        dispatcher.utter_message(response="utter_card_upgraded", masked=card.get("masked"))
    else:
        name = tracker.get_slot("full_name") or (await bank.rest.me(who)).get("first_name") or ""
        try:
            card = await bank.rest.issue_card(
                who, TARIFF, embossed_name(name), idempotency_key(tracker, TARIFF)
            )
        except AlreadyHasCard:  # issued a moment ago (a repeated request): show that one
            card = find_card(await bank.rest.cards(who), TARIFF) or {}
        dispatcher.utter_message(response="utter_card_issued_tariff", masked=card.get("masked"))
    limit = (kyc or {}).get("credit_limit") or card.get("credit_limit")
    cashback = (kyc or {}).get("cashback") or card.get("cashback") or {}
    dispatcher.utter_message(
        response="utter_card_tariff_terms",
        credit_limit=fmt_money(limit, (kyc or card).get("currency") or "UAH"),
        min_percent=cashback.get("min_percent", "2"),
        max_percent=cashback.get("max_percent", "33"),
        categories=cashback_lines(cashback),
    )
    if card.get("masked"):
        await send_card(dispatcher, bank, who, card)
    dispatcher.utter_message(response="utter_card_offer_plastic")
    return card


class ActionSubmitTariffCard(CardAction):
    def name(self) -> str:
        return "action_submit_tariff_card"

    async def perform(self, dispatcher, tracker, domain, bank, who) -> list[EventType]:
        if tracker.get_slot(ABORT_SLOT):
            return end_of_flow()
        document = kyc_document(tracker)
        if not all(v for k, v in document.items()):
            dispatcher.utter_message(response="utter_card_form_incomplete")
            return end_of_flow()
        try:
            kyc = await bank.rest.submit_kyc(who, document)
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
        basic_card = find_card(await bank.rest.cards(who), BASIC)
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


# --------------------------------------------------------------------------- stop / info


class ActionCardStop(Action):
    """"stop" / "no" in the middle of a card form: end it, keep nothing, open nothing."""

    def name(self) -> str:
        return "action_card_stop"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        dispatcher.utter_message(response="utter_card_stopped")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *end_of_flow()]


class ActionCardInfo(Action):
    """Tariffs, cashback categories and conditions, from the bank's catalogue."""

    def name(self) -> str:
        return "action_card_info"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        try:
            catalogue = await get_bank().rest.tariffs()
        except BankError as err:
            logger.warning("tariffs unavailable: bank error %s", err.code)
            dispatcher.utter_message(response="utter_card_info_offline")
            return []
        tariffs = {t.get("code"): t for t in catalogue.get("tariffs") or []}
        basic, tariff = tariffs.get(BASIC) or {}, tariffs.get(TARIFF) or {}
        cashback = tariff.get("cashback") or {}
        delivery = (catalogue.get("plastic_delivery") or {}).get("delivery_business_days")
        dispatcher.utter_message(
            response="utter_card_info",
            basic_name=basic.get("name", "Basic digital card"),
            basic_conditions="; ".join(basic.get("conditions") or []),
            tariff_name=tariff.get("name", "Digital Tariff Card"),
            tariff_conditions="; ".join(tariff.get("conditions") or []),
            min_percent=cashback.get("min_percent", "2"),
            max_percent=cashback.get("max_percent", "33"),
            categories=cashback_lines(cashback),
            delivery_days=delivery or "a few",
        )
        if tracker.active_loop_name:
            dispatcher.utter_message(response="utter_card_back_to_form")
        else:
            dispatcher.utter_message(response="utter_card_info_next")
        return []


# --------------------------------------------------------------------------- plastic card


class ActionPlasticStart(CardAction):
    intent = "order_plastic_card"

    def name(self) -> str:
        return "action_plastic_start"

    async def perform(self, dispatcher, tracker, domain, bank, who) -> list[EventType]:
        orders = await bank.rest.plastic_orders(who)
        open_orders = [o for o in orders if o.get("status") in OPEN_ORDER_STATUSES]
        if open_orders:
            order = open_orders[0]
            dispatcher.utter_message(
                response="utter_plastic_status",
                masked=order.get("masked") or "your card",
                status=order.get("status"),
                date=order.get("estimated_delivery"),
                city=(order.get("address") or {}).get("city") or "",
            )
            return [flow("none")]
        cards = await bank.rest.cards(who)
        if find_card(cards, TARIFF):
            return [SlotSet(ABORT_SLOT, None), SlotSet("delivery_address", None), flow("plastic")]
        if find_card(cards, BASIC):
            dispatcher.utter_message(response="utter_plastic_needs_tariff")
        else:
            dispatcher.utter_message(response="utter_plastic_needs_card")
        return [flow("none")]


class ActionAskDeliveryAddress(Action):
    """Asks for the delivery address, offering the home address given in the application."""

    def name(self) -> str:
        return "action_ask_delivery_address"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        home = tracker.get_slot("home_address")
        buttons = [{"title": "Cancel", "payload": "/deny"}]
        if home:
            payload = "/inform" + json.dumps({"address": home}, ensure_ascii=False)
            buttons.insert(0, {"title": f"Deliver to {home}"[:60], "payload": payload})
        dispatcher.utter_message(response="utter_ask_delivery_address", buttons=buttons)
        return []


class ActionOrderPlastic(CardAction):
    intent = "order_plastic_card"

    def name(self) -> str:
        return "action_order_plastic"

    async def perform(self, dispatcher, tracker, domain, bank, who) -> list[EventType]:
        address = split_address(tracker.get_slot("delivery_address") or "")
        if tracker.get_slot(ABORT_SLOT) or address is None:
            return end_of_flow()
        card = find_card(await bank.rest.cards(who), TARIFF)
        if card is None:
            dispatcher.utter_message(response="utter_plastic_needs_tariff")
            return end_of_flow()
        order = await bank.rest.order_plastic(who, card["card_id"], address)
        dispatcher.utter_message(
            response="utter_plastic_ordered",
            masked=card.get("masked"),
            street=address["street"],
            city=address["city"],
            date=order.get("estimated_delivery"),
        )
        return end_of_flow()
