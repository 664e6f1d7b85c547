"""Saved payments: `action_save_bill_template` (the payment just made, offered after the
receipt), `action_bill_templates` (list them with "Pay" and "Remove" buttons; "delete the
internet template" or the Remove button removes one)."""

from __future__ import annotations

import difflib
import json
import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.bill_payments import catalog
from actions.common.conversation import typed_text
from actions.common.login_gate import SensitiveAction
from actions.common.money import format_money
from actions.common.parsing import entity_values
from bankclient import Bank, BillTemplate, NotFound
from bankclient.money import from_api

REMOVE_RE = re.compile(r"\b(remove|delete|forget|drop|erase|get rid of)\b", re.IGNORECASE)


def template_name(provider_name: str, account: str | None) -> str:
    return f"{provider_name} {catalog.mask(account)}".strip()


def _pick(templates: tuple[BillTemplate, ...], text: str) -> BillTemplate | None:
    words = text.lower()
    for t in templates:
        if t.name.lower().split(" •")[0] in words:
            return t
    names = {t.name.lower(): t for t in templates}
    close = difflib.get_close_matches(words, list(names), n=1, cutoff=0.4)
    return names[close[0]] if close else None


class ActionSaveBillTemplate(SensitiveAction):
    intent = "save_bill_template"

    def name(self) -> str:
        return "action_save_bill_template"

    async def perform(self, dispatcher, tracker, domain, bank: Bank, who: str) -> list[EventType]:
        last = tracker.get_slot("bill_last") or {}
        if not last.get("provider_id"):
            dispatcher.utter_message(response="utter_bill_template_nothing_to_save")
            return []
        name = template_name(last.get("provider_name") or last["provider_id"], last["account"])
        saved = await bank.bills.save_template(
            who, name, last["provider_id"], last["account"],
            from_api(last["amount"]) if last.get("amount") else None,
        )
        dispatcher.utter_message(response="utter_bill_template_saved", name=saved.name)
        return []


class ActionBillTemplates(SensitiveAction):
    intent = "bill_templates"

    def name(self) -> str:
        return "action_bill_templates"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        templates = await bank.bills.templates(who)
        text = typed_text(tracker)
        chosen = next(iter(entity_values(tracker.latest_message or {}, "bill_template")), None)
        target = next((t for t in templates if t.template_id == chosen), None)
        if target is None and REMOVE_RE.search(text):
            target = _pick(templates, REMOVE_RE.sub(" ", text))
            if target is None:
                dispatcher.utter_message(response="utter_bill_template_not_found")
                return []
        if target is not None:
            try:
                await bank.bills.delete_template(who, target.template_id)
            except NotFound:
                pass  # removed already (a doubled tap)
            dispatcher.utter_message(response="utter_bill_template_removed", name=target.name)
            return []
        if not templates:
            dispatcher.utter_message(response="utter_bill_templates_empty")
            return []
        buttons = []
        for t in templates:
            amount = f" {format_money(t.amount)}" if t.amount is not None else ""
            buttons.append({"title": f"Pay {t.name}{amount}",
                            "payload": "/pay_bill" + json.dumps({"bill_template": t.template_id})})
            buttons.append({"title": f"Remove {t.name}",
                            "payload": "/bill_templates"
                            + json.dumps({"bill_template": t.template_id})})
        dispatcher.utter_message(
            response="utter_bill_templates", count=len(templates),
            buttons=buttons,
        )
        return []
