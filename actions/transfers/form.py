"""`transfer_form`, declared on the flow engine (`actions.common.flow`): amount and card (from
the request or asked), the bank's quote (`quote`), the confirmation (the engine's rule: only an
explicit yes sends), the step-up code (`step_up`, verified by `actions.common.otp`) and sending
the money (`execute`). See the package's docstring for the conversation."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.bank import bank
from actions.common.conversation import latest_intent
from actions.common.flow import read_amount
from actions.common.otp import OTP_SLOT, StepUpValidation
from actions.common.parsing import card_token_in, has_raw_card_number
from actions.transfers.execute import execute, settle_pending
from actions.transfers.flow import CHALLENGE_SLOT, TRANSFER_SLOTS, stop
from actions.transfers.quote import quote_if_ready
from actions.transfers.step_up import start_step_up
from bankclient import BankError, InvalidCard, NotFound, refs

_QUESTIONS = ("transfer_amount", "transfer_card_token", "transfer_confirmed")
_CORRECTING = re.compile(r"\b(make it|change|instead|actually|only|just|rather)\b", re.I)


class ValidateTransferForm(StepUpValidation):
    form = "transfer_form"
    intent = "transfer_money"
    slots = TRANSFER_SLOTS
    boundaries = frozenset({"action_transfer_completed", "action_cancel_transfer",
                            "action_restart"})
    confirm_slot = "transfer_confirmed"
    stop_action = "action_cancel_transfer"
    challenge_slot = CHALLENGE_SLOT
    otp_failed_response = "utter_transfer_otp_failed"
    ended_by = "transfer_status"  # sent, or stopped (bank down, codes exhausted)

    def name(self) -> str:
        return "validate_transfer_form"

    async def questions(self, slots: list[str], tracker: Tracker) -> list[str]:
        quote = tracker.get_slot("transfer_quote") or {}
        if tracker.get_slot("transfer_confirmed") and quote.get("requires_step_up"):
            slots.append(OTP_SLOT)
        return slots

    async def after_answers(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """A new quote as soon as amount and card are known (or changed)."""
        return {e["name"]: e["value"] for e in await quote_if_ready(dispatcher, tracker)}

    async def instead(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """"no, make it 200" / "change the amount" at the quote: a new amount (or asked)."""
        message = tracker.latest_message or {}
        if latest_intent(tracker) == "change_amount" and not read_amount(message, True).found:
            return {"transfer_amount": None}  # the form asks for the new amount
        answer = read_amount(message, asked=bool(_CORRECTING.search(message.get("text") or "")
                                                 or latest_intent(tracker) == "deny"))
        if answer.amount is not None and str(answer.amount) != tracker.get_slot(
                "transfer_amount"):
            return {"transfer_amount": str(answer.amount)}
        return {}

    # -- amount ------------------------------------------------------------------------------

    async def extract_transfer_amount(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self.starting(tracker) and not self.asked(tracker, *_QUESTIONS):
            return {}
        message = self.source(tracker)
        asked = self.asked(tracker, "transfer_amount")
        answer = read_amount(message, asked=asked)
        result: dict[str, Any] = {"transfer_currency": answer.currency} if answer.currency else {}
        if answer.problem:
            dispatcher.utter_message(response="utter_transfer_amount_invalid",
                                     problem=answer.problem)
            return {**result, "transfer_amount": None}
        if answer.amount is not None:
            return {**result, "transfer_amount": str(answer.amount)}
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
        if not self.starting(tracker) and not self.asked(tracker, *_QUESTIONS):
            return {}
        message = self.source(tracker)
        token = card_token_in(message)
        if token:
            return {"transfer_card_token": token}
        if has_raw_card_number(message):
            # Digits that look like a card number but failed the Luhn check: never kept.
            dispatcher.utter_message(response="utter_transfer_card_invalid")
            return {"transfer_card_token": None}
        if self.asked(tracker, "transfer_card_token") and latest_intent(tracker) in (
            "inform",
            "transfer_money",
        ):
            if not read_amount(message, asked=False).found:
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

    # -- the explicit yes (read by the engine) sends, or asks the step-up code first ------------

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

    async def operate(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, step_up_token: str | None
    ) -> dict[str, Any]:
        quote = tracker.get_slot("transfer_quote") or {}
        return await execute(dispatcher, tracker, quote, step_up_token=step_up_token)

    def bank_failed(
        self, dispatcher: CollectingDispatcher, err: BankError, what: str
    ) -> dict[str, Any]:
        return stop(dispatcher, err, what)
