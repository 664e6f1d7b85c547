"""The authorization zone: the login gate, the login form (phone + OTP), cancel and logout.

The OTP itself never reaches a slot or a log: the channel layer swaps the typed code for a vault
reference (`otok_…`) while `requested_slot` is `otp_code`; when it could not (no redacting
channel), the plain code is verified here and only "[redacted]" is kept.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.bank.errors import (
    BankError,
    LoginRequired,
    NotFound,
    OtpExpired,
    OtpInvalid,
    OtpLocked,
    SessionExpired,
    user_message,
)
from actions.session import (
    LOGIN_FORM,
    PENDING_INTENT_SLOT,
    apologise,
    get_bank,
    identity,
    latest_intent,
    logged_out_events,
    login_reset_events,
    pending_intent_for,
)

logger = logging.getLogger(__name__)

DEFAULT_REGION = "UA"
OTP_REF_RE = re.compile(r"\botok_[A-Za-z0-9]{16}\b")
# A typed code when no redacting channel ran: 4-8 digits, possibly split by spaces/dashes.
PLAIN_CODE_RE = re.compile(r"(?<![\d+])(\d(?:[ -]?\d){3,7})(?!\d)")
RESEND_RE = re.compile(
    r"\b(re-?send|new code|another (one|code)|send (it |the code |me )?again|"
    r"did ?n[o']?t (get|receive|come)|never (got|came|arrived)|no code)\b",
    re.IGNORECASE,
)
RESEND = "__resend__"  # internal marker between extract_otp_code and validate_otp_code
VERIFIED_PLAIN_CODE = "[redacted]"


def parse_phone(text: str, region: str = DEFAULT_REGION) -> str | None:
    """The first valid phone number in free text, as E.164 ("+380501112233"), else None."""
    if not text:
        return None
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=Leniency.VALID):
        return phonenumbers.format_number(match.number, PhoneNumberFormat.E164)
    # Customers also glue or split numbers oddly ("050-111-22-33", "+38(050)1112233").
    candidate = re.sub(r"[^\d+]", "", text)
    if 9 <= len(candidate.lstrip("+")) <= 15:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return None


def looks_like_phone_attempt(text: str) -> bool:
    return len(re.findall(r"\d", text or "")) >= 5


def message_text(tracker: Tracker) -> str:
    text = (tracker.latest_message or {}).get("text") or ""
    # A button payload ("/deny") is not something the customer typed.
    return "" if text.startswith("/") else text


class ActionCheckLogin(Action):
    """The gate in front of every sensitive intent.

    Asks the bank whether this chat has a live session and sets `logged_in`. When it hasn't,
    remembers the request in `pending_intent` (resumed after the login form) and prepares the
    form; rules then run either the request or `login_form`.
    """

    def name(self) -> str:
        return "action_check_login"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = latest_intent(tracker)
        try:
            await get_bank().rest.session(identity(tracker))
        except LoginRequired as err:
            return self._login_needed(dispatcher, tracker, domain, intent, err)
        except BankError as err:
            logger.warning("session check failed: bank error %s", err.code)
            apologise(dispatcher, err)
            # Neither the request nor a login makes sense now: wait for the customer.
            return [FollowupAction("action_listen")]
        return [SlotSet("logged_in", True), SlotSet(PENDING_INTENT_SLOT, None)]

    @staticmethod
    def _login_needed(
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        intent: str | None,
        err: LoginRequired,
    ) -> list[EventType]:
        pending = pending_intent_for(intent, domain)
        if tracker.active_loop_name == LOGIN_FORM:
            # Already logging in: keep what was collected, just remember the newest request.
            events: list[EventType] = [SlotSet("logged_in", False)]
            if pending:
                events.append(SlotSet(PENDING_INTENT_SLOT, pending))
            return events
        if isinstance(err, SessionExpired) or tracker.get_slot("logged_in"):
            dispatcher.utter_message(response="utter_session_expired")
        elif pending:
            dispatcher.utter_message(response="utter_login_needed")
        return [
            *logged_out_events(),
            *login_reset_events(),
            SlotSet(PENDING_INTENT_SLOT, pending),
        ]


class ValidateLoginForm(FormValidationAction):
    """Phone → start the OTP at the bank → code (as a vault reference) → verify."""

    def name(self) -> str:
        return "validate_login_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # An empty list ends the form early (lock-out, bank unavailable).
        return [] if tracker.get_slot("login_aborted") else domain_slots

    # ---------------------------------------------------------------- phone number

    async def extract_phone_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("phone_number") is not None:
            return {}
        if tracker.get_slot("requested_slot") not in (None, "phone_number"):
            return {}
        text = message_text(tracker)
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
            challenge = await get_bank().rest.start_login(str(value), identity(tracker))
        except OtpLocked as err:
            dispatcher.utter_message(text=user_message(err))
            return {"phone_number": None, "login_aborted": True}
        except BankError as err:
            logger.warning("could not start a login: bank error %s", err.code)
            apologise(dispatcher, err)
            return {"phone_number": None, "login_aborted": True}
        return {
            "phone_number": value,
            "otp_challenge_id": challenge["challenge_id"],
            "phone_masked": challenge.get("masked_phone"),
            "otp_code": None,
        }

    # ---------------------------------------------------------------- one-time code

    async def extract_otp_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "otp_code":
            return {}
        text = (tracker.latest_message or {}).get("text") or ""
        if latest_intent(tracker) == "resend_code" or RESEND_RE.search(text):
            return {"otp_code": RESEND}
        ref = OTP_REF_RE.search(text)
        if ref:
            return {"otp_code": ref.group(0)}
        plain = PLAIN_CODE_RE.search(message_text(tracker))
        if plain:
            # Never returned to Rasa: validate_otp_code replaces it before the events leave.
            return {"otp_code": re.sub(r"\D", "", plain.group(1))}
        return {}

    async def validate_otp_code(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if not value:
            return {"otp_code": None}
        if value == RESEND:
            return await self._resend(dispatcher, tracker)
        challenge_id = tracker.get_slot("otp_challenge_id")
        if not challenge_id:
            return await self._resend(dispatcher, tracker)
        value = str(value)
        is_ref = value.startswith("otok_")
        try:
            if is_ref:
                result = await get_bank().rest.verify_otp(challenge_id, secret_ref=value)
            else:
                result = await get_bank().rest.verify_otp(challenge_id, code=value)
        except OtpInvalid as err:
            dispatcher.utter_message(text=user_message(err))
            if err.attempts_left is not None and err.attempts_left <= 0:
                return {"otp_code": None, "login_aborted": True}
            return {"otp_code": None}
        except (OtpExpired, NotFound):
            dispatcher.utter_message(response="utter_otp_expired")
            return {"otp_code": None}
        except OtpLocked as err:
            dispatcher.utter_message(text=user_message(err))
            return {"otp_code": None, "login_aborted": True}
        except BankError as err:
            logger.warning("could not verify a code: bank error %s", err.code)
            apologise(dispatcher, err)
            return {"otp_code": None, "login_aborted": True}
        first_name = result.get("first_name")
        if first_name:
            dispatcher.utter_message(response="utter_logged_in", first_name=first_name)
        else:
            dispatcher.utter_message(response="utter_logged_in_anonymous")
        return {
            "otp_code": value if is_ref else VERIFIED_PLAIN_CODE,
            "logged_in": True,
            "customer_first_name": first_name,
            "otp_challenge_id": None,
        }

    async def _resend(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        phone = tracker.get_slot("phone_number")
        if not phone:
            return {"otp_code": None, "phone_number": None}
        try:
            challenge = await get_bank().rest.start_login(str(phone), identity(tracker))
        except OtpLocked as err:
            dispatcher.utter_message(text=user_message(err))
            return {"otp_code": None, "login_aborted": True}
        except BankError as err:
            logger.warning("could not resend a code: bank error %s", err.code)
            apologise(dispatcher, err)
            return {"otp_code": None, "login_aborted": True}
        return {
            "otp_code": None,
            "otp_challenge_id": challenge["challenge_id"],
            "phone_masked": challenge.get("masked_phone") or tracker.get_slot("phone_masked"),
        }


class ActionCancelLogin(Action):
    """The customer stopped the login ("cancel", "no"): end the form, forget what it collected."""

    def name(self) -> str:
        return "action_cancel_login"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_login_cancelled")
        return [
            ActiveLoop(None),
            *login_reset_events(),
            SlotSet(PENDING_INTENT_SLOT, None),
        ]


class ActionLogout(Action):
    def name(self) -> str:
        return "action_logout"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [
            *logged_out_events(),
            *login_reset_events(),
            SlotSet(PENDING_INTENT_SLOT, None),
        ]
        try:
            await get_bank().rest.logout(identity(tracker))
        except LoginRequired:
            dispatcher.utter_message(response="utter_not_logged_in")
            return events
        except BankError as err:
            logger.warning("logout failed: bank error %s", err.code)
            apologise(dispatcher, err)
            return []
        dispatcher.utter_message(response="utter_logged_out")
        return events
