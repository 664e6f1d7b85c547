"""`action_cancel_bill`: "no"/"cancel" during bill_form. "Nothing was paid" is said only when it
is true: once a payment was asked of the bank (its answer may have been lost), the bank is asked
first whether a payment was made under this payment's key."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.bill_payments.flow import BILL_SLOTS
from actions.common.bank import bank
from actions.common.conversation import identity
from actions.common.money import format_money
from bankclient import BankError, NotFound


async def say_cancelled(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """What the customer hears when the payment is called off (the rule's action, or the form
    itself when it is handed the "no")."""
    key = tracker.get_slot("bill_key")  # set once the bank was asked to pay
    paid = None
    if key:
        try:
            paid = await bank().bills.payment_by_key(identity(tracker), key)
        except NotFound:
            paid = None
        except BankError:
            dispatcher.utter_message(response="utter_bill_cancel_unknown")
            return
    if paid is not None:
        dispatcher.utter_message(response="utter_bill_cancel_already_paid",
                                 amount=format_money(paid.amount, paid.currency),
                                 receipt=paid.receipt_no or "")
    else:
        dispatcher.utter_message(response="utter_bill_cancelled")


class ActionCancelBill(Action):
    def name(self) -> str:
        return "action_cancel_bill"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        await say_cancelled(dispatcher, tracker)
        return self._clear()

    @staticmethod
    def _clear() -> list[EventType]:
        return [ActiveLoop(None), SlotSet("requested_slot", None),
                *[SlotSet(name, None) for name in BILL_SLOTS]]  # fmt: skip
