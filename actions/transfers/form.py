"""`transfer_form`'s validation: amount and card (from the request or asked), the bank's quote
(`quote`), confirmation, the step-up code (`step_up`, verified by `actions.common.otp`) and
sending the money (`execute`). See the package's docstring for the conversation."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.bank import bank
from actions.common.conversation import latest_intent, request_message
from actions.common.otp import OTP_SLOT, VERIFIED_CODE, StepUpValidation
from actions.common.parsing import (
    amount_in,
    card_token_in,
    currency_in,
    has_raw_card_number,
    parse_customer_amount,
)
from actions.transfers.execute import execute, settle_pending
from actions.transfers.flow import CHALLENGE_SLOT, TRANSFER_SLOTS, stop
from actions.transfers.quote import quote_if_ready
from actions.transfers.step_up import start_step_up
from bankclient import BankError, InvalidCard, NotFound, StepUpToken, refs

# Actions after which an older transfer_money message no longer belongs to the current one.
_FLOW_BOUNDARIES = frozenset(
    {"action_transfer_completed", "action_cancel_transfer", "action_restart"}
)


def _activating(tracker: Tracker) -> bool:
    """The form is starting: Rasa gives the validation no requested slot yet."""
    return tracker.get_slot("requested_slot") is None


def _source_message(tracker: Tracker, activation: bool) -> dict[str, Any]:
    if not activation:
        return tracker.latest_message or {}
    return request_message(tracker, "transfer_money", _FLOW_BOUNDARIES)


class ValidateTransferForm(StepUpValidation):
    challenge_slot = CHALLENGE_SLOT

    def name(self) -> str:
        return "validate_transfer_form"

    # -- which slots -------------------------------------------------------------------

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("transfer_status"):
            return []  # completed or stopped: the form ends
        slots = list(domain_slots)
        quote = tracker.get_slot("transfer_quote") or {}
        if tracker.get_slot("transfer_confirmed") and quote.get("requires_step_up"):
            slots.append(OTP_SLOT)
        return slots

    # -- the turn ------------------------------------------------------------------------

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reset: list[EventType] = []
        if _activating(tracker):
            # A new transfer: forget whatever an earlier one left behind.
            reset = [SlotSet(name, None) for name in TRANSFER_SLOTS]
            # Not as tracker events: those would be "validated" again and override results.
            tracker.slots.update({name: None for name in TRANSFER_SLOTS})
        events = await super().run(dispatcher, tracker, domain)
        quote_events = await quote_if_ready(dispatcher, tracker)
        tracker.add_slots(quote_events)
        # Always name the next slot ourselves: the quote may have cleared amount or card.
        events = [e for e in events if e.get("name") != "requested_slot"] + quote_events
        required = await self.required_slots(
            self.domain_slots(domain), dispatcher, tracker, domain
        )
        missing = next((s for s in required if tracker.slots.get(s) is None), None)
        return reset + events + [SlotSet("requested_slot", missing)]

    def _expects(self, tracker: Tracker, *slots: str | None) -> bool:
        return tracker.get_slot("requested_slot") in slots

    # -- amount ------------------------------------------------------------------------------

    async def extract_transfer_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        activation = _activating(tracker)
        if not activation and not self._expects(
            tracker, "transfer_amount", "transfer_card_token", "transfer_confirmed"
        ):
            return {}
        message = _source_message(tracker, activation)
        asked = self._expects(tracker, "transfer_amount")
        raw = amount_in(message, answer_expected=asked)
        currency = currency_in(message)
        result: dict[str, Any] = {}
        if currency:
            result["transfer_currency"] = currency
        if raw is not None:
            amount, problem = parse_customer_amount(raw)
            if amount is None:
                dispatcher.utter_message(response="utter_transfer_amount_invalid", problem=problem)
                return {**result, "transfer_amount": None}
            return {**result, "transfer_amount": str(amount)}
        if self._expects(tracker, "transfer_confirmed") and latest_intent(tracker) == (
            "change_amount"
        ):
            return {**result, "transfer_amount": None}  # the form asks for the new amount
        if asked and latest_intent(tracker) in ("inform", "transfer_money", "change_amount"):
            if card_token_in(message) is None and not has_raw_card_number(message):
                dispatcher.utter_message(response="utter_transfer_amount_missing")
                return {**result, "transfer_amount": None}
        return result

    async def validate_transfer_amount(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return {"transfer_amount": value or None}

    # -- card -----------------------------------------------------------------------------

    async def extract_transfer_card_token(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        activation = _activating(tracker)
        if not activation and not self._expects(
            tracker, "transfer_amount", "transfer_card_token", "transfer_confirmed"
        ):
            return {}
        message = _source_message(tracker, activation)
        token = card_token_in(message)
        if token:
            return {"transfer_card_token": token}
        if has_raw_card_number(message):
            # Digits that look like a card number but failed the Luhn check: never kept.
            dispatcher.utter_message(response="utter_transfer_card_invalid")
            return {"transfer_card_token": None}
        if self._expects(tracker, "transfer_card_token") and latest_intent(tracker) in (
            "inform",
            "transfer_money",
        ):
            if amount_in(message, answer_expected=False) is None:
                dispatcher.utter_message(response="utter_transfer_card_missing")
                return {"transfer_card_token": None}
        return {}

    async def validate_transfer_card_token(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        cleared = {"transfer_card_token": None, "transfer_card_masked": None}
        if not value:
            return cleared
        if value == refs.CARD_TOKEN_UNAVAILABLE:
            dispatcher.utter_message(response="utter_transfer_card_unavailable")
            return cleared
        if value == tracker.get_slot("transfer_card_token") and tracker.get_slot(
            "transfer_card_masked"
        ):
            return {"transfer_card_token": value}
        try:
            card = await bank().vault.card_lookup(value)
        except NotFound:
            dispatcher.utter_message(response="utter_transfer_card_not_found")
            return cleared
        except InvalidCard:
            dispatcher.utter_message(response="utter_transfer_card_invalid")
            return cleared
        except BankError as err:
            return stop(dispatcher, err, "card lookup")
        recipient = None if card.own_bank else card.bank_name
        return {
            "transfer_card_token": value,
            "transfer_card_masked": card.masked or f"•••• {card.last4}",
            "transfer_recipient": recipient,
        }

    # -- confirmation ---------------------------------------------------------------------

    async def extract_transfer_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self._expects(tracker, "transfer_confirmed"):
            return {}
        if latest_intent(tracker) == "affirm":
            return {"transfer_confirmed": True}
        return {}

    async def validate_transfer_confirmed(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        quote = tracker.get_slot("transfer_quote") or {}
        if not value or not quote.get("quote_id"):
            return {"transfer_confirmed": None}
        settled = await settle_pending(dispatcher, tracker)  # before a code or a send
        if settled is not None:
            return settled
        if quote.get("requires_step_up"):
            return await start_step_up(dispatcher, tracker, quote)
        return await execute(dispatcher, tracker, quote, step_up_token=None)

    # -- step-up code (actions.common.otp reads and verifies it) ---------------------------

    async def send_code(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        return await start_step_up(dispatcher, tracker, tracker.get_slot("transfer_quote") or {})

    def code_refused(self, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        dispatcher.utter_message(response="utter_transfer_otp_failed")
        return {"transfer_status": "failed"}

    def verification_failed(
        self, dispatcher: CollectingDispatcher, err: BankError
    ) -> dict[str, Any]:
        return stop(dispatcher, err, "step-up verify")

    async def code_verified(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        result: StepUpToken,
        code: str,
    ) -> dict[str, Any]:
        quote = tracker.get_slot("transfer_quote") or {}
        token = result.step_up_token
        outcome = await execute(dispatcher, tracker, quote, step_up_token=token)
        return {OTP_SLOT: VERIFIED_CODE, self.challenge_slot: None, **outcome}
