"""`action_bill_completed`: the end of bill_form: on success the summary, the receipt (picture
and PDF), the new balance and the offer to save a template; always clears the payment's slots
(what a template needs stays in `bill_last`)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.bill_payments import catalog
from actions.bill_payments.flow import BILL_SLOTS
from actions.common.money import DEFAULT_CURRENCY, money_text
from actions.common.receipts import publish_receipt, when

TITLE = "Payment receipt"
FOOTER = "This receipt confirms the payment was completed by the bank."


def receipt_rows(result: dict) -> list[tuple[str, str]]:
    currency = result.get("currency") or DEFAULT_CURRENCY
    return [
        ("Receipt No.", str(result.get("receipt_no") or "-")),
        ("Date", when(result.get("at"))),
        ("Provider", str(result.get("provider_name") or result.get("provider_id") or "-")),
        ("Account", catalog.mask(result.get("account")) or "-"),
        ("Amount", money_text(result.get("amount"), currency, "-")),
        ("Fee", money_text(result.get("fee") or "0", currency, "-")),
        ("Total", money_text(result.get("total") or result.get("amount"), currency, "-")),
        ("Status", "Completed"),
    ]


class ActionBillCompleted(Action):
    def name(self) -> str:
        return "action_bill_completed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        result = tracker.get_slot("bill_result") or {}
        status = tracker.get_slot("bill_status")
        last = tracker.get_slot("bill_last")
        if status == "completed" and result:
            currency = result.get("currency") or DEFAULT_CURRENCY
            dispatcher.utter_message(
                response="utter_bill_paid",
                amount=money_text(result.get("amount"), currency, "-"),
                provider=result.get("provider_name") or "",
                account=catalog.mask(result.get("account")),
                fee=money_text(result.get("fee") or "0", currency, "-"),
                balance=money_text(result.get("balance_after"), currency, "-"),
                receipt_no=result.get("receipt_no") or "",
            )
            image_url, pdf_url = publish_receipt(TITLE, receipt_rows(result), FOOTER)
            dispatcher.utter_message(response="utter_bill_receipt_caption", image_url=image_url)
            dispatcher.utter_message(attachment={"url": pdf_url, "name": "receipt.pdf"})
            dispatcher.utter_message(response="utter_bill_offer_template")
            last = {"provider_id": result.get("provider_id"), "account": result.get("account"),
                    "amount": result.get("amount"), "provider_name": result.get("provider_name")}
        return [SlotSet(name, None) for name in BILL_SLOTS] + [SlotSet("bill_last", last)]
