"""`login_form`: phone → the bank sends a one-time code → the code (as a vault reference) →
verified, the chat is logged in.

The code itself never reaches a slot or a log: the channel layer swaps the typed code for a vault
reference while `requested_slot` is `otp_code`; when it could not (no redacting channel), the
plain code is verified here and only "[redacted]" is kept (actions/common/otp.py).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.auth.phone import looks_like_phone_attempt, parse_phone
from actions.common.bank import bank
from actions.common.conversation import identity, typed_text
from actions.common.login_gate import apologise
from actions.common.otp import OTP_SLOT, OneTimeCodeValidation, code_for_bank, kept_code
from bankclient import BankError, LoginResult, OtpLocked, user_message

logger = logging.getLogger(__name__)

MESSENGERS = frozenset({"telegram", "viber", "facebook", "whatsapp"})


def shared_contact(tracker: Tracker) -> bool:
    """The latest turn is the customer's own contact, shared through a messenger that verified
    it (the channel marks it in the turn's metadata)."""
    if tracker.get_latest_input_channel() not in MESSENGERS:
        return False  # elsewhere the caller writes the metadata
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return metadata.get("shared_contact") is True


class ValidateLoginForm(OneTimeCodeValidation):
    form = "login_form"
    challenge_slot = "otp_challenge_id"
    ended_by = "login_aborted"  # lock-out, bank unavailable: the form ends early

    def name(self) -> str:
        return "validate_login_form"

    # ---------------------------------------------------------------- phone number

    async def extract_phone_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("phone_number") is not None:
            return {}
        requested = tracker.get_slot("requested_slot")
        if requested != "phone_number" and not (requested is None and shared_contact(tracker)):
            # Only an answer to "What's your phone number?" (or the messenger's verified shared
            # contact) is the customer's phone: the request that opened the gate ("send 100 to
            # my friend 0931112233") holds other people's numbers, amounts and card tokens.
            return {}
        text = typed_text(tracker)
        phone = parse_phone(text)
        if phone:
            return {"phone_number": phone}
        if tracker.get_slot("requested_slot") == "phone_number" and looks_like_phone_attempt(text):
            dispatcher.utter_message(response="utter_invalid_phone")
            return {"phone_number": None}
        return {}  # not a phone number at all: let the form hand over (digression, cancel)

    async def validate_phone_number(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if not value:
            return {"phone_number": None}
        try:
            challenge = await bank().customers.start_login(str(value), identity(tracker))
        except OtpLocked as err:
            dispatcher.utter_message(text=user_message(err))
            return {"phone_number": None, "login_aborted": True}
        except BankError as err:
            logger.warning("could not start a login: bank error %s", err.code)
            apologise(dispatcher, err)
            return {"phone_number": None, "login_aborted": True}
        return {
            "phone_number": value,
            self.challenge_slot: challenge.challenge_id,
            "phone_masked": challenge.masked_phone,
            OTP_SLOT: None,
        }

    # ---------------------------------------------------------------- one-time code

    async def send_code(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        phone = tracker.get_slot("phone_number")
        if not phone:
            return {OTP_SLOT: None, "phone_number": None}
        try:
            challenge = await bank().customers.start_login(str(phone), identity(tracker))
        except OtpLocked as err:
            dispatcher.utter_message(text=user_message(err))
            return {OTP_SLOT: None, "login_aborted": True}
        except BankError as err:
            logger.warning("could not resend a code: bank error %s", err.code)
            apologise(dispatcher, err)
            return {OTP_SLOT: None, "login_aborted": True}
        return {
            OTP_SLOT: None,
            self.challenge_slot: challenge.challenge_id,
            "phone_masked": challenge.masked_phone or tracker.get_slot("phone_masked"),
        }

    async def verify_code(self, challenge_id: str, code: str) -> LoginResult:
        return await bank().customers.verify_login(challenge_id, **code_for_bank(code))

    async def code_verified(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        result: LoginResult,
        code: str,
    ) -> dict[str, Any]:
        first_name = result.first_name
        if first_name:
            dispatcher.utter_message(response="utter_logged_in", first_name=first_name)
        else:
            dispatcher.utter_message(response="utter_logged_in_anonymous")
        return {
            OTP_SLOT: kept_code(code),
            "logged_in": True,
            "customer_first_name": first_name,
            self.challenge_slot: None,
        }

    async def code_expired(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        dispatcher.utter_message(response="utter_otp_expired")
        return {OTP_SLOT: None}

    def code_refused(self, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        return {"login_aborted": True}

    def verification_failed(
        self, dispatcher: CollectingDispatcher, err: BankError
    ) -> dict[str, Any]:
        logger.warning("could not verify a code: bank error %s", err.code)
        apologise(dispatcher, err)
        return {"login_aborted": True}
