"""`action_bank_details`: the details for receiving money (a salary, a client's payment) as text,
a QR code picture and a PDF document. The IBAN is checked (python-stdnum) before it is shown."""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.accounts.details_document import detail_rows, details_pdf, iban_is_valid, qr_png
from actions.common.login_gate import SensitiveAction
from actions.common.media import publish_pdf, publish_png
from bankclient import Bank, BankDetails, NotFound

logger = logging.getLogger(__name__)


def bank_details_text(details: BankDetails) -> str:
    lines = ["Your bank details for receiving money:"]
    lines += [f"{label}: {value}" for label, value in detail_rows(details)
              if label != "Bank code"]
    return "\n".join(lines)


class ActionBankDetails(SensitiveAction):
    intent = "bank_details"

    def name(self) -> str:
        return "action_bank_details"

    async def perform(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        bank: Bank,
        who: str,
    ) -> list[EventType]:
        try:
            details = await bank.accounts.bank_details(who)
        except NotFound:
            dispatcher.utter_message(response="utter_no_accounts")
            return []
        if not iban_is_valid(details.iban):
            logger.error("the bank gave an IBAN that fails its checksum")
            dispatcher.utter_message(response="utter_bank_unavailable")
            return []
        dispatcher.utter_message(text=bank_details_text(details))
        dispatcher.utter_message(
            text="Scan or share this QR code to pay you:", image=publish_png(qr_png(details)))
        pdf_url = publish_pdf(details_pdf(details))
        dispatcher.utter_message(
            text=f"The same as a PDF document: {pdf_url}",
            buttons=[{"title": "Download PDF", "payload": pdf_url, "type": "web_url"}],
        )
        return []
