"""The form's questions that depend on the catalog and the bank: which category / provider
(buttons), the provider's own account field, the amount with what is owed, the confirmation
with fee and total. Texts are the catalog's responses (responses/<language>/bill_payments.yml,
rendered by the responses service with the values given here); the buttons are built from the
provider catalog."""

from __future__ import annotations

import json
from datetime import datetime

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.bill_payments import catalog
from actions.bill_payments.form import quote_text
from actions.common.money import format_money
from bankclient import BankError, Provider
from bankclient.money import from_api


def payload(intent: str, **entities: str) -> str:
    return f"/{intent}{json.dumps(entities, separators=(',', ':'))}" if entities else f"/{intent}"


class ActionAskBillProvider(Action):
    def name(self) -> str:
        return "action_ask_bill_form_bill_provider"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        category = tracker.get_slot("bill_category")
        try:
            providers = await catalog.providers()
        except BankError:
            dispatcher.utter_message(response="utter_bank_unavailable")
            return []
        if category in catalog.CATEGORIES:
            buttons = [
                {"title": p.name, "payload": payload("inform", bill_provider=p.provider_id)}
                for p in catalog.in_category(providers, category)
            ]
            dispatcher.utter_message(
                response="utter_ask_bill_provider_in_category",
                category=catalog.CATEGORY_TITLES[category],
                buttons=buttons,
            )
            return []
        buttons = [
            {"title": title, "payload": payload("inform", bill_category=code)}
            for code, title in catalog.CATEGORY_TITLES.items()
        ]
        dispatcher.utter_message(response="utter_ask_bill_category", buttons=buttons)
        return []


async def chosen_provider(tracker: Tracker) -> Provider | None:
    """The provider the form has chosen; None when none is chosen or the catalog is down (the
    question is then asked in general words)."""
    try:
        return catalog.by_id(await catalog.providers(), tracker.get_slot("bill_provider"))
    except BankError:
        return None


class ActionAskBillAccount(Action):
    def name(self) -> str:
        return "action_ask_bill_form_bill_account"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        provider = await chosen_provider(tracker)
        field = provider.field("account") if provider else None
        if provider is None or field is None:
            dispatcher.utter_message(response="utter_ask_bill_account_generic")
            return []
        buttons = []
        if provider.category == "mobile":
            buttons = [{"title": "My own number", "payload": "my phone"}]
        dispatcher.utter_message(
            response="utter_ask_bill_account", label=field.label.lower(),
            provider=provider.name, hint=field.hint, example=field.example,
            buttons=buttons,
        )
        return []


class ActionAskBillMeter(Action):
    """The meter reading, for providers whose catalog fields include one: label, format and
    example come from the provider's own field description."""

    def name(self) -> str:
        return "action_ask_bill_form_bill_meter"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        provider = await chosen_provider(tracker)
        field = provider.field("meter") if provider else None
        if provider is None or field is None:
            return []
        dispatcher.utter_message(
            response="utter_ask_bill_meter", label=field.label.lower(),
            provider=provider.name, hint=field.hint, example=field.example,
        )
        return []


class ActionAskBillAmount(Action):
    def name(self) -> str:
        return "action_ask_bill_form_bill_amount"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        provider = await chosen_provider(tracker)
        name = provider.name if provider else "the provider"
        debt = tracker.get_slot("bill_debt") or {}
        owed = from_api(debt["amount"]) if debt.get("amount") else None
        if owed is not None and owed > 0:
            dispatcher.utter_message(
                response="utter_ask_bill_amount_debt", provider=name,
                debt=format_money(owed), period=period_words(debt.get("period")),
                buttons=[{"title": f"Pay {format_money(owed)}", "payload": "/affirm"},
                         {"title": "Another amount", "payload": "/change_amount"}],
            )
            return []
        low = provider.min_amount if provider and provider.min_amount else None
        high = provider.max_amount if provider and provider.max_amount else None
        limits = f" ({format_money(low)} to {format_money(high)})" if low and high else ""
        key = "utter_ask_bill_amount_nothing_owed" if owed == 0 else "utter_ask_bill_amount"
        dispatcher.utter_message(response=key, provider=name, limits=limits)
        return []


class ActionAskBillConfirmed(Action):
    def name(self) -> str:
        return "action_ask_bill_form_bill_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        quote = tracker.get_slot("bill_quote") or {}
        if not quote.get("amount"):
            return []
        dispatcher.utter_message(
            response="utter_ask_bill_confirmed", **quote_text(quote),
            buttons=[{"title": "Pay", "payload": "/affirm"},
                     {"title": "Change amount", "payload": "/change_amount"},
                     {"title": "Cancel", "payload": "/deny"}],
        )
        return []


def period_words(period: str | None) -> str:
    """The bank's billing period "2026-10" as a customer reads it: "October 2026"."""
    try:
        return datetime.strptime(period or "", "%Y-%m").strftime("%B %Y")
    except ValueError:
        return period or "now"
