"""`action_cancel_transfer`: "no"/"cancel" during the transfer form.

"No money was sent" is said only when it is true: if this conversation already asked the bank
to send the quoted transfer (an answer may have been lost: timeout, bank down), the bank is
asked first whether it committed a transfer under this conversation's idempotency key."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.bank import bank
from actions.common.conversation import identity
from actions.common.flow import FlowStop
from actions.common.money import format_money
from actions.transfers.execute import execution_key
from actions.transfers.flow import PENDING_KEY_SLOT
from bankclient import BankError


class ActionCancelTransfer(FlowStop):
    def name(self) -> str:
        return "action_cancel_transfer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        quote_id = tracker.get_slot("transfer_quote_id")
        pending = tracker.get_slot(PENDING_KEY_SLOT)  # a send whose answer was lost
        sent = None
        if quote_id or pending:
            who = identity(tracker)
            try:
                sent = await bank().transfers.find_by_key(
                    who, pending or execution_key(who, quote_id))
            except BankError:
                dispatcher.utter_message(response="utter_transfer_cancel_unknown")
                return await super().run(dispatcher, tracker, domain)
        if sent is not None:
            dispatcher.utter_message(
                response="utter_transfer_cancel_already_sent",
                amount=format_money(sent.amount, sent.currency),
                receipt=sent.receipt_no or "",
            )
        else:
            dispatcher.utter_message(response="utter_transfer_cancelled")
        return await super().run(dispatcher, tracker, domain)  # the form ends, slots cleared
